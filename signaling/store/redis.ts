/**
 * The shared store: rooms, peers and mailboxes in Redis, so several service
 * instances behind a load balancer behave as one. Each protocol step that must
 * be atomic is one Lua script on the room's keys (redis-lua.ts); a held poll
 * lives in the instance that holds it and is woken through that instance's
 * pub/sub channel by whichever instance stored the message.
 *
 * Why a channel per instance rather than per room or per mailbox: the poll
 * script records which instance holds the poll, so the script that stores a
 * message publishes to exactly that instance. Each instance subscribes once
 * for its life; there is no SUBSCRIBE per poll, no race between subscribing
 * and checking the mailbox, and no fan-out of wake-ups to instances that hold
 * nothing in the room.
 */
import { randomBytes } from 'node:crypto';
import { clusterSeed, RedisConnections } from './redis-connection.js';
import { HeldPolls, type HeldPoll, type PollSignal } from './redis-held-polls.js';
import {
  expiryIndexKey,
  indexMember,
  instanceChannel,
  registrationKey,
  roomBase,
  roomPeersKey,
  roomsKey,
} from './redis-keys.js';
import { asNumber, asString, asStrings, roomReply, scripts, type RoomReply, type Script } from './redis-scripts.js';
import { parseEntry } from './redis-entry.js';
import { sweepOnce } from './redis-sweep.js';
import { newToken, tokenDigest } from './tokens.js';
import {
  sweepIntervalMs,
  type Clock,
  type PeerSummary,
  type PollOutcome,
  type PollRequest,
  type RegisterOutcome,
  type RegisterRequest,
  type SendOutcome,
  type SendRequest,
  type Store,
  type StoreLimits,
  type StoreObserver,
  type StoreStats,
  type StoredMessage,
} from './store.js';

/**
 * How long past a hold's deadline plus the ttl a peer stays alive when the
 * instance holding its poll dies: room for the holder to end the poll late.
 */
const leaseSlackMs = 5000;

/** How long /readyz waits for Redis to answer a PING. */
const readyPingMs = 1000;

export interface RedisStoreOptions {
  /** redis://host:port/db (or rediss://). */
  url: string;
  limits: StoreLimits;
  observer?: StoreObserver;
  /**
   * Pins the scripts' time to this clock instead of Redis TIME. For tests that
   * move time by hand; several instances must share Redis's clock instead.
   */
  clock?: Clock;
}

function randomId(): string {
  return randomBytes(9).toString('base64url');
}

export class RedisStore implements Store {
  private readonly limits: StoreLimits;
  private readonly observer: StoreObserver;
  private readonly instanceId = randomId();
  private readonly polls = new HeldPolls();
  private readonly connections: RedisConnections;
  private readonly sweeper: NodeJS.Timeout;
  private readonly endings = new Set<Promise<unknown>>();
  /** On a cluster the expiry index lives in its own slot, out of the room scripts' reach. */
  private readonly cluster: boolean;
  private readonly clock: Clock | undefined;
  private sweeping: Promise<void> | undefined;
  private closed = false;
  private lastStats = { peers: 0, rooms: 0 };

  constructor(options: RedisStoreOptions) {
    this.limits = options.limits;
    this.observer = options.observer ?? {};
    this.cluster = clusterSeed(options.url) !== undefined;
    this.clock = options.clock;
    this.connections = new RedisConnections(
      options.url,
      instanceChannel(this.instanceId),
      (message) => {
        this.polls.dispatch(message);
      },
      () => {
        void this.recheckHeld();
      },
    );
    this.sweeper = setInterval(() => {
      if (this.sweeping === undefined) void this.sweep();
    }, sweepIntervalMs);
    this.sweeper.unref();
  }

  /** The registration rate first: a token is reserved, and given back if the registration is refused. */
  async register(request: RegisterRequest): Promise<RegisterOutcome> {
    const redis = await this.redis();
    const rate = this.limits.registerRate ?? 0;
    const client = rate > 0 ? request.client : undefined;
    if (client !== undefined) {
      const key = [registrationKey(client)];
      const wait = asNumber(await this.guard(scripts.reserveRegistration.run(redis, key, [rate, this.pinnedNow()])));
      if (wait > 0) return { ok: false, error: 'rate_limited', retryAfterS: wait };
      const outcome = await this.claim(request).catch(async (error: unknown) => {
        await Promise.allSettled([scripts.refundRegistration.run(redis, key, [rate])]);
        throw error;
      });
      if (!outcome.ok) await Promise.allSettled([scripts.refundRegistration.run(redis, key, [rate])]);
      return outcome;
    }
    return await this.claim(request);
  }

