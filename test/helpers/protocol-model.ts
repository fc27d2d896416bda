/**
 * A small model of docs/PROTOCOL.md: rooms, peers, mailboxes, presence,
 * idempotency, rates and expiry, with time moved by hand. The property tests
 * (test/signaling/model.test.ts) run the same random steps against it and the
 * service, and require the same answer to every call, byte for byte.
 *
 * It is written from the protocol, not from signaling/: where the protocol
 * leaves a choice (a server-chosen name, forgetting an idempotency key once
 * both of its reasons to be remembered have lapsed), it accepts any allowed
 * answer and follows the one the service gave.
 */

export interface ModelLimits {
  ttlMs: number;
  maxQueue: number;
  maxRoomPeers: number;
  maxPeers: number;
  rate: number;
  registerRate: number;
}

export const idempotencyWindowMs = 5 * 60 * 1000;
const maxPerPoll = 100;

export interface Msg {
  seq: number;
  type: string;
  from: string;
  ts: number;
  /** Compact JSON text, as relayed. */
  data: string;
  delivered: boolean;
}

/** A token bucket in whole thousandths of a token: `rate` a second, burst the same. */
class Bucket {
  private milli: number;
  constructor(
    private readonly rate: number,
    private at: number,
  ) {
    this.milli = rate * 1000;
  }
  private refill(now: number): void {
    this.milli = Math.min(this.rate * 1000, this.milli + Math.max(0, now - this.at) * this.rate);
    this.at = now;
  }
  /** 0 when a token is there, else the whole seconds to wait. */
  wait(now: number): number {
    this.refill(now);
    return this.milli >= 1000 ? 0 : Math.max(1, Math.ceil((1000 - this.milli) / (1000 * this.rate)));
  }
  take(now: number): void {
    this.refill(now);
    this.milli -= 1000;
  }
}

export interface MPeer {
  room: string;
  name: string;
  token: string;
  joinedAt: number;
  meta: string;
  queue: Msg[];
  lastSeq: number;
  /** sender + "\n" + key -> the first send's seq and time. */
  sent: Map<string, { seq: number; at: number }>;
  /** Joiners whose peer-joined here may be unseen and who have sent nothing here since. */
  unseen: Map<string, Msg>;
  bucket: Bucket;
  expiresAt: number;
}

export type Outcome =
  { ok: true; seq?: number; text?: string } | { ok: false; code: string; retryAfterS?: number; retryAfterMs?: number };

export class ProtocolModel {
  now: number;
  /** room -> peers in join order. */
  readonly rooms = new Map<string, MPeer[]>();
  private readonly registrations = new Map<string, Bucket>();

  constructor(
    readonly limits: ModelLimits,
    start: number,
    /** Counts of the rarer paths taken ("repeat", "withdrawn"...), to show what a run covered. */
    readonly events = new Map<string, number>(),
  ) {
    this.now = start;
  }

  private count(event: string): void {
    this.events.set(event, (this.events.get(event) ?? 0) + 1);
  }

  peerCount(): number {
    let count = 0;
    for (const peers of this.rooms.values()) count += peers.length;
    return count;
  }

  find(room: string, name: string): MPeer | undefined {
    return this.rooms.get(room)?.find((p) => p.name === name);
  }

  byToken(room: string, token: string): MPeer | undefined {
    return this.rooms.get(room)?.find((p) => p.token === token);
  }

  /** The live peer that expires first, if any. */
  nextToExpire(): MPeer | undefined {
    let first: MPeer | undefined;
    for (const peers of this.rooms.values()) {
      for (const peer of peers) if (first === undefined || peer.expiresAt < first.expiresAt) first = peer;
    }
    return first;
  }

  /** The refusal a register gets, or undefined when it succeeds (then call `joined`). */
  registerRefusal(room: string, name: string | undefined, client: string): Outcome | undefined {
    const bucket = this.registrations.get(client);
    const wait = this.limits.registerRate === 0 || bucket === undefined ? 0 : bucket.wait(this.now);
    if (wait > 0) return { ok: false, code: 'rate_limited', retryAfterS: wait };
    const peers = this.rooms.get(room) ?? [];
    const holder = name === undefined ? undefined : peers.find((p) => p.name === name);
    if (holder !== undefined) {
      return { ok: false, code: 'name_taken', retryAfterMs: Math.max(0, holder.expiresAt - this.now) };
    }
    if (peers.length >= this.limits.maxRoomPeers) return { ok: false, code: 'room_full' };
    if (this.peerCount() >= this.limits.maxPeers) return { ok: false, code: 'server_full' };
    return undefined;
  }

