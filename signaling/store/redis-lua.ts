/**
 * The Lua behind the Redis store. Each room script runs atomically inside the
 * room's slot, so two instances can never both claim a name, both expire a
 * peer, or give two messages the same seq.
 *
 * Time is Redis TIME, read inside each script: one clock for every instance,
 * whatever their hosts' clocks say. Numbers are written with string.format,
 * because Redis turns Lua numbers into text in a float format.
 *
 * Every room script answers {joined, left, removed, status, ...}: how many
 * peer-joined and peer-left messages it stored (for the messages counter), the
 * peers it removed while the index was out of its reach (on a cluster), then
 * its result.
 */
import { bucketLua, clockLua, prelude } from './redis-lua-prelude.js';

/**
 * ARGV: name ('' to pick one of the candidates), digest, meta, ttl,
 * maxRoomPeers, rate, maxPeers, serverFull (the store's own count, on a
 * cluster), candidates...
 */
export const registerLua =
  prelude +
  String.raw`
expire_room()
local name = ARGV[3]
local ttl = tonumber(ARGV[6])
if name ~= '' then
  local h = redis.call('HMGET', pkey(name), 'exp', 'held', 'hd')
  if h[1] then
    local wait
    if h[2] and h[2] ~= '' then wait = math.max(0, tonumber(h[3]) - now) + ttl
    else wait = math.max(0, tonumber(h[1]) - now) end
    return {joined, left, removed, 'name_taken', int(wait)}
  end
end
if redis.call('ZCARD', peers_key) >= tonumber(ARGV[7]) then return {joined, left, removed, 'room_full'} end
if index then
  if redis.call('ZCARD', index) >= tonumber(ARGV[9]) then return {joined, left, removed, 'server_full'} end
elseif ARGV[10] == '1' then
  return {joined, left, removed, 'server_full'}
end
if name == '' then
  for i = 11, #ARGV do
    if redis.call('EXISTS', pkey(ARGV[i])) == 0 then name = ARGV[i] break end
  end
  if name == '' then return {joined, left, removed, 'retry'} end
end
local peers = redis.call('ZRANGE', peers_key, 0, -1)
local data = '{"meta":' .. ARGV[5] .. '}'
for _, other in ipairs(peers) do
  local _, entry = append(other, 'peer-joined', name, data)
  redis.call('HSET', ujkey(other), name, entry)
  joined = joined + 1
end
local order = redis.call('HINCRBY', room_key, 'n', 1)
redis.call('ZADD', peers_key, int(order), name)
redis.call('HSET', tokens_key, ARGV[4], name)
redis.call('HSET', pkey(name), 'digest', ARGV[4], 'joinedAt', int(now), 'meta', ARGV[5], 'seq', '0',
  'exp', int(now + ttl), 'held', '', 'bt', ARGV[8], 'bu', int(now), 'dlv', '0')
if index then redis.call('ZADD', index, int(now + ttl), room .. '\n' .. name) end
return {joined, left, removed, 'ok', name, int(now + ttl), peers}
`;

/** ARGV: token digest. */
export const identifyLua =
  prelude +
  String.raw`
local name = redis.call('HGET', tokens_key, ARGV[3])
if not name or gone(name) then return {joined, left, removed, 'none'} end
return {joined, left, removed, 'ok', name}
`;

/**
 * ARGV: the digest of the sender's token, to, type, data, idempotency key (''
 * for none), maxQueue, rate. The protocol's order: the token, a repeat, the
 * sender's rate, the recipient, its backlog.
 */
export const sendLua =
  prelude +
  String.raw`
local from, to = redis.call('HGET', tokens_key, ARGV[3]), ARGV[4]
if not from or gone(from) then return {joined, left, removed, 'unauthorized'} end
local missing = gone(to)
local field = nil
if ARGV[7] ~= '' then field = from .. '\n' .. ARGV[7] end
if field and not missing then
  forget_old(to)
  local first = redis.call('HGET', ikey(to), field)
  if first then return {joined, left, removed, 'repeat', tonumber(first)} end
end
local b = redis.call('HMGET', pkey(from), 'bt', 'bu')
local milli, wait = bucket(b[1], b[2], tonumber(ARGV[9]))
if wait > 0 then return {joined, left, removed, 'rate_limited', wait} end
if missing then return {joined, left, removed, 'peer_not_found'} end
if redis.call('LLEN', mkey(to)) >= tonumber(ARGV[8]) then return {joined, left, removed, 'mailbox_full'} end
redis.call('HSET', pkey(from), 'bt', string.format('%.3f', (milli - 1000) / 1000), 'bu', int(now))
local seq = append(to, ARGV[5], from, ARGV[6])
redis.call('HDEL', ujkey(to), from)
if field then
  redis.call('HSET', ikey(to), field, int(seq))
  redis.call('ZADD', itkey(to), int(now), field)
end
return {joined, left, removed, 'ok', seq}
`;

/**
 * ARGV: peer, after, timeoutMs, poll id, instance id, ttl, lease slack, the
 * digest of the token presented ('' for none: the caller has checked it).
 * Acknowledges, releases an older held poll wherever it is held, then either
 * answers at once or records this poll as held by this instance. While held,
 * exp sits at the hold's deadline plus ttl plus slack: the peer stays alive
 * whichever instance holds the poll, and if that instance dies the peer
 * expires as if the poll had run to its deadline.
 */
