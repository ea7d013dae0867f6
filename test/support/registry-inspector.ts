import { gunzipSync } from 'node:zlib';

const ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');

export interface PushedImage {
  digest: string;
  labels: Record<string, string>;
  user: string;
  /** Files of every layer, path → content (later layers win). */
  files: Map<string, Buffer>;
}

/** Reads a tar archive's regular files; enough for image layers. */
export function readTar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    const body = archive.subarray(offset + 512, offset + 512 + size);
    longName = undefined;
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if (type === 'x') {
      const path = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (path) longName = path[1];
    } else if (type === '0' || type === '') files.set(name.replace(/^\.\//, ''), Buffer.from(body));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** Fetches what a client of the registry would see of `<repository>:<tag>`. */
export async function inspectImage(registryHost: string, repository: string, tag: string): Promise<PushedImage | null> {
  const base = `http://${registryHost}/v2/${repository}`;
  const manifestResponse = await fetch(`${base}/manifests/${tag}`, { headers: { accept: ACCEPT } });
  if (manifestResponse.status === 404) return null;
  if (!manifestResponse.ok) throw new Error(`registry answered ${manifestResponse.status}`);
  const manifest = (await manifestResponse.json()) as { config: { digest: string }; layers: { digest: string }[] };
  const blob = async (digest: string) => Buffer.from(await (await fetch(`${base}/blobs/${digest}`)).arrayBuffer());
  const config = JSON.parse((await blob(manifest.config.digest)).toString('utf8')) as {
    config?: { Labels?: Record<string, string>; User?: string };
  };
  const files = new Map<string, Buffer>();
  for (const layer of manifest.layers) {
    for (const [path, content] of readTar(gunzipSync(await blob(layer.digest)))) files.set(path, content);
  }
  return {
    digest: manifestResponse.headers.get('docker-content-digest') ?? '',
    labels: config.config?.Labels ?? {},
    user: config.config?.User ?? '',
    files,
  };
}
