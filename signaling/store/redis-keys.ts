/**
 * Key and channel names of the Redis store. Every key of a room starts with
 * `sig:{room}:`: the braces make the room a hash tag, so all of a room's keys
 * live in one Redis Cluster slot and one Lua script may touch them together.
 * Names are `[A-Za-z0-9._-]`, so they can hold neither braces nor newlines.
 *
 * Per room (`sig:{room}:` + ...):
 *   peers      ZSET  name -> join order (list and presence fan-out, oldest first)
 *   room       HASH  n: the join counter behind that order
 *   tokens     HASH  token digest -> name
 *   p:<name>   HASH  one peer: digest, joinedAt, meta, seq (last given), exp,
 *                    held/heldBy/hd/hx (the held poll; hx the ttl once it ends), bt/bu (rate bucket), dlv
 *   m:<name>   LIST  the mailbox; seqs increase but may skip (a withdrawn peer-joined)
 *   i:<name>   HASH  idempotency: sender + "\n" + key -> seq
 *   it:<name>  ZSET  the same fields by first-send time, oldest first
 *   uj:<name>  HASH  joiner -> its peer-joined entry in m:<name>, while the joiner
 *                    has sent nothing here: withdrawn if it leaves unseen
 *
 * Outside any room (their own slots on a cluster; never touched by room scripts):
 *   sig:expiry ZSET  "room\npeer" -> a lower bound of when the peer may expire
 *   sig:rooms  HASH  room -> 1, for the rooms gauge
 *   sig:reg:<client address>  HASH  that address's registration bucket (t, u); lapses when full
 */

export const expiryIndexKey = 'sig:expiry';
export const roomsKey = 'sig:rooms';

export function registrationKey(client: string): string {
  return `sig:reg:${client}`;
}

/** Pub/sub is not scoped by database, so channels are named per instance id (random). */
export const instanceChannelPrefix = 'sig:i:';

export function roomBase(room: string): string {
  return `sig:{${room}}:`;
}

/** The key each room script declares, so a cluster client routes it to the room's slot. */
export function roomPeersKey(room: string): string {
  return `${roomBase(room)}peers`;
}

export function instanceChannel(instanceId: string): string {
  return instanceChannelPrefix + instanceId;
}

export function indexMember(room: string, peer: string): string {
  return `${room}\n${peer}`;
}

export function parseIndexMember(member: string): { room: string; peer: string } | undefined {
  const cut = member.indexOf('\n');
  if (cut <= 0) return undefined;
  return { room: member.slice(0, cut), peer: member.slice(cut + 1) };
}
