/**
 * Lua scripts of the per-user running cap (MAX_RUNNING_BUILDS_PER_USER), so
 * that checking the count and taking a slot, or freeing a slot and picking
 * the build that waits for it, happen as one step across workers.
 */

/**
 * KEYS: the user's running set. ARGV: build id, cap, record key prefix, ttl seconds.
 * Returns 1 when the build holds a slot (already held: a build taken over
 * after its worker died), 0 when the user is at the cap. Members whose
 * record has finished or expired are dropped before the count is trusted.
 */
export const ACQUIRE_SCRIPT = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
local cap = tonumber(ARGV[2])
if redis.call('SCARD', KEYS[1]) >= cap then
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    local state = redis.call('HGET', ARGV[3] .. id, 'state')
    if state ~= 'queued' and state ~= 'running' then redis.call('SREM', KEYS[1], id) end
  end
  if redis.call('SCARD', KEYS[1]) >= cap then return 0 end
end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
`;

/**
 * KEYS: the user's running set, the user's parked builds. ARGV: queue job id, cap, now, ttl seconds.
 * Called once the job waits as delayed. Returns 1 when a slot came free in
 * between (the job should wake at once), 0 when it stays parked until a
 * release picks it.
 */
export const PARK_SCRIPT = `
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[4])
if redis.call('SCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 1
end
return 0
`;

/**
 * KEYS: the user's running set, the user's parked builds. ARGV: build id.
 * Frees the build's slot and returns the queue job id of the build parked
 * longest, to wake, or false when none waits.
 */
export const RELEASE_SCRIPT = `
redis.call('SREM', KEYS[1], ARGV[1])
local next = redis.call('ZPOPMIN', KEYS[2])
if next[1] then return next[1] end
return false
`;

/** KEYS: the user's parked builds. Returns the queue job id parked longest, or false. */
export const NEXT_PARKED_SCRIPT = `
local next = redis.call('ZPOPMIN', KEYS[1])
if next[1] then return next[1] end
return false
`;
