import { performance } from 'node:perf_hooks';
import type { Logger } from './log.js';
import {
  ALIVE_INTERVAL_MS,
  parseChatMessage,
  round1,
  summarizeRtt,
  type ChatMessage,
  type DataChannelReport,
} from './chat-message.js';
import { Disposables, Latch } from './wait.js';

/** What the exchange needs from a data channel: werift's RTCDataChannel fits. */
export interface ChatChannel {
  readonly label: string;
  send(data: string): void;
  readonly onMessage: { subscribe(fn: (data: string | Buffer) => void): { unSubscribe(): void } };
}

/**
 * One side of the ping/pong exchange over `chat`: sends `messages` pings
 * `intervalMs` apart, answers every ping with a pong, times the round trips,
 * sends `alive` when it has had nothing to say for a second, and tells the
 * other side `done` when asked to. Every message received is a sign of life.
 */
export class ChatExchange {
  /** Resolves when every ping of ours has its pong. */
  readonly pingsAnswered = new Latch();
  /** Resolves when the other side's `done` arrives. */
  readonly peerDone = new Latch();
  private readonly rtts: number[] = [];
  private readonly pending = new Map<number, number>();
  private sent = 0;
  private lastSentAt = 0;
  private readonly disposables = new Disposables();
  private channel: ChatChannel | undefined;

  constructor(
    private readonly options: {
      messages: number;
      intervalMs: number;
      log: Logger;
      /** Called for every message received. */
      onSignOfLife: () => void;
    },
  ) {
    if (options.messages === 0) this.pingsAnswered.resolve();
  }

  /** Listens from now on: the peer's pings are answered, its done and texts noted. */
  start(channel: ChatChannel): void {
    this.channel = channel;
    this.disposables.subscription(channel.onMessage.subscribe((data) => this.receive(data)));
    this.disposables.interval(() => {
      if (performance.now() - this.lastSentAt >= ALIVE_INTERVAL_MS - 50) this.send({ type: 'alive' });
    }, ALIVE_INTERVAL_MS);
  }

  /** Starts our pings, `intervalMs` apart. */
  sendPings(): void {
    // docs/WERIFT.md, Data channels: a send in the open handler can overtake the DCEP ACK; yield first.
    const first = setImmediate(() => this.sendPing());
    this.disposables.add(() => clearImmediate(first));
  }

  sendDone(): void {
    this.send({ type: 'done' });
  }

  report(label = this.channel?.label ?? 'chat'): DataChannelReport {
    return {
      label,
      sent: this.sent,
      received: this.rtts.length,
      rttMs: summarizeRtt(this.rtts),
      peerDone: this.peerDone.settled,
    };
  }

  stop(): void {
    this.disposables.dispose();
  }

  private sendPing(): void {
    if (this.sent >= this.options.messages) return;
    this.sent += 1;
    const t = round1(performance.now());
    this.pending.set(this.sent, t);
    this.send({ type: 'ping', seq: this.sent, t });
    this.options.log.info({ seq: this.sent }, `ping ${this.sent}/${this.options.messages} sent`);
    if (this.sent < this.options.messages) {
      const next = setTimeout(() => this.sendPing(), this.options.intervalMs);
      this.disposables.add(() => clearTimeout(next));
    }
  }

  private send(message: ChatMessage): void {
    if (!this.channel) return;
    try {
      this.channel.send(JSON.stringify(message));
      this.lastSentAt = performance.now();
    } catch (error) {
      // A closing channel throws; the liveness check and the call's end deal with that.
      this.options.log.debug({ err: String(error), type: message.type }, `could not send ${message.type}`);
    }
  }

  private receive(data: string | Buffer): void {
    this.options.onSignOfLife();
    const message = parseChatMessage(data);
    const { log } = this.options;
    if (!message) {
      const text = typeof data === 'string' ? data : `<${data.length} bytes>`;
      log.info({ data: text.slice(0, 200) }, `chat: ignored ${JSON.stringify(text.slice(0, 80))}`);
      return;
    }
    switch (message.type) {
      case 'ping':
        this.send({ type: 'pong', seq: message.seq, t: message.t });
        log.debug({ seq: message.seq }, `ping ${message.seq} received, pong sent`);
        return;
      case 'pong': {
        const sentAt = this.pending.get(message.seq);
        if (sentAt === undefined || sentAt !== message.t) {
          log.info({ seq: message.seq }, `pong ${message.seq} does not answer a ping of ours: ignored`);
          return;
        }
        this.pending.delete(message.seq);
        const rtt = performance.now() - sentAt;
        this.rtts.push(rtt);
        log.info(
          { seq: message.seq, rttMs: round1(rtt) },
          `pong ${message.seq}/${this.options.messages} received  rtt ${rtt.toFixed(1)} ms`,
        );
        if (this.rtts.length === this.options.messages) this.pingsAnswered.resolve();
        return;
      }
      case 'done':
        log.info('the peer is done (its pings answered, its audio played)');
        this.peerDone.resolve();
        return;
      case 'alive':
        return;
      case 'text':
        log.info({ text: message.text }, `text from the peer: ${message.text}`);
        return;
    }
  }
}
