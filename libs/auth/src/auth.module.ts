import { Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '#libs/redis';
import { AUTH_OPTIONS, type AuthOptions } from './auth-options.js';
import { AuthGuard } from './auth.guard.js';
import { CachingIdentityProvider } from './caching-identity.provider.js';
import { CouchdbIdentityProvider } from './couchdb-identity.provider.js';
import { CouchdbSubjectsRepository } from './couchdb-subjects.repository.js';
import { FailedAuthLimiter } from './failed-auth.limiter.js';
import { IdentityProvider } from './identity-provider.js';
import { StaticIdentityProvider } from './static-identity.provider.js';

/**
 * Provides IdentityProvider (cached) and AuthGuard. Global, so any feature
 * module can put `@UseGuards(AuthGuard)` on its controllers.
 */
@Module({})
export class AuthModule {
  static register(options: AuthOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: AUTH_OPTIONS, useValue: options },
        {
          provide: IdentityProvider,
          useFactory: async (authOptions: AuthOptions) =>
            new CachingIdentityProvider(await createIdentityProvider(authOptions), {
              ttlMs: authOptions.cacheTtlMs,
            }),
          inject: [AUTH_OPTIONS],
        },
        {
          provide: FailedAuthLimiter,
          useFactory: (redis?: Redis) =>
            options.failedAuthLimits && redis ? new FailedAuthLimiter(redis, options.failedAuthLimits) : null,
          inject: [{ token: REDIS, optional: true }],
        },
        AuthGuard,
      ],
      exports: [IdentityProvider, AuthGuard, FailedAuthLimiter],
    };
  }
}

async function createIdentityProvider(options: AuthOptions): Promise<IdentityProvider> {
  switch (options.provider) {
    case 'couchdb':
      return new CouchdbIdentityProvider(new CouchdbSubjectsRepository(options.couchdb));
    case 'static':
      return StaticIdentityProvider.fromFile(options.usersFile);
  }
}
