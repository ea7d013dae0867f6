/** The parameters of a `Bearer realm="…",service="…",scope="…"` challenge, or null when it is not one. */
export function bearerChallenge(header: string | undefined): Record<string, string> | null {
  if (!header || !/^bearer\s/i.test(header)) return null;
  const parameters: Record<string, string> = {};
  for (const match of header.slice(7).matchAll(/([a-zA-Z]+)="([^"]*)"/g)) parameters[match[1].toLowerCase()] = match[2];
  return parameters.realm ? parameters : null;
}
