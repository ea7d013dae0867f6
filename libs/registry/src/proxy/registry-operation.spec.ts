import { isRepositoryName, registryOperation } from './registry-operation.js';

const grants = { pull: new Set(['shared/base']), push: new Set(['alice/app']) };
const D = `sha256:${'a'.repeat(64)}`;
const judge = (method: string, url: string) => registryOperation(method, url, grants);

describe('registryOperation', () => {
  it('forwards reads of readable repositories with a pull scope, writes of push repositories with pull,push', () => {
    expect(judge('GET', `/v2/shared/base/manifests/${D}`)).toEqual({
      kind: 'forward',
      repository: 'shared/base',
      upstreamPath: `/v2/shared/base/manifests/${D}`,
      scopes: ['repository:shared/base:pull'],
    });
    expect(judge('HEAD', `/v2/alice/app/blobs/${D}`)).toMatchObject({ kind: 'forward', scopes: ['repository:alice/app:pull'] });
    expect(judge('PUT', '/v2/alice/app/manifests/1.0')).toMatchObject({ kind: 'forward', scopes: ['repository:alice/app:pull,push'] });
    expect(judge('PATCH', '/v2/alice/app/blobs/uploads/0b7f-uuid?_state=xyz&evil=1')).toMatchObject({
      kind: 'forward',
      upstreamPath: '/v2/alice/app/blobs/uploads/0b7f-uuid?_state=xyz',
    });
    expect(judge('GET', '/v2/shared/base/tags/list?n=10&last=a&x=y')).toMatchObject({ upstreamPath: '/v2/shared/base/tags/list?n=10&last=a' });
    expect(judge('GET', '/v2/')).toEqual({ kind: 'version-check' });
  });

  it('keeps a mount only from a readable repository, and asks a pull scope for it', () => {
    expect(judge('POST', `/v2/alice/app/blobs/uploads/?mount=${D}&from=shared/base`)).toMatchObject({
      upstreamPath: `/v2/alice/app/blobs/uploads/?mount=${encodeURIComponent(D)}&from=shared%2Fbase`,
      scopes: ['repository:alice/app:pull,push', 'repository:shared/base:pull'],
    });
    expect(judge('POST', `/v2/alice/app/blobs/uploads/?mount=${D}&from=bob/app&digest=${D}`)).toMatchObject({
      upstreamPath: `/v2/alice/app/blobs/uploads/?digest=${encodeURIComponent(D)}`,
      scopes: ['repository:alice/app:pull,push'],
      dropped: 'the mount from "bob/app"',
    });
  });

  it.each([
    ['GET', '/v2/bob/app/manifests/1'],
    ['PUT', '/v2/shared/base/manifests/1'],
    ['POST', '/v2/shared/base/blobs/uploads/'],
    ['PATCH', '/v2/shared/base/blobs/uploads/u'],
    ['DELETE', `/v2/alice/app/manifests/${D}`],
    ['DELETE', `/v2/alice/app/blobs/${D}`],
    ['HEAD', '/v2/alice/app/blobs/uploads/u'],
    ['GET', '/v2/_catalog'],
    ['PUT', '/v2/'],
    ['GET', '/v2/alice/app/../../bob/app/manifests/1'],
    ['GET', '/v2/alice/app/./manifests/1'],
    ['GET', '/v2/alice%2fapp/manifests/1'],
    ['GET', '/v2/alice/app/manifests/%31'],
    ['GET', '/v2//alice/app/manifests/1'],
    ['GET', '/v2/Alice/app/manifests/1'],
    ['GET', '/v2/alice/app/manifests/-tag'],
    ['GET', '/v2/alice/app/manifests/1/'],
    ['GET', '/v2/alice/app/referrers/x'],
    ['GET', 'http://elsewhere/v2/alice/app/manifests/1'],
    ['GET', '/v1/_ping'],
  ])('denies %s %s', (method, url) => {
    expect(judge(method, url).kind).toBe('denied');
  });

  it('follows the distribution grammar for repository names', () => {
    for (const name of ['a', 'alice/app', 'a.b/c_d/e__f', 'x-y--z/0']) expect(isRepositoryName(name)).toBe(true);
    for (const name of ['', 'A', '/a', 'a/', 'a//b', 'a/../b', '.a', 'a-', 'a___b', `${'a'.repeat(256)}`]) {
      expect(isRepositoryName(name)).toBe(false);
    }
  });
});
