/**
 * The `chat` exchange of docs/CLI.md on the browser's RTCDataChannel: our
 * pings `intervalMs` apart, a pong for each of theirs, `alive` when we have
 * been quiet for a second, `done` when asked. The messages are parsed and
 * the round trips summarised by the same code as bin/client's.
 */
import {
  ALIVE_INTERVAL_MS,
  parseChatMessage,
  round1,
  summarizeRtt,
  type ChatMessage,
  type DataChannelReport,
} from '../client/chat-message.js';

export interface ChatEvents {
  /** Any message from the peer: a sign of life. */
  life(): void;
  ping(seq: number): void;
  pong(seq: number, rttMs: number): void;
  text(line: string): void;
  /** Our pings are all answered, or the peer's done came: the call checks whether it is complete. */
  progress(): void;
}

export class Chat {
  private channel: RTCDataChannel | undefined;
  private sent = 0;
  private lastSentAt = 0;
  private readonly rtts: number[] = [];
  private readonly pending = new Map<number, number>();
  private timers: number[] = [];
  peerDone = false;

  constructor(
    private readonly options: { messages: number; intervalMs: number },
    private readonly events: ChatEvents,
  ) {}

  get answered(): boolean {
    return this.rtts.length === this.options.messages;
  }

  attach(channel: RTCDataChannel): void {
    this.channel = channel;
    channel.addEventListener('message', (event: MessageEvent<unknown>) =>
      this.receive(typeof event.data === 'string' ? event.data : ''),
    );
    this.timers.push(
      window.setInterval(() => {
        if (performance.now() - this.lastSentAt >= ALIVE_INTERVAL_MS - 50) this.send({ type: 'alive' });
      }, ALIVE_INTERVAL_MS),
    );
  }

  /** Starts our pings, once the channel is open. */
  sendPings(): void {
    const next = (): void => {
      if (this.sent >= this.options.messages) return;
      this.sent += 1;
      const t = round1(performance.now());
      this.pending.set(this.sent, t);
      this.send({ type: 'ping', seq: this.sent, t });
      this.events.ping(this.sent);
      this.timers.push(window.setTimeout(next, this.options.intervalMs));
    };
    // A send in the open handler can overtake the channel's own handshake on the other side: yield first.
    this.timers.push(window.setTimeout(next, 0));
  }

  sendDone(): void {
    this.send({ type: 'done' });
  }

  report(): DataChannelReport {
    return {
      label: this.channel?.label ?? 'chat',
      sent: this.sent,
      received: this.rtts.length,
      rttMs: summarizeRtt(this.rtts),
      peerDone: this.peerDone,
    };
  }

  stop(): void {
    for (const timer of this.timers) window.clearTimeout(timer);
    this.timers = [];
  }

  private send(message: ChatMessage): void {
    if (this.channel?.readyState !== 'open') return;
    this.channel.send(JSON.stringify(message));
    this.lastSentAt = performance.now();
  }

  private receive(data: string): void {
    this.events.life();
    const message = parseChatMessage(data);
    if (!message) {
      this.events.text(`chat: ignored ${JSON.stringify(data.slice(0, 80))}`);
      return;
    }
    switch (message.type) {
      case 'ping':
        this.send({ type: 'pong', seq: message.seq, t: message.t });
        return;
      case 'pong': {
        if (this.pending.get(message.seq) !== message.t) return;
        this.pending.delete(message.seq);
        const rtt = performance.now() - message.t;
        this.rtts.push(rtt);
        this.events.pong(message.seq, round1(rtt));
        this.events.progress();
        return;
      }
      case 'done':
        this.peerDone = true;
        this.events.progress();
        return;
      case 'alive':
        return;
      case 'text':
        this.events.text(`text from the peer: ${message.text}`);
        return;
    }
  }
}
