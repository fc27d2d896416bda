/**
 * The store behind rooms, peers and mailboxes. Routes speak only to this
 * interface, so a shared implementation (Redis) can stand in for the in-memory
 * one. Waking a held poll is the store's business: with several instances the
 * send and the poll land on different processes.
 *
 * JSON payloads (`meta`, `data`) cross this boundary as compact JSON text, so
 * they are relayed byte for byte and never re-serialised.
 */

export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now: () => number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface StoreLimits {
  ttlMs: number;
  maxQueue: number;
  maxRoomPeers: number;
  maxPeers: number;
  /** Messages per second one peer may send; the burst is the same. */
  rate: number;
  /** Registrations per second from one client address, burst the same; 0 or absent for no limit. */
  registerRate?: number;
}

export interface StoredMessage {
  seq: number;
  type: string;
  from: string;
  ts: number;
  /** Compact JSON text of the payload ("null" when absent). */
  data: string;
}

export interface PeerSummary {
  name: string;
  joinedAt: number;
  /** Compact JSON text of an object. */
  meta: string;
}

export type RegisterOutcome =
  | { ok: true; name: string; token: string; peers: string[] }
  | { ok: false; error: 'rate_limited'; retryAfterS: number }
  | { ok: false; error: 'name_taken'; retryAfterMs: number }
  | { ok: false; error: 'room_full' | 'server_full' };

export type SendOutcome =
  | { ok: true; seq: number }
  | { ok: false; error: 'rate_limited'; retryAfterS: number }
  | { ok: false; error: 'peer_not_found' | 'mailbox_full' | 'unauthorized' };

export type PollOutcome =
  { ok: true; messages: StoredMessage[] } | { ok: false; error: 'invalid_cursor' | 'unauthorized' };

export interface RegisterRequest {
  room: string;
  name?: string | undefined;
  meta: string;
  /** The client's address, for the registration rate; absent, no rate applies. */
  client?: string | undefined;
}

export interface SendRequest {
  room: string;
  /**
   * The sender's token, as presented: the store checks it in the same step as
   * the send (on Redis, one round trip instead of two), `unauthorized` when it
   * is no live peer's of this room.
   */
  token: string;
  to: string;
  type: string;
  data: string;
  idempotencyKey?: string | undefined;
}

export interface PollRequest {
  room: string;
  peer: string;
  /** When given, the poll is `unauthorized` unless this is `peer`'s token. */
  token?: string | undefined;
  after: number;
  timeoutMs: number;
  /** Aborted when the client goes away; the poll then ends with no messages. */
  signal: CancelSignal;
}

/**
 * The part of AbortSignal a store uses. The service passes a view of the
 * response's 'close' event rather than an AbortController per poll: on Node
 * 20 a controller costs ~10 µs and ~0.7 KiB per held poll.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener: (type: 'abort', listener: () => void) => void;
  removeEventListener: (type: 'abort', listener: () => void) => void;
}

export interface StoreStats {
  peers: number;
  rooms: number;
  pollsHeld: number;
}

/** Hooks the service passes in to observe the store. */
export interface StoreObserver {
  /** A message entered a mailbox (sent by a peer, or a presence message). */
  stored?: (type: string) => void;
  /** A message left in a poll response for the first time, this long after it arrived. */
  delivered?: (seconds: number) => void;
}

/** Thrown by a store that cannot reach its backend; the service answers 503. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

export interface Store {
  register: (request: RegisterRequest) => Promise<RegisterOutcome>;
  /** The name of the live peer of `room` that holds `token`, if any. */
  identify: (room: string, token: string) => Promise<string | undefined>;
  send: (request: SendRequest) => Promise<SendOutcome>;
  poll: (request: PollRequest) => Promise<PollOutcome>;
  /** Removes the peer and announces it; false when it was not there. */
  leave: (room: string, peer: string) => Promise<boolean>;
  /**
   * Live peers of the room, oldest first. A `viewer` (the peer asking) has now
   * seen every one of them, so each one's leaving is announced to it.
   */
  list: (room: string, viewer?: string) => Promise<PeerSummary[]>;
  stats: () => Promise<StoreStats>;
  /** Expires every peer whose time is up now (a timer does it too, four times a second). */
  sweep: () => void | Promise<void>;
  /** Whether the store can serve requests now. */
  ready: () => Promise<boolean>;
  /** Answers every held poll with an empty list and stops background work. */
  close: () => Promise<void>;
}

/** How many messages one poll response carries at most. */
export const maxMessagesPerPoll = 100;

/** How long an Idempotency-Key is remembered after its first send. */
export const idempotencyWindowMs = 5 * 60 * 1000;

/** How often expiry is checked: the protocol promises notice within a second. */
export const sweepIntervalMs = 250;

/**
 * What `run` returns, as a promise, and what it throws, as a rejection: an
 * async function's contract without the suspended frame and extra promise it
 * would keep for as long as `run`'s own promise waits.
 */
export function settled<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
