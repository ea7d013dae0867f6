import type { Redis } from 'ioredis';

/**
 * Disconnects `redis` unless it has ended already. Every disconnect() of
 * ioredis arms a 2 s timer that only the socket's close clears; a connection
 * that has ended (status `end`, set as its socket closed) never closes again,
 * so a second disconnect would leave that timer holding the process open.
 */
export function endConnection(redis: Redis): void {
  if (redis.status !== 'end') redis.disconnect();
}
