/**
 * Finds expired peers for every instance at once. The expiry index holds, per
 * peer, a time before which it cannot expire; scores only lag behind the
 * truth (a poll pushes expiry later without touching the index), so each
 * instance looks at the entries that have come due and asks the room script,
 * which decides atomically. Several instances may look at the same peer; only
 * one script finds it due and removes it, so peer-left is announced once.
 */
import type { RedisClient } from './redis-connection.js';
import { expiryIndexKey, parseIndexMember, roomsKey } from './redis-keys.js';
import { asNumber, asString, asStrings, scripts, type RoomReply } from './redis-scripts.js';

/** At most this many batches of 100 per sweep, so one sweep cannot run away. */
const maxBatches = 10;

export interface SweepDeps {
  redis: RedisClient;
  ttlMs: number;
  /** A pinned time in ms, or '' for Redis TIME. */
  pinnedNow: () => string;
  /** Runs a room script (mapping failures, counting presence messages). */
  runRoom: (script: typeof scripts.check, room: string, args: Array<string | number>) => Promise<RoomReply>;
}

export async function sweepOnce({ redis, ttlMs, pinnedNow, runRoom }: SweepDeps): Promise<void> {
  for (let batch = 0; batch < maxBatches; batch++) {
    const flat = asStrings(await scripts.candidates.run(redis, [expiryIndexKey], [pinnedNow()]));
    const entries: Array<[string, string]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push([flat[i] ?? '', flat[i + 1] ?? '']);
    await Promise.all(
      entries.map(async ([member, score]) => {
        await checkEntry(redis, ttlMs, runRoom, member, score);
      }),
    );
    if (entries.length < 100) return;
  }
}

async function checkEntry(
  redis: RedisClient,
  ttlMs: number,
  runRoom: SweepDeps['runRoom'],
  member: string,
  score: string,
): Promise<void> {
  const where = parseIndexMember(member);
  if (where === undefined) {
    await scripts.unindex.run(redis, [expiryIndexKey], [member, score]);
    return;
  }
  const reply = await runRoom(scripts.check, where.room, [where.peer, ttlMs]);
  if (reply.status === 'due') {
    await redis.zadd(expiryIndexKey, 'XX', asString(reply.rest[0]), member);
    return;
  }
  await scripts.unindex.run(redis, [expiryIndexKey], [member, score]);
  if (asNumber(reply.rest[0]) === 0) await redis.hdel(roomsKey, where.room);
}
