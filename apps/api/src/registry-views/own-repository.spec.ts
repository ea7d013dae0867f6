import { authenticatedUser } from '#libs/auth';
import { loadConfig } from '#libs/config';
import { InvalidInputError } from '#libs/errors';
import { RegistryHostResolver } from '#libs/registry';
import { OwnRepositoryResolver } from './own-repository.js';

describe('OwnRepositoryResolver', () => {
  const resolver = (env: Record<string, string> = {}) => new OwnRepositoryResolver(new RegistryHostResolver(loadConfig(env)));
  const caller = (login: string, env: Record<string, string> = {}) => authenticatedUser({ login, subject: login, env });

  it("is the caller's login lowercased on the caller's registry", () => {
    expect(resolver().of(caller('Devel'))).toEqual({ host: '127.0.0.1:5001', repository: 'devel' });
    expect(resolver().of(caller('devel', { REGISTRY_HOST: 'mine:5000' }))).toEqual({ host: 'mine:5000', repository: 'devel' });
    expect(resolver({ REGISTRY_HOST: 'svc:5000' }).of(caller('devel', { REGISTRY_HOST: 'mine:5000' })).host).toBe('svc:5000');
  });

  it('names a tag of that repository only', () => {
    expect(resolver().image(caller('Devel'), 'python-1.0_x')).toEqual({
      host: '127.0.0.1:5001',
      repository: 'devel',
      tag: 'python-1.0_x',
      image: '127.0.0.1:5001/devel:python-1.0_x',
    });
  });

  it.each(['', '.x', '-x', 'a/b', 'other:tag', '../other', 'x'.repeat(129), 'caf\u00e9'])('refuses the tag %j', (tag) => {
    expect(() => resolver().image(caller('devel'), tag)).toThrow(InvalidInputError);
  });

  it('refuses a login that cannot name a repository', () => {
    expect(() => resolver().of(caller('K\u212aelvin'))).toThrow(InvalidInputError);
  });
});
