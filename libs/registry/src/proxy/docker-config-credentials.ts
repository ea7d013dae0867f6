import { readFileSync } from 'node:fs';
import type { RegistryCredentials } from '../registry-credentials.js';

interface DockerConfigEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
}

/** `https://host:port/v1/` and `host:port` name the same registry; `host:port` is what is compared. */
const entryHost = (key: string) => key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');

/**
 * The credentials a docker config.json (the file behind a
 * kubernetes.io/dockerconfigjson Secret) holds for exactly this registry
 * host, or undefined when it holds none. Throws on a file that is not one,
 * naming the file but never its content.
 */
export function dockerConfigCredentials(file: string, host: string): RegistryCredentials | undefined {
  let auths: Record<string, DockerConfigEntry>;
  try {
    const config = JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, DockerConfigEntry> } | null;
    auths = config?.auths ?? {};
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'not JSON';
    throw new Error(`cannot read the docker config ${file}: ${reason}`);
  }
  const wanted = host.toLowerCase();
  const key = Object.keys(auths).find((candidate) => entryHost(candidate).toLowerCase() === wanted);
  if (key === undefined) return undefined;
  const entry = auths[key] ?? {};
  if (typeof entry.username === 'string' && typeof entry.password === 'string' && entry.username !== '') {
    return { username: entry.username, password: entry.password };
  }
  if (typeof entry.auth === 'string') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  throw new Error(`the docker config ${file} has an entry for ${host} without a usable auth or username/password`);
}
