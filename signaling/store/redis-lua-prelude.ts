/**
 * The prelude every room script of the Redis store starts with
 * (redis-lua.ts): its keys and time, and the steps several scripts share:
 * appending to a mailbox (which answers a held poll), removing a peer,
 * expiry, acknowledging, taking a response's worth of messages.
 */
import { idempotencyWindowMs, maxMessagesPerPoll } from './store.js';
import { instanceChannelPrefix } from './redis-keys.js';

/**
 * A token bucket as the memory store's (rate-limiter.ts): tokens (stored with
 * three decimals) counted in whole thousandths, so both stores decide alike.
 * Returns the thousandths available now and the whole seconds to wait (0: go).
 */
export const bucketLua = String.raw`
local function bucket (stored, updated, rate)
  local milli = rate * 1000
  if stored then
    milli = math.min(milli, math.floor(tonumber(stored) * 1000 + 0.5) + math.max(0, now - tonumber(updated)) * rate)
  end
  if milli >= 1000 then return milli, 0 end
  return milli, math.max(1, math.ceil((1000 - milli) / (1000 * rate)))
end
`;

/** The time of a script: pinned by ARGV (tests), or Redis TIME. */
export function clockLua(pinned: string): string {
  return String.raw`
local now, now_us
if ${pinned} ~= '' then
  now = tonumber(${pinned})
  now_us = ${pinned} .. '000'
else
  local clock = redis.call('TIME')
  now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
  now_us = clock[1] .. string.rep('0', 6 - #clock[2]) .. clock[2]
end
`;
}

/**
 * KEYS[1] is the room's peers key; KEYS[2], on a single Redis only, the
 * expiry index, so that a peer's place in the server's count is taken and
 * freed in the same atomic step as the peer itself. A cluster keeps the index
 * in another slot: there the scripts list the peers they removed and the
 * store marks them in the index right after, before it answers.
 *
 * ARGV[1] is the room's key base (`sig:{room}:`), ARGV[2] the room name,
 * ARGV[3] a pinned time in ms ('' for Redis TIME; tests pin it to move time by
 * hand). The prelude takes ARGV[3] out, so each script's own arguments start
 * at ARGV[3].
 */
