import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** latin1: one character per byte, so a binary blob survives the round trip. */
  body: string;
}

/** One exchange with `host` (`127.0.0.1:port`), the path sent byte for byte (fetch would normalise `..` and friends). */
export function rawRequest(host: string, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawAnswer> {
  const [hostname, port] = host.split(':');
  return new Promise((resolve, reject) => {
    const outgoing = request({ hostname, port: Number(port), method, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('latin1') }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
