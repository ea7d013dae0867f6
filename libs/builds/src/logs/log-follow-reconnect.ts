/**
 * The last line of a followed log that the server cut short because it is
 * shutting down: it tells the client where to pick up (`from=`) on another
 * replica. Not a line of the build's log; a client does not count it.
 */
const RECONNECT = /^--- the server is shutting down: reconnect with from=(\d+) to follow the rest ---$/;

export const reconnectLine = (from: number) => `--- the server is shutting down: reconnect with from=${from} to follow the rest ---`;

/** The `from` a reconnect line names, or null for any other line. */
export function reconnectFrom(line: string): number | null {
  const match = RECONNECT.exec(line);
  return match ? Number(match[1]) : null;
}
