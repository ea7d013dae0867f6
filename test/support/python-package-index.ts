import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PythonPackageIndex {
  /** The index URL with its credentials, as an operator would configure it. */
  url: string;
  /** Paths requested with the right credentials. */
  requests: string[];
  /** Requests refused for missing or wrong credentials. */
  refused: number;
  close(): Promise<void>;
}

/**
 * A wheel made here (pure Python, one module) so pip has something real to
 * install without reaching any public index. Built by this machine's python3
 * zipfile, which writes what pip reads.
 */
export function pureWheel(name: string, version: string, module: string): { fileName: string; content: Buffer } {
  const dist = `${name.replace(/-/g, '_')}-${version}`;
  const fileName = `${dist}-py3-none-any.whl`;
  const script = `
import base64, hashlib, io, sys, zipfile
name, version, module, dist = sys.argv[1:5]
files = {
  f"{module}/__init__.py": f"VALUE = {version!r}\\n",
  f"{dist}.dist-info/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
  f"{dist}.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
for path, text in files.items():
  digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
  record.append(f"{path},sha256={digest},{len(text.encode())}")
record.append(f"{dist}.dist-info/RECORD,,")
files[f"{dist}.dist-info/RECORD"] = "\\n".join(record) + "\\n"
out = io.BytesIO()
with zipfile.ZipFile(out, "w") as archive:
  for path, text in files.items():
    archive.writestr(path, text)
sys.stdout.buffer.write(out.getvalue())
`;
  const content = execFileSync('/usr/bin/python3', ['-c', script, name, version, module, dist]);
  return { fileName, content };
}

/** A PEP 503 simple index on loopback serving the given wheels, behind basic auth. */
export async function startPythonPackageIndex(
  wheels: { project: string; fileName: string; content: Buffer }[],
  credentials: { user: string; password: string },
): Promise<PythonPackageIndex> {
  const expected = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
  const state = { requests: [] as string[], refused: 0 };
  const server: Server = createServer((request, response) => {
    if (request.headers.authorization !== expected) {
      state.refused += 1;
      response.writeHead(401, { 'www-authenticate': 'Basic realm="index"' }).end();
      return;
    }
    const path = (request.url ?? '/').split('?')[0];
    state.requests.push(path);
    const project = /^\/simple\/([^/]+)\/?$/.exec(path)?.[1];
    const listed = wheels.filter((wheel) => wheel.project === project);
    if (project && listed.length > 0) {
      const links = listed.map((wheel) => {
        const sha = createHash('sha256').update(wheel.content).digest('hex');
        return `<a href="/files/${wheel.fileName}#sha256=${sha}">${wheel.fileName}</a>`;
      });
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<html><body>${links.join('\n')}</body></html>`);
      return;
    }
    const wheel = wheels.find((candidate) => path === `/files/${candidate.fileName}`);
    if (wheel) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(wheel.content);
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${credentials.user}:${credentials.password}@127.0.0.1:${port}/simple/`,
    get requests() {
      return state.requests;
    },
    get refused() {
      return state.refused;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
