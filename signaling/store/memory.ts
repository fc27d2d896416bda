/**
 * The embedded store: rooms, peers and mailboxes in this process's memory.
 * Every queue is bounded, every entry expires, and there is no timer per
 * message: one sweep finds expired peers, and a held poll has one timer.
 */
import { performance } from 'node:perf_hooks';
import { acknowledge, finishDelivering, HeldPoll, take, type Peer, type Queued, type Room } from './memory-mailbox.js';
import { TokenBucket } from './rate-limiter.js';
import { RegistrationRate } from './registration-rate.js';
import { freshPeerName, newToken, tokenDigest } from './tokens.js';
import {
  idempotencyWindowMs,
  settled,
  sweepIntervalMs,
  systemClock,
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

export interface MemoryStoreOptions {
  limits: StoreLimits;
  clock?: Clock;
  observer?: StoreObserver;
  /** Run the expiry sweep on a timer (off in tests that drive `sweep()` by hand). */
  autoSweep?: boolean;
}

export class MemoryStore implements Store {
  private readonly rooms = new Map<string, Room>();
  private readonly byDigest = new Map<string, Peer>();
  private readonly limits: StoreLimits;
  private readonly clock: Clock;
  private readonly observer: StoreObserver;
  private readonly sweeper: NodeJS.Timeout | undefined;
  private readonly registrations: RegistrationRate;
  private peerCount = 0;
  private pollsHeld = 0;
  /** After close(), polls answer at once: shutdown must not wait on new holds. */
  private closed = false;

  constructor(options: MemoryStoreOptions) {
    this.limits = options.limits;
    this.clock = options.clock ?? systemClock;
    this.observer = options.observer ?? {};
    this.registrations = new RegistrationRate(this.limits.registerRate ?? 0);
    if (options.autoSweep ?? true) {
      this.sweeper = setInterval(() => {
        this.sweep();
      }, sweepIntervalMs);
      this.sweeper.unref();
    }
  }

  async register(request: RegisterRequest): Promise<RegisterOutcome> {
    const now = this.clock.now();
    const retryAfterS = this.registrations.retryAfterS(request.client, now);
    if (retryAfterS > 0) return { ok: false, error: 'rate_limited', retryAfterS };
    const room = this.rooms.get(request.room);
    if (room !== undefined) this.expireDue(room, now);
    if (request.name !== undefined) {
      const holder = room?.peers.get(request.name);
      if (holder !== undefined)
        return { ok: false, error: 'name_taken', retryAfterMs: this.remainingLife(holder, now) };
    }
    if ((room?.peers.size ?? 0) >= this.limits.maxRoomPeers) return { ok: false, error: 'room_full' };
    // Peers whose time is up (in rooms no one has visited since) count no more.
    if (this.peerCount >= this.limits.maxPeers) this.sweep();
    if (this.peerCount >= this.limits.maxPeers) return { ok: false, error: 'server_full' };

    const target = room ?? this.createRoom(request.room);
    const name = request.name ?? this.freshName(target);
    const token = newToken();
    const peers = [...target.peers.keys()];
    const peer: Peer = {
      name,
      room: target,
      digest: tokenDigest(token),
      joinedAt: now,
      meta: request.meta,
      queue: [],
      lastSeq: 0,
      sent: undefined,
      unseenJoins: undefined,
      bucket: new TokenBucket(this.limits.rate, now),
      held: undefined,
      expiresAt: now + this.limits.ttlMs,
    };
    for (const other of target.peers.values()) {
      const joined = this.enqueue(other, 'peer-joined', name, `{"meta":${request.meta}}`, now);
      (other.unseenJoins ??= new Map()).set(name, joined);
    }
    target.peers.set(name, peer);
    this.byDigest.set(peer.digest, peer);
    this.peerCount++;
    this.registrations.take(request.client, now);
    return { ok: true, name, token, peers };
  }

  async identify(room: string, token: string): Promise<string | undefined> {
    return this.holder(room, token, this.clock.now())?.name;
  }

  private holder(room: string, token: string, now: number): Peer | undefined {
    const peer = this.byDigest.get(tokenDigest(token));
    if (peer === undefined || peer.room.name !== room || this.expireIfDue(peer, now)) return undefined;
    return peer;
  }

  async send(request: SendRequest): Promise<SendOutcome> {
    const now = this.clock.now();
    const sender = this.holder(request.room, request.token, now);
    if (sender === undefined) return { ok: false, error: 'unauthorized' };
    const recipient = this.livePeer(request.room, request.to, now);
    const key = request.idempotencyKey === undefined ? undefined : `${sender.name}\n${request.idempotencyKey}`;
    if (recipient !== undefined && key !== undefined) {
      this.forgetOldKeys(recipient, now);
      const first = recipient.sent?.get(key);
      if (first !== undefined) return { ok: true, seq: first.seq };
    }
    const retryAfterS = sender.bucket.retryAfterS(now);
    if (retryAfterS > 0) return { ok: false, error: 'rate_limited', retryAfterS };
    if (recipient === undefined) return { ok: false, error: 'peer_not_found' };
    if (recipient.queue.length >= this.limits.maxQueue) return { ok: false, error: 'mailbox_full' };

    sender.bucket.take(now);
    const seq = this.enqueue(recipient, request.type, sender.name, request.data, now).seq;
    recipient.unseenJoins?.delete(sender.name);
    if (key !== undefined) (recipient.sent ??= new Map()).set(key, { seq, at: now });
    return { ok: true, seq };
  }

  /** Not async (see settled): a held poll is one promise, the hold's own, for each of its 10,000 holders. */
  poll(request: PollRequest): Promise<PollOutcome> {
    return settled(() => this.pollNow(request));
  }

  private pollNow(request: PollRequest): PollOutcome | Promise<PollOutcome> {
    const now = this.clock.now();
    const peer = this.livePeer(request.room, request.peer, now);
    const token = request.token;
    if (peer === undefined || (token !== undefined && peer.digest !== tokenDigest(token)))
      return { ok: false, error: 'unauthorized' };
    if (request.after > peer.lastSeq) return { ok: false, error: 'invalid_cursor' };

    acknowledge(peer, request.after);
    peer.held?.finish(false);
    if (peer.queue.length > 0 || request.timeoutMs === 0 || request.signal.aborted || this.closed) {
      peer.expiresAt = now + this.limits.ttlMs;
      return { ok: true, messages: take(peer, this.observer.delivered) };
    }
    return this.hold(peer, request);
  }

  async leave(room: string, name: string): Promise<boolean> {
    const peer = this.rooms.get(room)?.peers.get(name);
    if (peer === undefined) return false;
    this.remove(peer, 'left', this.clock.now());
    return true;
  }

  async list(room: string, viewer?: string): Promise<PeerSummary[]> {
    const target = this.rooms.get(room);
    if (target === undefined) return [];
    this.expireDue(target, this.clock.now());
    // The viewer now knows every live peer: each must be seen to leave.
    const seer = viewer === undefined ? undefined : target.peers.get(viewer);
    if (seer !== undefined) seer.unseenJoins = undefined;
    return [...target.peers.values()].map(({ name, joinedAt, meta }) => ({ name, joinedAt, meta }));
  }

  async stats(): Promise<StoreStats> {
    return { peers: this.peerCount, rooms: this.rooms.size, pollsHeld: this.pollsHeld };
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    for (const room of this.rooms.values()) {
      for (const peer of room.peers.values()) peer.held?.finish(false);
    }
  }

  /** Expires every peer whose time-to-live has passed with no poll held. */
  sweep(): void {
    const now = this.clock.now();
    for (const room of this.rooms.values()) this.expireDue(room, now);
    this.registrations.prune(now);
  }

  private hold(peer: Peer, request: PollRequest): Promise<PollOutcome> {
    return new Promise((resolve) => {
      const now = this.clock.now();
      peer.held = new HeldPoll(peer, now + request.timeoutMs, request.timeoutMs, request.signal, this.ended, resolve);
      this.pollsHeld++;
    });
  }

  /** A held poll's end: the peer's life restarts from now. */
  private readonly ended = (poll: HeldPoll, deliver: boolean): StoredMessage[] => {
    this.pollsHeld--;
    poll.peer.expiresAt = this.clock.now() + this.limits.ttlMs;
    return deliver ? take(poll.peer, this.observer.delivered) : [];
  };

  private enqueue(peer: Peer, type: string, from: string, data: string, now: number): Queued {
    const seq = ++peer.lastSeq;
    const message: Queued = { seq, type, from, ts: now, data, arrivedAt: performance.now(), delivered: false };
    peer.queue.push(message);
    this.observer.stored?.(type);
    const held = peer.held;
    // Deliver on the next turn of the event loop, so that messages sent in
    // the same turn (a burst of candidates, a fan-in) leave in one response.
    if (held !== undefined) setImmediate(finishDelivering, held);
    return message;
  }

  /** peer-left to every other peer, except where the departed peer's peer-joined is withdrawn unseen. */
  private announceLeft(room: Room, from: string, reason: 'left' | 'expired', now: number): void {
    for (const peer of room.peers.values()) {
      const joined = peer.unseenJoins?.get(from);
      peer.unseenJoins?.delete(from);
      const at = joined === undefined || joined.delivered ? -1 : peer.queue.indexOf(joined);
      if (at >= 0) peer.queue.splice(at, 1);
      else this.enqueue(peer, 'peer-left', from, `{"reason":"${reason}"}`, now);
    }
  }

  private remove(peer: Peer, reason: 'left' | 'expired', now: number): void {
    const room = peer.room;
    if (room.peers.get(peer.name) !== peer) return;
    room.peers.delete(peer.name);
    this.byDigest.delete(peer.digest);
    this.peerCount--;
    peer.held?.finish(false);
    if (room.peers.size === 0) this.rooms.delete(room.name);
    else this.announceLeft(room, peer.name, reason, now);
  }

  private livePeer(room: string, name: string, now: number): Peer | undefined {
    const peer = this.rooms.get(room)?.peers.get(name);
    if (peer === undefined || this.expireIfDue(peer, now)) return undefined;
    return peer;
  }

  private expireIfDue(peer: Peer, now: number): boolean {
    if (peer.held !== undefined || peer.expiresAt > now) return false;
    this.remove(peer, 'expired', now);
    return true;
  }

  private expireDue(room: Room, now: number): void {
    for (const peer of [...room.peers.values()]) this.expireIfDue(peer, now);
  }

  private remainingLife(peer: Peer, now: number): number {
    if (peer.held !== undefined) return Math.max(0, peer.held.deadline - now) + this.limits.ttlMs;
    return Math.max(0, peer.expiresAt - now);
  }

  private forgetOldKeys(peer: Peer, now: number): void {
    if (peer.sent === undefined) return;
    const acknowledged = peer.queue[0]?.seq ?? peer.lastSeq + 1;
    for (const [key, first] of peer.sent) {
      if (first.at + idempotencyWindowMs > now || first.seq >= acknowledged) return;
      peer.sent.delete(key);
    }
  }

  private createRoom(name: string): Room {
    const room: Room = { name, peers: new Map() };
    this.rooms.set(name, room);
    return room;
  }

  private freshName(room: Room): string {
    for (;;) {
      const name = freshPeerName();
      if (!room.peers.has(name)) return name;
    }
  }
}
