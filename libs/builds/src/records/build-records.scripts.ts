/**
 * Lua scripts, so that claiming a coalescing key and writing the record, or
 * finishing a build and releasing its claim, happen as one step.
 */

/**
 * KEYS: claim, record, user index, file, user's active set, build intake,
 *       credentials.
 * ARGV: record key prefix, build id, ttl seconds, created at, file, has file,
 *       cap on the user's queued + running builds (0: none), the record as one
 *       JSON array of fields and values: one argument rather than two a field,
 *       since the client serialises a command argument by argument (on the
 *       accept path that was ~10 % of the API's CPU per request), '1' to hand
 *       the build to the intake (workers move it into the queue), the
 *       credentials to keep beside it ('' for none).
 * Returns {'joined', id} for an identical build in flight, {'limited', count}
 * when the user is at the cap, {'created', id, size of the active set with it}
 * otherwise.
 */
export const CLAIM_SCRIPT = `
local existing = redis.call('GET', KEYS[1])
if existing then
  local state = redis.call('HGET', ARGV[1] .. existing, 'state')
  if state == 'queued' or state == 'running' then return {'joined', existing} end
end
local cap = tonumber(ARGV[7])
if cap > 0 then
  local active = 0
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[5])) do
    local state = redis.call('HGET', ARGV[1] .. id, 'state')
    if state == 'queued' or state == 'running' then active = active + 1 else redis.call('SREM', KEYS[5], id) end
  end
  if active >= cap then return {'limited', tostring(active)} end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
redis.call('HSET', KEYS[2], unpack(cjson.decode(ARGV[8])))
redis.call('EXPIRE', KEYS[2], ARGV[3])
if ARGV[6] == '1' then redis.call('SET', KEYS[4], ARGV[5], 'EX', ARGV[3]) end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[3])
redis.call('SADD', KEYS[5], ARGV[2])
redis.call('EXPIRE', KEYS[5], ARGV[3])
local inFlight = redis.call('SCARD', KEYS[5])
if ARGV[10] ~= '' then redis.call('SET', KEYS[7], ARGV[10], 'EX', ARGV[3]) end
if ARGV[9] == '1' then redis.call('XADD', KEYS[6], '*', 'id', ARGV[2], 'inFlight', inFlight) end
return {'created', ARGV[2], inFlight}
`;

/**
 * KEYS: the identical requests' answer of the last minute, record, user index.
 * ARGV: record key prefix, build id, ttl seconds, created at, digest, the
 *       record as one JSON array of fields and values (as CLAIM_SCRIPT takes it).
 * Returns the answer: the last minute's record itself (its fields, as HGETALL
 * gives them) when it is that image, else the id of the one stored now. One
 * step, so a burst stores one record and its answers need no second read.
 */
export const SAVE_EXISTING_SCRIPT = `
local known = redis.call('GET', KEYS[1])
if known then
  local fields = redis.call('HMGET', ARGV[1] .. known, 'state', 'digest')
  if fields[1] == 'succeeded' and fields[2] == ARGV[5] then return redis.call('HGETALL', ARGV[1] .. known) end
end
redis.call('HSET', KEYS[2], unpack(cjson.decode(ARGV[6])))
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[3])
redis.call('SET', KEYS[1], ARGV[2], 'EX', 60)
return ARGV[2]
`;

/** KEYS: record. ARGV: started at. Returns 1 when the build may run. */
export const START_SCRIPT = `
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'queued' then
  redis.call('HSET', KEYS[1], 'state', 'running', 'startedAt', ARGV[1])
  return 1
end
if state == 'running' then return 1 end
return 0
`;

/**
 * KEYS: record, claim, user's active set, dependency file, credentials, log. ARGV: state, finished at, reason,
 * message, digest, log tail, build id, ttl seconds. The first time only (a build's result is reported once) ends the
 * log with the state, so whoever sees the build finished finds its log ended too, and returns the finished record's
 * fields, having dropped what only a build in flight needs; 0 after that.
 */
export const FINISH_SCRIPT = `
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'queued' and state ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'finishedAt', ARGV[2], 'reason', ARGV[3],
  'message', ARGV[4], 'digest', ARGV[5], 'logTail', ARGV[6])
if redis.call('GET', KEYS[2]) == ARGV[7] then redis.call('DEL', KEYS[2]) end
redis.call('SREM', KEYS[3], ARGV[7])
redis.call('DEL', KEYS[4], KEYS[5])
redis.call('XADD', KEYS[6], '*', 'end', ARGV[1])
redis.call('EXPIRE', KEYS[6], ARGV[8])
return redis.call('HGETALL', KEYS[1])
`;
