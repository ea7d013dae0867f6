import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Catch,
  Controller,
  Get,
  Module,
  UseGuards,
  type ArgumentsHost,
  type ExceptionFilter,
  type ExecutionContext,
} from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { FastifyReply } from 'fastify';
import request from 'supertest';
import { DependencyUnavailableError, DomainError, UnauthenticatedError } from '#libs/errors';
import { AuthModule } from './auth.module.js';
import { AuthGuard } from './auth.guard.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { CachingIdentityProvider } from './caching-identity.provider.js';
import { CurrentUser } from './current-user.decorator.js';
import { IdentityProvider } from './identity-provider.js';

@Controller('whoami')
class WhoAmIController {
  @Get()
  @UseGuards(AuthGuard)
  whoAmI(@CurrentUser() user: AuthenticatedUser): AuthenticatedUser {
    return user;
  }
}

/** A feature module that does not import AuthModule itself. */
@Module({ controllers: [WhoAmIController] })
class WhoAmIModule {}

/** Stands in for the API's error filter, which maps domain errors once. */
@Catch(DomainError)
class StatusFilter implements ExceptionFilter {
  catch(error: DomainError, host: ArgumentsHost): void {
    const status = error instanceof UnauthenticatedError ? 401 : error instanceof DependencyUnavailableError ? 503 : 500;
    host.switchToHttp().getResponse<FastifyReply>().code(status).send({ status: 'ko', message: error.message });
  }
}

const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;

describe('AuthModule with AuthGuard and @CurrentUser()', () => {
  let dir: string;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'auth-module-'));
    const usersFile = join(dir, 'users.json');
    await writeFile(usersFile, JSON.stringify([{ uuid: 'u-alice', key: 'k-alice', login: 'alice', env: { A: '1' } }]));
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.register({ provider: 'static', usersFile }), WhoAmIModule],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    app.useGlobalFilters(new StatusFilter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('provides a caching IdentityProvider', () => {
    expect(app.get(IdentityProvider)).toBeInstanceOf(CachingIdentityProvider);
  });

  it.each([
    ['Basic base64(uuid:key)', basic('u-alice:k-alice')],
    ['bare base64(uuid:key)', Buffer.from('u-alice:k-alice').toString('base64')],
    ['bare uuid:key', 'u-alice:k-alice'],
  ])('admits %s and hands the user to the handler', async (_form, authorization) => {
    const response = await request(app.getHttpServer()).get('/whoami').set('Authorization', authorization);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ login: 'alice', owner: 'alice', subject: 'alice', env: { A: '1' } });
  });

  it('refuses a missing header', async () => {
    const response = await request(app.getHttpServer()).get('/whoami');
    expect(response.status).toBe(401);
    expect(response.body.message).toBe('Missing authorization header');
  });

  it('refuses an unknown key', async () => {
    const response = await request(app.getHttpServer()).get('/whoami').set('Authorization', basic('u-alice:nope'));
    expect(response.status).toBe(401);
    expect(response.body.message).toBe('Invalid authorization');
  });
});

describe('AuthGuard when the identity store is down', () => {
  class DownIdentityProvider extends IdentityProvider {
    override authenticate(): Promise<AuthenticatedUser | null> {
      return Promise.reject(new DependencyUnavailableError('CouchDB cannot be reached', 'couchdb'));
    }
  }

  it('lets DependencyUnavailableError through', async () => {
    const guard = new AuthGuard(new DownIdentityProvider());
    const requestStub = { headers: { authorization: 'u:k' } };
    const context = { switchToHttp: () => ({ getRequest: () => requestStub }) };
    await expect(guard.canActivate(context as unknown as ExecutionContext)).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(requestStub).not.toHaveProperty('user');
  });
});
