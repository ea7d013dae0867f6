/** Every kind the deployer builds; the registry refuses to boot unless each has exactly one strategy. */
export const RUNTIME_KINDS = ['go', 'java', 'nodejs', 'php', 'python', 'ruby', 'dotnet'] as const;

export type RuntimeKind = (typeof RUNTIME_KINDS)[number];

export function isRuntimeKind(value: unknown): value is RuntimeKind {
  return typeof value === 'string' && (RUNTIME_KINDS as readonly string[]).includes(value);
}
