/** Field, value, field, value… as Redis answers a hash (HGETALL in a script) or a stream entry: one object. */
export function fieldPairs(flat: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  return fields;
}
