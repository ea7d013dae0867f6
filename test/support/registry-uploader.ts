import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export interface PushedImage {
  digest: string;
  /** Bytes of the layer and the config. */
  size: number;
}

export interface PushOptions {
  labels?: Record<string, string>;
  created?: string;
  /** `User` and `WorkingDir` of the image config. */
  user?: string;
  workingDir?: string;
  /** An Authorization header, for a registry that requires one. */
  authorization?: string;
}

async function uploadBlob(base: string, headers: Record<string, string>, repository: string, data: Buffer): Promise<string> {
  const digest = sha(data);
  const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', base);
  location.searchParams.set('digest', digest);
  const done = await fetch(location, { method: 'PUT', body: data, headers: { ...headers, 'content-type': 'application/octet-stream' } });
  if (done.status !== 201) throw new Error(`blob upload: ${done.status}`);
  return digest;
}

/** Pushes a tiny one-layer image straight through the Registry API (no Docker needed). */
export async function pushImage(registryHost: string, repository: string, tag: string, options: PushOptions = {}): Promise<PushedImage> {
  const base = `http://${registryHost}`;
  const headers: Record<string, string> = options.authorization ? { authorization: options.authorization } : {};
  const layer = gzipSync(Buffer.alloc(1024));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      ...(options.created ? { created: options.created } : {}),
      config: {
        Labels: options.labels ?? {},
        ...(options.user !== undefined ? { User: options.user } : {}),
        ...(options.workingDir !== undefined ? { WorkingDir: options.workingDir } : {}),
      },
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  );
  const configDigest = await uploadBlob(base, headers, repository, config);
  const layerDigest = await uploadBlob(base, headers, repository, layer);
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
    headers: { ...headers, 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  if (put.status !== 201) throw new Error(`manifest put: ${put.status} ${await put.text()}`);
  return { digest: sha(manifest), size: layer.length + config.length };
}

/** The digest of a tiny image pushed with these labels. */
export async function pushTinyImage(registryHost: string, repository: string, tag: string, labels: Record<string, string> = {}): Promise<string> {
  return (await pushImage(registryHost, repository, tag, { labels })).digest;
}
