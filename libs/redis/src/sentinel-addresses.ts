/** `host:port,host:port` (REDIS_SENTINELS, already validated) as ioredis wants it. */
export function sentinelAddresses(list: string): { host: string; port: number }[] {
  return list.split(',').map((entry) => {
    const at = entry.lastIndexOf(':');
    return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
  });
}
