import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBaseImage, type BaseImage } from './base-image.js';
import { runDocker } from './docker-cli.js';
import { ensureDockerEngine, type DockerEngine } from './docker-engine.server.js';
import { EXTEND_FAIL_MARKER } from './extend-script.js';
import { httpRequest } from './loopback-http.js';
import { ensureRegistry, type RegistryServer } from './registry.server.js';

/** The baseline Dockerfile every runtime kind renders. */
function writeBuildContext(baseImage: string, requirements: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'devenv-build-'));
  const dockerfile = [
    `FROM ${baseImage}`,
    'COPY requirements.txt /tmp/requirements.txt',
    'USER root',
    'RUN /bin/extend',
    'USER nobody',
  ];
  writeFileSync(join(dir, 'Dockerfile'), `${dockerfile.join('\n')}\n`);
  writeFileSync(join(dir, 'requirements.txt'), requirements);
  return dir;
}

describe('ensureDockerEngine with its embedded BuildKit', () => {
  let docker: DockerEngine;
  let registry: RegistryServer;
  let baseImage: BaseImage;
  const contexts: string[] = [];

  beforeAll(async () => {
    docker = await ensureDockerEngine();
    registry = await ensureRegistry();
    baseImage = await ensureBaseImage(docker);
  });

  afterAll(() => contexts.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /**
   * The unique line keeps BuildKit from answering from its cache or from an
   * identical build running concurrently, either of which hides the RUN log.
   */
  function build(requirements: string, tag: string): ReturnType<typeof runDocker> {
    const context = writeBuildContext(baseImage.name, `# build ${randomUUID()}\n${requirements}`);
    contexts.push(context);
    const network = `--network=${docker.buildNetwork}`;
    return runDocker(docker, ['build', '--progress=plain', network, '-t', tag, context]);
  }

  it('is the engine the test setup exported, answering on its private socket', async () => {
    expect(docker.dockerHost).toBe(process.env.DOCKER_HOST);
    const socketPath = new URL(docker.dockerHost).pathname;
    expect((await httpRequest({ socketPath }, '/_ping'))?.body).toBe('OK');
  });

  it('reuses the base image while its root filesystem is unchanged', async () => {
    const again = await ensureBaseImage(docker);
    expect(again).toEqual({ name: baseImage.name, id: baseImage.id, built: false });
  });

  it('builds the extend Dockerfile from the local base image and pushes it to the registry', async () => {
    const tag = `t${randomUUID().slice(0, 8)}`;
    const image = `${registry.host}/alice:${tag}`;

    const built = await build('flask==3.0.0\n\nrequests\n', image);
    expect(built.stderr).toContain('extend: installing flask==3.0.0');
    expect(built.stderr).toContain('extend: installing requests');
    expect(built.code).toBe(0);

    const recorded = await runDocker(docker, [
      'run', '--rm', '--network=none', image, 'cat', '/opt/extend/requirements.txt.sha256',
    ]);
    expect(recorded.stdout).toMatch(/^[0-9a-f]{64} {2}requirements\.txt$/m);
    const user = await runDocker(docker, ['run', '--rm', '--network=none', image, 'id', '-u']);
    expect(user.stdout.trim()).toBe('65534');

    const pushed = await runDocker(docker, ['push', image]);
    expect(pushed.code).toBe(0);
    const [host, port] = registry.host.split(':');
    const tags = await httpRequest({ host, port: Number(port) }, '/v2/alice/tags/list');
    expect(JSON.parse(tags?.body ?? '{}').tags).toContain(tag);
    await runDocker(docker, ['image', 'rm', image]);
  });

  it(`fails the build when the dependency file holds "${EXTEND_FAIL_MARKER}"`, async () => {
    const failed = await build(`flask\n${EXTEND_FAIL_MARKER}\n`, `${registry.host}/alice:failing`);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain(`contains '${EXTEND_FAIL_MARKER}'; failing as asked`);
  });
});