  /** A registration the service accepted: announce it and add the peer. Returns the others' names. */
  joined(room: string, name: string, token: string, meta: string, client: string): string[] {
    const peers = this.rooms.get(room) ?? [];
    this.rooms.set(room, peers);
    const others = peers.map((p) => p.name);
    for (const other of peers) other.unseen.set(name, this.enqueue(other, 'peer-joined', name, `{"meta":${meta}}`));
    peers.push({
      room,
      name,
      token,
      joinedAt: this.now,
      meta,
      queue: [],
      lastSeq: 0,
      sent: new Map(),
      unseen: new Map(),
      bucket: new Bucket(this.limits.rate, this.now),
      expiresAt: this.now + this.limits.ttlMs,
    });
    if (this.limits.registerRate > 0) {
      let bucket = this.registrations.get(client);
      if (bucket === undefined) {
        bucket = new Bucket(this.limits.registerRate, this.now);
        this.registrations.set(client, bucket);
      }
      bucket.take(this.now);
    }
    return others;
  }

  /**
   * A send from `from` (a live peer). `observedSeq` is the seq the service
   * answered with, if it answered 202: it settles a repeat the protocol lets
   * the service either recognise or not.
   */
  send(from: MPeer, to: string, type: string, data: string, key: string | undefined, observedSeq?: number): Outcome {
    const recipient = this.find(from.room, to);
    const field = key === undefined ? undefined : `${from.name}\n${key}`;
    if (recipient !== undefined && field !== undefined) {
      const first = recipient.sent.get(field);
      if (first !== undefined) {
        const kept = first.at + idempotencyWindowMs > this.now || recipient.queue.some((m) => m.seq === first.seq);
        if (kept || observedSeq === first.seq) {
          this.count(kept ? 'repeat recognised (must)' : 'repeat recognised (may)');
          return { ok: true, seq: first.seq };
        }
        this.count('idempotency key forgotten (may)');
        recipient.sent.delete(field);
      }
    }
    const wait = from.bucket.wait(this.now);
    if (wait > 0) return { ok: false, code: 'rate_limited', retryAfterS: wait };
    if (recipient === undefined) return { ok: false, code: 'peer_not_found' };
    if (recipient.queue.length >= this.limits.maxQueue) return { ok: false, code: 'mailbox_full' };
    from.bucket.take(this.now);
    if (key !== undefined) this.count('keyed send stored');
    const message = this.enqueue(recipient, type, from.name, data);
    recipient.unseen.delete(from.name);
    if (field !== undefined) recipient.sent.set(field, { seq: message.seq, at: this.now });
    return { ok: true, seq: message.seq };
  }

  /** A poll with a well-formed cursor by the peer itself. */
  poll(peer: MPeer, after: number): Outcome {
    if (after > peer.lastSeq) return { ok: false, code: 'invalid_cursor' };
    const before = peer.queue.length;
    peer.queue = peer.queue.filter((m) => m.seq > after);
    if (peer.queue.length < before) this.count('messages acknowledged');
    if (peer.queue.some((m) => m.delivered)) this.count('message delivered again');
    const batch = peer.queue.slice(0, maxPerPoll);
    for (const message of batch) message.delivered = true;
    peer.expiresAt = this.now + this.limits.ttlMs;
    const items = batch.map(
      (m) =>
        `{"seq":${m.seq},"type":${JSON.stringify(m.type)},"from":${JSON.stringify(m.from)},"ts":${m.ts},"data":${m.data}}`,
    );
    return { ok: true, text: `{"messages":[${items.join(',')}]}` };
  }

  list(viewer: MPeer): Outcome {
    viewer.unseen.clear();
    const peers = this.rooms.get(viewer.room) ?? [];
    const items = peers.map((p) => `{"name":${JSON.stringify(p.name)},"joinedAt":${p.joinedAt},"meta":${p.meta}}`);
    return { ok: true, text: `{"peers":[${items.join(',')}]}` };
  }

  remove(peer: MPeer, reason: 'left' | 'expired'): void {
    this.count(`peer ${reason}`);
    const peers = this.rooms.get(peer.room) ?? [];
    const rest = peers.filter((p) => p !== peer);
    if (rest.length === 0) {
      this.rooms.delete(peer.room);
      return;
    }
    this.rooms.set(peer.room, rest);
    for (const other of rest) {
      const joined = other.unseen.get(peer.name);
      other.unseen.delete(peer.name);
      const at = joined === undefined || joined.delivered ? -1 : other.queue.indexOf(joined);
      if (at >= 0) {
        other.queue.splice(at, 1);
        this.count('peer-joined withdrawn unseen');
        continue;
      }
      if (joined !== undefined) this.count('peer-left after a seen peer-joined');
      this.enqueue(other, 'peer-left', peer.name, `{"reason":"${reason}"}`);
    }
  }

  private enqueue(peer: MPeer, type: string, from: string, data: string): Msg {
    const message: Msg = { seq: ++peer.lastSeq, type, from, ts: this.now, data, delivered: false };
    peer.queue.push(message);
    return message;
  }
}