export const prelude = String.raw`
local base = ARGV[1]
local room = ARGV[2]
local pinned = table.remove(ARGV, 3)
${clockLua('pinned')}
local index = KEYS[2]
local peers_key = base .. 'peers'
local room_key = base .. 'room'
local tokens_key = base .. 'tokens'
local joined, left, removed = 0, 0, {}

local function int (x) return string.format('%d', x) end
local function pkey (name) return base .. 'p:' .. name end
local function mkey (name) return base .. 'm:' .. name end
local function ikey (name) return base .. 'i:' .. name end
local function itkey (name) return base .. 'it:' .. name end
local function ujkey (name) return base .. 'uj:' .. name end

${bucketLua}

-- The seq at the head of a mailbox entry.
local function seq_of (entry) return tonumber(string.match(entry, '^(%d+)')) end

-- Tells the instance holding a poll to release it empty (r).
local function signal (instance, kind, name, poll)
  redis.call('PUBLISH', '${instanceChannelPrefix}' .. instance, kind .. '\n' .. room .. '\n' .. name .. '\n' .. poll)
end

-- Up to one response of messages, and the highest seq delivered before, so the
-- caller can time first deliveries.
local function take (name)
  local p = pkey(name)
  local m = mkey(name)
  local items = redis.call('LRANGE', m, 0, ${maxMessagesPerPoll - 1})
  local prev = tonumber(redis.call('HGET', p, 'dlv') or '0')
  if #items > 0 then
    local last = seq_of(items[#items])
    if last > prev then redis.call('HSET', p, 'dlv', int(last)) end
  end
  return {joined, left, removed, 'messages', int(prev), now_us, items}
end

local function append (name, kind, from, data)
  local p = pkey(name)
  local seq = redis.call('HINCRBY', p, 'seq', 1)
  local entry = int(seq) .. '\n' .. kind .. '\n' .. from .. '\n' .. int(now) .. '\n' .. now_us .. '\n' .. data
  redis.call('RPUSH', mkey(name), entry)
  local h = redis.call('HMGET', p, 'held', 'heldBy', 'hx')
  if h[1] and h[1] ~= '' then
    -- The hold ends here and its answer travels in the wake-up: the holder
    -- runs no script of its own, and the mailbox keeps the messages until
    -- the next poll acknowledges them (a wake-up lost on the way costs a
    -- poll, never a message).
    redis.call('HSET', p, 'held', '', 'heldBy', '', 'exp', int(now + tonumber(h[3])))
    local answer = take(name)
    redis.call('PUBLISH', '${instanceChannelPrefix}' .. h[2],
      'd\n' .. room .. '\n' .. name .. '\n' .. h[1] .. '\n' .. cjson.encode({answer[5], answer[6], answer[7]}))
  end
  return seq, entry
end

local function remove (name, reason)
  local p = pkey(name)
  local f = redis.call('HMGET', p, 'digest', 'held', 'heldBy')
  redis.call('DEL', p, mkey(name), ikey(name), itkey(name), ujkey(name))
  redis.call('ZREM', peers_key, name)
  if index then redis.call('ZREM', index, room .. '\n' .. name) else table.insert(removed, name) end
  if f[1] then redis.call('HDEL', tokens_key, f[1]) end
  if f[2] and f[2] ~= '' then signal(f[3], 'r', name, f[2]) end
  local others = redis.call('ZRANGE', peers_key, 0, -1)
  if #others == 0 then
    redis.call('DEL', room_key, tokens_key)
  else
    local data = '{"reason":"' .. reason .. '"}'
    for _, other in ipairs(others) do
      -- Its peer-joined still unseen there, and nothing else from it: withdraw that, announce nothing.
      local entry = redis.call('HGET', ujkey(other), name)
      local withdrawn = false
      if entry then
        redis.call('HDEL', ujkey(other), name)
        local dlv = tonumber(redis.call('HGET', pkey(other), 'dlv') or '0')
        withdrawn = seq_of(entry) > dlv and redis.call('LREM', mkey(other), 1, entry) == 1
      end
      if not withdrawn then
        append(other, 'peer-left', name, data)
        left = left + 1
      end
    end
  end
end

-- True when the peer is not live: absent, or due and expired right now.
-- A held poll keeps exp at or past its deadline plus the ttl, so it never expires here.
local function gone (name)
  local e = redis.call('HGET', pkey(name), 'exp')
  if not e then return true end
  if tonumber(e) > now then return false end
  remove(name, 'expired')
  return true
end

local function expire_room ()
  for _, name in ipairs(redis.call('ZRANGE', peers_key, 0, -1)) do gone(name) end
end

-- Seqs increase along the mailbox but may skip (a withdrawn peer-joined):
-- without gaps the entry at index after - first is seq after; step back over gaps.
local function acknowledge (name, after)
  local m = mkey(name)
  local head = redis.call('LINDEX', m, 0)
  if not head then return end
  local n = math.min(after - seq_of(head) + 1, redis.call('LLEN', m))
  while n > 0 and seq_of(redis.call('LINDEX', m, n - 1)) > after do n = n - 1 end
  if n <= 0 then return end
  redis.call('LTRIM', m, n, -1)
end

-- Forgets idempotency keys both older than the window and acknowledged, oldest first.
local function forget_old (name)
  local head = redis.call('LINDEX', mkey(name), 0)
  local first
  if head then first = seq_of(head) else first = tonumber(redis.call('HGET', pkey(name), 'seq')) + 1 end
  local olds = redis.call('ZRANGE', itkey(name), 0, 49, 'WITHSCORES')
  for i = 1, #olds, 2 do
    local field = olds[i]
    if tonumber(olds[i + 1]) + ${idempotencyWindowMs} > now then return end
    local seq = tonumber(redis.call('HGET', ikey(name), field) or '0')
    if seq >= first then return end
    redis.call('HDEL', ikey(name), field)
    redis.call('ZREM', itkey(name), field)
  end
end
`;
