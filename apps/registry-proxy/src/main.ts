import http from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
// The proxy's own files, not '#libs/registry': that index also loads the NestJS module, and a
// build pod's sidecar should start in milliseconds.
import { dockerConfigCredentials, isRepositoryName, ScopedRegistryProxy } from '../../../libs/registry/src/proxy/index.js';

const USAGE = `usage: registry-proxy --upstream HOST[:PORT] [--listen 127.0.0.1:5050] [--plain-http]
                      [--docker-config FILE] [--pull REPO]... [--push REPO]...
       registry-proxy --check 127.0.0.1:5050`;
const CHECK_TIMEOUT_MS = 2_000;

function hostAndPort(value: string, flag: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[^:[\]]+):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65_535) throw new Error(`${flag} wants HOST:PORT, not ${value}`);
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

/** Exit status 0 when the proxy at host:port answers `GET /v2/` with 200 (a startup probe). */
function check(target: string): Promise<number> {
  const { host, port } = hostAndPort(target, '--check');
  return new Promise((resolve) => {
    const request = http.get({ host, port, path: '/v2/', timeout: CHECK_TIMEOUT_MS }, (response) => {
      response.resume();
      resolve(response.statusCode === 200 ? 0 : 1);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(1));
  });
}

async function serve(values: Record<string, string | boolean | string[] | undefined>): Promise<void> {
  const upstream = values.upstream as string | undefined;
  if (!upstream) throw new Error(`--upstream is required\n${USAGE}`);
  const listen = hostAndPort((values.listen as string | undefined) ?? '127.0.0.1:5050', '--listen');
  const pull = (values.pull as string[] | undefined) ?? [];
  const push = (values.push as string[] | undefined) ?? [];
  for (const repository of [...pull, ...push]) {
    if (!isRepositoryName(repository)) throw new Error(`${JSON.stringify(repository)} is not a repository name`);
  }
  const explicitConfig = values['docker-config'] as string | undefined;
  const configFile = explicitConfig ?? join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
  let credentials;
  try {
    credentials = dockerConfigCredentials(configFile, upstream);
  } catch (error) {
    // Without --docker-config, no file at the default place means an anonymous upstream.
    if (explicitConfig !== undefined || !(error as Error).message.endsWith(': ENOENT')) throw error;
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const proxy = await ScopedRegistryProxy.start({
    listenHost: listen.host,
    listenPort: listen.port,
    upstream,
    plainHttp: values['plain-http'] === true,
    credentials,
    grants: { pull: new Set(pull), push: new Set(push) },
    log,
  });
  log(JSON.stringify({ listening: proxy.address, upstream, credentials: credentials !== undefined, pull, push }));
  const stop = () => {
    proxy.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      listen: { type: 'string' },
      upstream: { type: 'string' },
      'plain-http': { type: 'boolean' },
      'docker-config': { type: 'string' },
      pull: { type: 'string', multiple: true },
      push: { type: 'string', multiple: true },
      check: { type: 'string' },
    },
    strict: true,
  });
  if (values.check !== undefined) process.exit(await check(values.check));
  await serve(values);
}

main().catch((error: Error) => {
  process.stderr.write(`registry-proxy: ${error.message}\n`);
  process.exit(2);
});
