export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

/** A JSON call as a client makes it; never throws on error statuses. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { auth?: string; json?: unknown; body?: string; contentType?: string } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (options.auth !== undefined) headers.authorization = options.auth;
  let body: string | undefined = options.body;
  if (options.json !== undefined) body = JSON.stringify(options.json);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(base + path, { method, headers, body });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = {};
  }
  return { status: response.status, body: parsed, text };
}