  private async claim(request: RegisterRequest): Promise<RegisterOutcome> {
    const redis = await this.redis();
    let swept = false;
    for (;;) {
      // On a single Redis the script counts the index itself, atomically.
      const serverFull = this.cluster && (await this.guard(this.countPeers(redis))) >= this.limits.maxPeers;
      const token = newToken();
      const digest = tokenDigest(token);
      const candidates = request.name === undefined ? [1, 2, 3, 4].map(() => freshName()) : [];
      const reply = await this.runRoom(scripts.register, request.room, [
        request.name ?? '',
        digest,
        request.meta,
        this.limits.ttlMs,
        this.limits.maxRoomPeers,
        this.limits.rate,
        this.limits.maxPeers,
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
          await this.sweep();
          continue;
      }
      const name = asString(reply.rest[0]);
      // The rooms gauge (and on a cluster the index) live outside the room's
      // slot; losing these writes only delays the sweep to the room's next visit.
      await Promise.allSettled([
        ...(this.cluster ? [redis.zadd(expiryIndexKey, asString(reply.rest[1]), indexMember(request.room, name))] : []),
        redis.hset(roomsKey, request.room, '1'),
      ]);
      return { ok: true, name, token, peers: asStrings(reply.rest[2]) };
    }
  }

  async identify(room: string, token: string): Promise<string | undefined> {
    const reply = await this.runRoom(scripts.identify, room, [tokenDigest(token)]);
    return reply.status === 'ok' ? asString(reply.rest[0]) : undefined;
  }

  async send(request: SendRequest): Promise<SendOutcome> {
    const reply = await this.runRoom(scripts.send, request.room, [
      request.from,
      request.to,
      request.type,
      request.data,
      request.idempotencyKey ?? '',
      this.limits.maxQueue,
      this.limits.rate,
    ]);
    switch (reply.status) {
      case 'ok':
        this.observer.stored?.(request.type);
        return { ok: true, seq: asNumber(reply.rest[0]) };
      case 'repeat':
        return { ok: true, seq: asNumber(reply.rest[0]) };
      case 'rate_limited':
        return { ok: false, error: 'rate_limited', retryAfterS: asNumber(reply.rest[0]) };
      case 'mailbox_full':
        return { ok: false, error: 'mailbox_full' };
      default:
        return { ok: false, error: 'peer_not_found' };
    }
  }

  async poll(request: PollRequest): Promise<PollOutcome> {
    const pollId = randomId();
    const timeoutMs = request.signal.aborted ? 0 : request.timeoutMs;
    const held = this.polls.open(request.room, request.peer, pollId);
    let reply: RoomReply;
    try {
      reply = await this.runRoom(scripts.poll, request.room, [
        request.peer,
        request.after,
        timeoutMs,
        pollId,
        this.instanceId,
        this.limits.ttlMs,
        leaseSlackMs,
      ]);
    } catch (error) {
      this.polls.close(pollId);
      throw error;
    }
    if (reply.status === 'held') return await this.hold(held, request, timeoutMs);
    this.polls.close(pollId);
    switch (reply.status) {
      case 'messages':
        return { ok: true, messages: this.messages(reply) };
      case 'invalid_cursor':
        return { ok: false, error: 'invalid_cursor' };
      default:
        return { ok: false, error: 'unauthorized' };
    }
  }

  async leave(room: string, peer: string): Promise<boolean> {
    const reply = await this.runRoom(scripts.leave, room, [peer]);
    return reply.status === 'ok';
  }

  async list(room: string, viewer?: string): Promise<PeerSummary[]> {
    const reply = await this.runRoom(scripts.list, room, [viewer ?? '']);
    const flat = asStrings(reply.rest[0]);
    const peers: PeerSummary[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      peers.push({ name: flat[i] ?? '', joinedAt: asNumber(flat[i + 1]), meta: flat[i + 2] ?? '{}' });
    }
    return peers;
  }

  /** Peers and rooms of the whole deployment (every instance reports the same); polls held here. */
  async stats(): Promise<StoreStats> {
    if (this.connections.up()) {
      const redis = this.connections.command;
      try {
        const [peers, rooms] = await Promise.all([this.countPeers(redis), redis.hlen(roomsKey)]);
        this.lastStats = { peers, rooms };
      } catch {
        // Metrics keep serving during an outage, with the last values read.
      }
    }
    return { ...this.lastStats, pollsHeld: this.polls.waiting().length };
  }

  /** Connected, and Redis answers a PING promptly: a hung server keeps its sockets open. */
  async ready(): Promise<boolean> {
    if (!this.connections.up()) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(resolve, readyPingMs, false);
    });
    const answered = this.connections.command.ping().then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    // Ending each hold in Redis (not just answering it) lets the peer's ttl count from now.
    for (const poll of this.polls.waiting()) this.polls.deliver(poll, 'shutdown');
    await Promise.race([
      Promise.allSettled([...this.endings]),
      new Promise((resolve) => {
        setTimeout(resolve, 500).unref();
      }),
    ]);
    await this.connections.close();
  }

  private hold(poll: HeldPoll, request: PollRequest, timeoutMs: number): Promise<PollOutcome> {
    return new Promise<PollOutcome>((resolve, reject) => {
      let finished = false;
      const finish = (how: 'deliver' | 'end' | 'released'): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        request.signal.removeEventListener('abort', abandon);
        this.polls.close(poll.pollId);
        if (how === 'released') {
          resolve({ ok: true, messages: [] });
          return;
        }
        const ending = this.runRoom(scripts.endPoll, request.room, [
          request.peer,
          poll.pollId,
          how === 'deliver' ? '1' : '0',
          this.limits.ttlMs,
        ]);
        this.endings.add(ending);
        ending
          .then(
            (reply) => {
              resolve({ ok: true, messages: reply.status === 'messages' ? this.messages(reply) : [] });
            },
            (error: unknown) => {
              // A client that went away needs no answer; one that waits gets the 503.
              if (how === 'end') resolve({ ok: true, messages: [] });
              else reject(error instanceof Error ? error : new Error(String(error)));
            },
          )
          .finally(() => {
            this.endings.delete(ending);
          });
      };
      const abandon = (): void => {
        finish('end');
      };
      const timer = setTimeout(finish, timeoutMs, 'deliver');
      request.signal.addEventListener('abort', abandon);
      this.polls.listen(poll, (signal: PollSignal) => {
        // Deliver on the next turn, so that a burst arriving together leaves in one response.
        if (signal === 'wake') setImmediate(finish, 'deliver');
        else if (signal === 'shutdown') finish('end');
        else finish('released');
      });
      // A poll whose script was still running when close() began.
      if (request.signal.aborted || this.closed) abandon();
    });
  }

  /** After the subscription was lost: wake or release polls whose signals were missed. */
  private async recheckHeld(): Promise<void> {
    await Promise.allSettled(
      this.polls.waiting().map(async (poll) => {
        const reply = await this.runRoom(scripts.recheck, poll.room, [poll.peer, poll.pollId]);
        if (reply.status === 'released') this.polls.deliver(poll, 'release');
        else if (reply.status === 'ready') this.polls.deliver(poll, 'wake');
      }),
    );
  }

  /** Expires every peer whose time is up; a sweep already running is waited for first. */
  async sweep(): Promise<void> {
    while (this.sweeping !== undefined) await this.sweeping;
    if (!this.connections.up()) return;
    const run = sweepOnce({
      redis: this.connections.command,
      ttlMs: this.limits.ttlMs,
      pinnedNow: () => this.pinnedNow(),
      runRoom: async (script, room, args) => await this.runRoom(script, room, args),
    }).catch(() => {
      // Redis went away mid-sweep; the next sweep after it returns picks up.
    });
    this.sweeping = run;
    try {
      await run;
    } finally {
      this.sweeping = undefined;
    }
  }

  /**
   * Live peers of the whole deployment. A cluster marks a removed peer's
   * entry 0 (the sweep drops it); on a single Redis the scripts remove it.
   */
  private async countPeers(redis: RedisConnections['command']): Promise<number> {
    return await redis.zcount(expiryIndexKey, '(0', '+inf');
  }

  private pinnedNow(): string {
    return this.clock === undefined ? '' : String(Math.floor(this.clock.now()));
  }

  /** The message list of a `messages` reply, timing first deliveries for the histogram. */
  private messages(reply: RoomReply): StoredMessage[] {
    const deliveredBefore = asNumber(reply.rest[0]);
    const nowUs = asNumber(reply.rest[1]);
    const observe = this.observer.delivered;
    return asStrings(reply.rest[2]).map((item) => {
      const message = parseEntry(item);
      if (message.seq > deliveredBefore) observe?.(Math.max(0, nowUs - message.arrivedUs) / 1e6);
      const { seq, type, from, ts, data } = message;
      return { seq, type, from, ts, data };
    });
  }

  private async redis(): Promise<RedisConnections['command']> {
    await this.connections.whenUp();
    return this.connections.command;
  }

  private async guard<T>(command: Promise<T>): Promise<T> {
    try {
      return await command;
    } catch (error) {
      throw this.connections.failure(error);
    }
  }

  private async runRoom(script: Script, room: string, args: Array<string | number>): Promise<RoomReply> {
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
}

function freshName(): string {
  return `peer-${newToken()
    .slice(0, 8)
    .replace(/[^A-Za-z0-9]/g, 'x')}`;
}
