/**
 * Registration on the Redis store: the client address's registration rate
 * first (a token is reserved, and given back if the registration is
 * refused), then the room script claims the name.
 */
import type { RedisConnections } from './redis-connection.js';
import { expiryIndexKey, indexMember, registrationKey, roomsKey } from './redis-keys.js';
import { asNumber, asString, asStrings, scripts, type RoomReply, type Script } from './redis-scripts.js';
import { freshPeerName, newToken, tokenDigest } from './tokens.js';
import type { RegisterOutcome, RegisterRequest, StoreLimits } from './store.js';

type Command = RedisConnections['command'];

/** What registration needs of the store. */
export interface RegisterContext {
  limits: StoreLimits;
  cluster: boolean;
  redis: () => Promise<Command>;
  guard: <T>(command: Promise<T>) => Promise<T>;
  runRoom: (script: Script, room: string, args: Array<string | number>) => Promise<RoomReply>;
  countPeers: (redis: Command) => Promise<number>;
  sweep: () => Promise<void>;
  pinnedNow: () => string;
}

/** The registration rate first: a token is reserved, and given back if the registration is refused. */
export async function registerPeer(store: RegisterContext, request: RegisterRequest): Promise<RegisterOutcome> {
  const redis = await store.redis();
  const rate = store.limits.registerRate ?? 0;
  const client = rate > 0 ? request.client : undefined;
  if (client !== undefined) {
    const key = [registrationKey(client)];
    const wait = asNumber(await store.guard(scripts.reserveRegistration.run(redis, key, [rate, store.pinnedNow()])));
    if (wait > 0) return { ok: false, error: 'rate_limited', retryAfterS: wait };
    const outcome = await claim(store, request).catch(async (error: unknown) => {
      await Promise.allSettled([scripts.refundRegistration.run(redis, key, [rate])]);
      throw error;
    });
    if (!outcome.ok) await Promise.allSettled([scripts.refundRegistration.run(redis, key, [rate])]);
    return outcome;
  }
  return await claim(store, request);
}

async function claim(store: RegisterContext, request: RegisterRequest): Promise<RegisterOutcome> {
  const redis = await store.redis();
  let swept = false;
  for (;;) {
    // On a single Redis the script counts the index itself, atomically.
    const serverFull = store.cluster && (await store.guard(store.countPeers(redis))) >= store.limits.maxPeers;
    const token = newToken();
    const digest = tokenDigest(token);
    const candidates = request.name === undefined ? [1, 2, 3, 4].map(() => freshPeerName()) : [];
    const reply = await store.runRoom(scripts.register, request.room, [
      request.name ?? '',
      digest,
      request.meta,
      store.limits.ttlMs,
      store.limits.maxRoomPeers,
      store.limits.rate,
      store.limits.maxPeers,
      serverFull ? '1' : '0',
      ...candidates,
    ]);
    switch (reply.status) {
      case 'retry':
        continue;
      case 'name_taken':
        return { ok: false, error: 'name_taken', retryAfterMs: asNumber(reply.rest[0]) };
      case 'room_full':
        return { ok: false, error: 'room_full' };
      case 'server_full':
        // Peers whose time is up count no more: expire them, and ask once again.
        if (swept) return { ok: false, error: 'server_full' };
        swept = true;
        await store.sweep();
        continue;
    }
    const name = asString(reply.rest[0]);
    // The rooms gauge (and on a cluster the index) live outside the room's
    // slot; losing these writes only delays the sweep to the room's next visit.
    await Promise.allSettled([
      ...(store.cluster ? [redis.zadd(expiryIndexKey, asString(reply.rest[1]), indexMember(request.room, name))] : []),
      redis.hset(roomsKey, request.room, '1'),
    ]);
    return { ok: true, name, token, peers: asStrings(reply.rest[2]) };
  }
}
