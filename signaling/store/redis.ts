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
import { HeldPolls } from './redis-held-polls.js';
import { holdPoll, type HoldContext } from './redis-hold.js';
import { registerPeer, type RegisterContext } from './redis-register.js';
import { expiryIndexKey, instanceChannel, roomsKey } from './redis-keys.js';
import { RoomScripts } from './redis-room.js';
import { asNumber, asString, asStrings, scripts, type RoomReply } from './redis-scripts.js';
import { answerMessages } from './redis-entry.js';
import { sweepOnce } from './redis-sweep.js';
import { tokenDigest } from './tokens.js';
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

/**
 * Names each poll this instance holds, unique across instances: the poll id
 * never leaves the servers, so it needs no randomness of its own (9 random
 * bytes per poll were 7 % of the polling instance's CPU in bench:relay-redis).
 */
class PollIds {
  private count = 0;
  constructor(private readonly instanceId: string) {}
  next(): string {
    return `${this.instanceId}.${(++this.count).toString(36)}`;
  }
}

export class RedisStore implements Store {
  private readonly limits: StoreLimits;
  private readonly observer: StoreObserver;
  private readonly instanceId = randomId();
  private readonly pollIds = new PollIds(this.instanceId);
  private readonly polls = new HeldPolls();
  private readonly connections: RedisConnections;
  private readonly sweeper: NodeJS.Timeout;
  private readonly endings = new Set<Promise<unknown>>();
  /** On a cluster the expiry index lives in its own slot, out of the room scripts' reach. */
  private readonly cluster: boolean;
  private sweeping: Promise<void> | undefined;
  private closed = false;
  private lastStats = { peers: 0, rooms: 0 };
  private readonly holding: HoldContext;
  private readonly registering: RegisterContext;
  private readonly rooms: RoomScripts;

  constructor(options: RedisStoreOptions) {
    this.limits = options.limits;
    this.observer = options.observer ?? {};
    this.cluster = clusterSeed(options.url) !== undefined;
    this.holding = {
      polls: this.polls,
      observer: this.observer,
      endPoll: async (poll, deliver) =>
        await this.rooms.run(scripts.endPoll, poll.room, [
          poll.peer,
          poll.pollId,
          deliver ? '1' : '0',
          this.limits.ttlMs,
        ]),
      endings: this.endings,
      closed: () => this.closed,
    };
    this.registering = {
      limits: this.limits,
      cluster: this.cluster,
      redis: async () => await this.rooms.redis(),
      guard: async (command) => await this.rooms.guard(command),
      runRoom: async (script, room, args) => await this.rooms.run(script, room, args),
      countPeers: async (redis) => await this.countPeers(redis),
      sweep: async () => await this.sweep(),
      pinnedNow: () => this.rooms.pinnedNow(),
    };
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
    this.rooms = new RoomScripts(this.connections, this.cluster, options.clock, this.observer);
    this.sweeper = setInterval(() => {
      if (this.sweeping === undefined) void this.sweep();
    }, sweepIntervalMs);
    this.sweeper.unref();
  }

  async register(request: RegisterRequest): Promise<RegisterOutcome> {
    return await registerPeer(this.registering, request);
  }

  async identify(room: string, token: string): Promise<string | undefined> {
    const reply = await this.rooms.run(scripts.identify, room, [tokenDigest(token)]);
    return reply.status === 'ok' ? asString(reply.rest[0]) : undefined;
  }

  async send(request: SendRequest): Promise<SendOutcome> {
    const reply = await this.rooms.run(scripts.send, request.room, [
      tokenDigest(request.token),
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
      case 'unauthorized':
        return { ok: false, error: 'unauthorized' };
      default:
        return { ok: false, error: 'peer_not_found' };
    }
  }

  async poll(request: PollRequest): Promise<PollOutcome> {
    const pollId = this.pollIds.next();
    const timeoutMs = request.signal.aborted ? 0 : request.timeoutMs;
    const held = this.polls.open(request.room, request.peer, pollId);
    let reply: RoomReply;
    try {
      reply = await this.rooms.run(scripts.poll, request.room, [
        request.peer,
        request.after,
        timeoutMs,
        pollId,
        this.instanceId,
        this.limits.ttlMs,
        leaseSlackMs,
        request.token === undefined ? '' : tokenDigest(request.token),
      ]);
    } catch (error) {
      this.polls.close(pollId);
      throw error;
    }
    if (reply.status === 'held') return await holdPoll(this.holding, held, request, timeoutMs);
    this.polls.close(pollId);
    switch (reply.status) {
      case 'messages':
        return { ok: true, messages: answerMessages(reply.rest, this.observer.delivered) };
      case 'invalid_cursor':
        return { ok: false, error: 'invalid_cursor' };
      default:
        return { ok: false, error: 'unauthorized' };
    }
  }

  async leave(room: string, peer: string): Promise<boolean> {
    const reply = await this.rooms.run(scripts.leave, room, [peer]);
    return reply.status === 'ok';
  }

  async list(room: string, viewer?: string): Promise<PeerSummary[]> {
    const reply = await this.rooms.run(scripts.list, room, [viewer ?? '']);
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
    return await this.connections.answersPing(readyPingMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    // Ending each hold in Redis (not just answering it) lets the peer's ttl count from now.
    for (const poll of this.polls.waiting()) this.polls.deliver(poll, { kind: 'shutdown' });
    await Promise.race([
      Promise.allSettled([...this.endings]),
      new Promise((resolve) => {
        setTimeout(resolve, 500).unref();
      }),
    ]);
    await this.connections.close();
  }

  /** After the subscription was lost: wake or release polls whose signals were missed. */
  private async recheckHeld(): Promise<void> {
    await Promise.allSettled(
      this.polls.waiting().map(async (poll) => {
        const reply = await this.rooms.run(scripts.recheck, poll.room, [poll.peer, poll.pollId]);
        if (reply.status === 'released') this.polls.deliver(poll, { kind: 'release' });
        else if (reply.status === 'ready') this.polls.deliver(poll, { kind: 'wake' });
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
      pinnedNow: () => this.rooms.pinnedNow(),
      runRoom: async (script, room, args) => await this.rooms.run(script, room, args),
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
}
