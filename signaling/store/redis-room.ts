import { expiryIndexKey, indexMember, roomBase, roomPeersKey } from './redis-keys.js';
import type { RedisConnections } from './redis-connection.js';
import { roomReply, type RoomReply, type Script } from './redis-scripts.js';
import type { Clock, StoreObserver } from './store.js';

/**
 * Runs one room's script: on the room's keys (and on a single Redis the
 * expiry index, which a cluster keeps in its own slot, out of the scripts'
 * reach), at Redis's time or the pinned clock's, with a lost connection
 * reported as the store's 503. What the script did to the room beyond its
 * answer (peers removed, presence messages stored) is settled here.
 */
export class RoomScripts {
  constructor(
    private readonly connections: RedisConnections,
    private readonly cluster: boolean,
    private readonly clock: Clock | undefined,
    private readonly observer: StoreObserver,
  ) {}

  async run(script: Script, room: string, args: Array<string | number>): Promise<RoomReply> {
    const redis = await this.redis();
    const keys = this.cluster ? [roomPeersKey(room)] : [roomPeersKey(room), expiryIndexKey];
    const reply = roomReply(
      await this.guard(script.run(redis, keys, [roomBase(room), room, this.pinnedNow(), ...args])),
    );
    if (reply.removed.length > 0) {
      // A cluster: free the removed peers' places before answering; the sweep drops the entries.
      await Promise.allSettled(
        reply.removed.map(async (name) => await redis.zadd(expiryIndexKey, 'XX', 0, indexMember(room, name))),
      );
    }
    for (let i = 0; i < reply.joined; i++) this.observer.stored?.('peer-joined');
    for (let i = 0; i < reply.left; i++) this.observer.stored?.('peer-left');
    return reply;
  }

  /** The clock's time for the scripts, or '' for Redis TIME. */
  pinnedNow(): string {
    return this.clock === undefined ? '' : String(Math.floor(this.clock.now()));
  }

  async redis(): Promise<RedisConnections['command']> {
    await this.connections.whenUp();
    return this.connections.command;
  }

  async guard<T>(command: Promise<T>): Promise<T> {
    try {
      return await command;
    } catch (error) {
      throw this.connections.failure(error);
    }
  }
}
