import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function uploadBlob(base: string, repository: string, data: Buffer): Promise<string> {
  const digest = sha(data);
  const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', base);
  location.searchParams.set('digest', digest);
  const done = await fetch(location, { method: 'PUT', body: data, headers: { 'content-type': 'application/octet-stream' } });
  if (done.status !== 201) throw new Error(`blob upload: ${done.status}`);
  return digest;
}

/** Pushes a tiny one-layer image straight through the Registry API (no Docker needed). */
export async function pushTinyImage(
  registryHost: string,
  repository: string,
  tag: string,
  labels: Record<string, string> = {},
): Promise<string> {
  const base = `http://${registryHost}`;
  const layer = gzipSync(Buffer.alloc(1024));
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: labels }, rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const configDigest = await uploadBlob(base, repository, config);
  const layerDigest = await uploadBlob(base, repository, layer);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: layerDigest }],
    }),
  );
  const put = await fetch(`${base}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  if (put.status !== 201) throw new Error(`manifest put: ${put.status} ${await put.text()}`);
  return sha(manifest);
}
