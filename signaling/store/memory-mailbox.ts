/**
 * The in-memory store's peers and their mailboxes: the queue, what a poll
 * takes from it, and the one held poll a peer may have.
 */
import { performance } from 'node:perf_hooks';
import type { TokenBucket } from './rate-limiter.js';
import { maxMessagesPerPoll, type CancelSignal, type PollOutcome, type StoredMessage } from './store.js';

export interface Queued extends StoredMessage {
  /** performance.now() at arrival, for the relay-time histogram. */
  arrivedAt: number;
  delivered: boolean;
}

export interface Room {
  name: string;
  peers: Map<string, Peer>;
}

export interface Peer {
  name: string;
  room: Room;
  digest: string;
  joinedAt: number;
  meta: string;
  queue: Queued[];
  lastSeq: number;
  /** from + "\n" + key -> the seq the first send got; insertion order is send order. Made on first use. */
  sent: Map<string, { seq: number; at: number }> | undefined;
  bucket: TokenBucket;
  /**
   * The peer-joined messages in this mailbox, by joiner, whose joiner has sent
   * this peer nothing since and which this peer may not have seen yet: if the
   * joiner leaves first, both its peer-joined and its peer-left are dropped.
   */
  unseenJoins: Map<string, Queued> | undefined;
  held: HeldPoll | undefined;
  /** When the peer expires if no poll is held. */
  expiresAt: number;
}

/** Called when a held poll ends, before it answers; returns what it answers with. */
export type PollEnded = (poll: HeldPoll, deliver: boolean) => StoredMessage[];

/**
 * One held poll as one object: its timer and abort listener call back into it
 * rather than into closures made per poll (10,000 held polls are 10,000 of these).
 */
export class HeldPoll {
  private readonly timer: NodeJS.Timeout;
  private readonly abandon = (): void => {
    this.finish(false);
  };

  constructor(
    readonly peer: Peer,
    readonly deadline: number,
    timeoutMs: number,
    private readonly signal: CancelSignal,
    private readonly ended: PollEnded,
    private readonly resolve: (outcome: PollOutcome) => void,
  ) {
    this.timer = setTimeout(finishDelivering, timeoutMs, this);
    signal.addEventListener('abort', this.abandon);
  }

  /** Answers the poll: with what the mailbox holds, or with an empty list. */
  finish(deliver: boolean): void {
    if (this.peer.held !== this) return;
    this.peer.held = undefined;
    clearTimeout(this.timer);
    this.signal.removeEventListener('abort', this.abandon);
    this.resolve({ ok: true, messages: this.ended(this, deliver) });
  }
}

/** A timer or setImmediate callback that needs no closure per poll. */
export function finishDelivering(poll: HeldPoll): void {
  poll.finish(true);
}

/** Up to one response's worth of messages, marking their first delivery. */
export function take(peer: Peer, observe: ((seconds: number) => void) | undefined): StoredMessage[] {
  const count = Math.min(peer.queue.length, maxMessagesPerPoll);
  const batch: StoredMessage[] = new Array<StoredMessage>(count);
  const at = performance.now();
  for (let i = 0; i < count; i++) {
    const message = peer.queue[i]!;
    if (!message.delivered) {
      message.delivered = true;
      observe?.((at - message.arrivedAt) / 1000);
    }
    batch[i] = { seq: message.seq, type: message.type, from: message.from, ts: message.ts, data: message.data };
  }
  return batch;
}

/** Deletes every message with seq <= after. */
export function acknowledge(peer: Peer, after: number): void {
  let count = 0;
  while (count < peer.queue.length && (peer.queue[count]?.seq ?? Infinity) <= after) count++;
  if (count > 0) peer.queue.splice(0, count);
}
