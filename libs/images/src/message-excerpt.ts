const MAX_EXCERPT_LENGTH = 64;

/**
 * A caller's value, made safe to echo inside an error message: double-quoted,
 * anything outside printable ASCII shown as '?', and cut to a short length so a
 * hostile value can neither forge log lines nor flood a response.
 */
export function messageExcerpt(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  const short =
    printable.length > MAX_EXCERPT_LENGTH ? `${printable.slice(0, MAX_EXCERPT_LENGTH)}...` : printable;
  return JSON.stringify(short);
}
