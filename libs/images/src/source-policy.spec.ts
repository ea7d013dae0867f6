import { ForbiddenError } from '#libs/errors';
import { SourcePolicy } from './source-policy.js';

describe('SourcePolicy', () => {
  it('allows everything without rules', () => {
    expect(() => new SourcePolicy(undefined).check('anything/at:all')).not.toThrow();
    expect(() => new SourcePolicy(' , ').check('anything/at:all')).not.toThrow();
  });

  it('allows sources matching a pattern, * matching any run', () => {
    const policy = new SourcePolicy('ghcr.io/apache/openserverless-runtime-*, registry.local:5000/runtimes/python:3.*');
    expect(() => policy.check('ghcr.io/apache/openserverless-runtime-python:v3.12-2501')).not.toThrow();
    expect(() => policy.check('registry.local:5000/runtimes/python:3.12')).not.toThrow();
  });

  it('refuses others with 403 naming the rule', () => {
    const policy = new SourcePolicy('ghcr.io/apache/openserverless-runtime-*');
    for (const source of ['docker.io/library/python:3', 'ghcr.io/apache/openserverless-runtimeX', 'xghcr.io/apache/openserverless-runtime-a']) {
      expect(() => policy.check(source)).toThrow(ForbiddenError);
    }
    expect(() => policy.check('evil/image')).toThrow(/SOURCE_ALLOWLIST admits only ghcr\.io\/apache\/openserverless-runtime-\*/);
  });

  it('treats regular expression characters in patterns literally', () => {
    const policy = new SourcePolicy('a.b/c+d:*');
    expect(() => policy.check('a.b/c+d:1')).not.toThrow();
    expect(() => policy.check('aXb/cd:1')).toThrow(ForbiddenError);
  });
});