export const pollLua =
  prelude +
  String.raw`
local name = ARGV[3]
if gone(name) then return {joined, left, removed, 'unauthorized'} end
local p = pkey(name)
if ARGV[10] ~= '' and redis.call('HGET', p, 'digest') ~= ARGV[10] then return {joined, left, removed, 'unauthorized'} end
local after = tonumber(ARGV[4])
if after > tonumber(redis.call('HGET', p, 'seq')) then return {joined, left, removed, 'invalid_cursor'} end
acknowledge(name, after)
local h = redis.call('HMGET', p, 'held', 'heldBy')
if h[1] and h[1] ~= '' then signal(h[2], 'r', name, h[1]) end
local timeout = tonumber(ARGV[5])
local ttl = tonumber(ARGV[8])
if timeout == 0 or redis.call('LLEN', mkey(name)) > 0 then
  redis.call('HSET', p, 'held', '', 'heldBy', '', 'exp', int(now + ttl))
  return take(name)
end
redis.call('HSET', p, 'held', ARGV[6], 'heldBy', ARGV[7], 'hd', int(now + timeout), 'hx', int(ttl),
  'exp', int(now + timeout + ttl + tonumber(ARGV[9])))
return {joined, left, removed, 'held'}
`;

/** ARGV: peer, poll id, deliver ('1' or '0'), ttl. Ends a held poll if it is still the held one. */
export const endPollLua =
  prelude +
  String.raw`
local p = pkey(ARGV[3])
local held = redis.call('HGET', p, 'held')
if not held or held ~= ARGV[4] then return {joined, left, removed, 'released'} end
redis.call('HSET', p, 'held', '', 'heldBy', '', 'exp', int(now + tonumber(ARGV[6])))
if ARGV[5] == '1' then return take(ARGV[3]) end
return {joined, left, removed, 'ended'}
`;

/** ARGV: peer, poll id. After a lost subscription: is the poll still held, and is mail waiting? */
export const recheckLua =
  prelude +
  String.raw`
local held = redis.call('HGET', pkey(ARGV[3]), 'held')
if not held or held ~= ARGV[4] then return {joined, left, removed, 'released'} end
if redis.call('LLEN', mkey(ARGV[3])) > 0 then return {joined, left, removed, 'ready'} end
return {joined, left, removed, 'waiting'}
`;

/** ARGV: peer. */
export const leaveLua =
  prelude +
  String.raw`
if redis.call('EXISTS', pkey(ARGV[3])) == 0 then return {joined, left, removed, 'absent'} end
remove(ARGV[3], 'left')
return {joined, left, removed, 'ok'}
`;

/** ARGV: the viewer ('' for none), who has now seen every live peer, so each must be seen to leave. */
export const listLua =
  prelude +
  String.raw`
expire_room()
if ARGV[3] ~= '' then redis.call('DEL', ujkey(ARGV[3])) end
local out = {}
for _, name in ipairs(redis.call('ZRANGE', peers_key, 0, -1)) do
  local f = redis.call('HMGET', pkey(name), 'joinedAt', 'meta')
  table.insert(out, name)
  table.insert(out, f[1])
  table.insert(out, f[2])
end
return {joined, left, removed, 'ok', out}
`;

/**
 * ARGV: peer, ttl. The sweep's check of one peer the expiry index says may be
 * due: expires it (only one instance's check can), or says when to look again
 * (a lower bound of its expiry), or that it is gone. Also the room's size.
 */
export const checkLua =
  prelude +
  String.raw`
local h = redis.call('HMGET', pkey(ARGV[3]), 'exp', 'held')
if not h[1] then return {joined, left, removed, 'gone', redis.call('ZCARD', peers_key)} end
if tonumber(h[1]) <= now then
  remove(ARGV[3], 'expired')
  return {joined, left, removed, 'expired', redis.call('ZCARD', peers_key)}
end
if h[2] and h[2] ~= '' then return {joined, left, removed, 'due', int(math.min(tonumber(h[1]), now + tonumber(ARGV[4])))} end
return {joined, left, removed, 'due', h[1]}
`;

/** KEYS[1]: the expiry index; ARGV[1]: a pinned time ('' for TIME). Members whose score has passed, with their scores. */
export const candidatesLua = String.raw`
${clockLua('ARGV[1]')}
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now), 'WITHSCORES', 'LIMIT', 0, 100)
`;

/**
 * KEYS[1]: the expiry index; ARGV: member, the score it was read with.
 * Removes the entry only if nobody re-registered the name since.
 */
export const unindexLua = String.raw`
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0
`;

/**
 * KEYS[1]: one client address's registration bucket; ARGV: rate, a pinned
 * time ('' for TIME). Takes a token (answers 0) or answers the seconds to
 * wait. The key lapses once the bucket would be full again (an hour under a
 * pinned clock, whose time does not pass on its own).
 */
export const reserveRegistrationLua = String.raw`
${clockLua('ARGV[2]')}
${bucketLua}
local rate = tonumber(ARGV[1])
local b = redis.call('HMGET', KEYS[1], 't', 'u')
local milli, wait = bucket(b[1], b[2], rate)
if wait > 0 then return wait end
redis.call('HSET', KEYS[1], 't', string.format('%.3f', (milli - 1000) / 1000), 'u', string.format('%d', now))
if ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], 3600000)
else redis.call('PEXPIRE', KEYS[1], math.ceil((rate * 1000 - milli + 1000) / rate) + 1) end
return 0
`;

/**
 * KEYS[1]: a registration bucket; ARGV: rate. Gives back the token of a
 * registration that was refused; a bucket full again is as good as none.
 */
export const refundRegistrationLua = String.raw`
local t = redis.call('HGET', KEYS[1], 't')
if t then
  local cap = tonumber(ARGV[1]) * 1000
  local milli = math.min(cap, math.floor(tonumber(t) * 1000 + 0.5) + 1000)
  if milli >= cap then redis.call('DEL', KEYS[1])
  else redis.call('HSET', KEYS[1], 't', string.format('%.3f', milli / 1000)) end
end
return 0
`;
