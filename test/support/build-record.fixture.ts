import { BuildRecord, buildJobName, newBuildId, queuedRecord } from '#libs/builds';

let made = 0;

/** A queued build of `login` as build/start would store it, each with its own id, target and claim. */
export function queuedBuildRecord(login: string, overrides: Partial<BuildRecord> = {}): BuildRecord {
  const id = newBuildId();
  made += 1;
  return queuedRecord({
    id,
    login,
    user: login,
    kind: 'python',
    source: 'openserverless/runtime-python:v3.12',
    target: `${login}:t${made}`,
    registryHost: '127.0.0.1:5001',
    image: `127.0.0.1:5001/${login}:t${made}`,
    pushImage: `127.0.0.1:5001/${login}:t${made}`,
    ensureId: '',
    generation: 0,
    jobName: buildJobName(login, id),
    identity: `identity-${id}`,
    claim: `claim-${id}`,
    hasFile: false,
    fileSha256: '',
    force: false,
    requestId: '',
    createdAt: Date.now(),
    ...overrides,
  });
}
