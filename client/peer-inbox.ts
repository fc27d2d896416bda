import { CandidateCap } from './candidate-cap.js';
import type { ClientOptions } from './cli.js';
import type { Logger } from './log.js';
import { mailbox } from './mailbox.js';
import type { PeerEvent } from './peer-messages.js';
import { errorText, type MailboxMessage, type Registration, type SignalingClient } from './signaling-client.js';
import { type Deadline, Latch } from './wait.js';

/** Something that takes the peer's messages while a call runs: a Call. */
export interface CallSink {
  deliver(event: PeerEvent): void;
}

/**
 * The messages that matter from our peer, between the mailbox loop and the
 * call loop. While a call is attached, its messages (answer, candidate, bye,
 * peer-left) go straight to it; everything else waits in the queue for the
 * call loop to read with `next()` (a peer-joined, or the next offer).
 */
export class PeerInbox {
  private readonly queue: MailboxMessage[] = [];
  private waiter: Latch | undefined;
  private call: CallSink | undefined;
  private cap: CandidateCap | undefined;
  /** Sees every message of the peer, whenever it comes; its `nat` and `report` messages go nowhere else (client/nat/). */
  onPeerInfo: ((message: MailboxMessage) => void) | undefined;

  /** `log` says when a call's remote candidates pass the cap (client/candidate-cap.ts). */
  constructor(
    private readonly log: Logger,
    private readonly maxRemoteCandidates?: number,
  ) {}

  push(message: MailboxMessage): void {
    this.onPeerInfo?.(message);
    if (message.type === 'nat' || message.type === 'report') return;
    const event = this.call ? toCallEvent(message) : undefined;
    if (event && this.call) {
      // Dropped here, before the call (and werift) sees them: past the cap they only cost time.
      if (event.kind === 'candidate' && this.cap && !this.cap.admit(event.data)) return;
      this.call.deliver(event);
      return;
    }
    this.queue.push(message);
    this.waiter?.resolve();
  }

  /** Routes call messages to `call` from now on, starting with those already queued. */
  attach(call: CallSink, from: string): void {
    this.call = call;
    this.cap = new CandidateCap(this.log, from, this.maxRemoteCandidates);
    const waiting = this.queue.splice(0);
    for (const message of waiting) this.push(message);
  }

  detach(): void {
    this.cap?.close();
    this.cap = undefined;
    this.call = undefined;
  }

  /** The next queued message; rejects with DeadlineError at the deadline or on abort. */
  async next(deadline: Deadline, what: string, abort?: AbortSignal): Promise<MailboxMessage> {
    for (;;) {
      const message = this.queue.shift();
      if (message) return message;
      this.waiter = new Latch();
      await deadline.race(this.waiter.promise, what, abort);
    }
  }
}

export function toCallEvent(message: MailboxMessage): PeerEvent | undefined {
  switch (message.type) {
    case 'answer':
      return { kind: 'answer', data: message.data };
    case 'candidate':
      return { kind: 'candidate', data: message.data };
    case 'bye':
      return { kind: 'bye', reason: reasonOf(message.data) };
    case 'peer-left':
      return { kind: 'left', reason: reasonOf(message.data) };
    default:
      return undefined;
  }
}

function reasonOf(data: unknown): string {
  const reason = typeof data === 'object' && data !== null ? (data as { reason?: unknown }).reason : undefined;
  return typeof reason === 'string' ? reason : 'no reason given';
}

/**
 * Reads the mailbox until `signal` aborts: our peer's messages go to the
 * inbox, strangers' offers are declined, the rest is logged.
 */
export async function pumpMailbox(
  signaling: SignalingClient,
  registration: Registration,
  options: ClientOptions,
  inbox: PeerInbox,
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  try {
    for await (const message of mailbox(signaling, { signal, pollTimeoutMs: registration.pollTimeoutMs, log })) {
      route(message, signaling, options, inbox, log);
    }
  } catch (error) {
    if (!signal.aborted) log.error(`mailbox loop stopped: ${errorText(error)}`);
  }
}

function route(
  message: MailboxMessage,
  signaling: SignalingClient,
  options: ClientOptions,
  inbox: PeerInbox,
  log: Logger,
): void {
  log.debug(
    { seq: message.seq, type: message.type, from: message.from, data: message.data },
    `signal ${message.type} <- ${message.from}`,
  );
  if (message.from === options.peer) {
    if (message.type === 'peer-joined') log.info(`${message.from} joined the room`);
    if (message.type === 'peer-left') log.info(`${message.from} left the room (${reasonOf(message.data)})`);
    if (message.type === 'bye') log.info(`${message.from} said bye (${reasonOf(message.data)})`);
    inbox.push(message);
    return;
  }
  switch (message.type) {
    case 'peer-joined':
    case 'peer-left':
      log.info(`${message.from} ${message.type === 'peer-joined' ? 'joined' : 'left'} the room (not our peer)`);
      return;
    case 'offer':
      log.warn(`offer from ${message.from}, not from ${options.peer}: declined`);
      signaling
        .send(message.from, 'bye', { reason: 'declined' })
        .catch((error: unknown) => log.warn(`could not decline ${message.from}: ${errorText(error)}`));
      return;
    default:
      log.debug(`ignored ${message.type} from ${message.from}: not our peer`);
  }
}
