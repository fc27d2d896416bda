/**
 * The relay scenarios, each opened once per server and then measured in
 * slices, so the caller can interleave servers and load drifts hit both alike.
 * Every one takes a PeerFactory and knows nothing of the server behind it.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PeerFactory, RelayPeer } from './relay-client.js';
import { EchoPair } from './relay-echo.js';
import { failureSink, listen, within, type Listener } from './relay-listener.js';

/** Deadline for any single wait: generous, the machine is shared. */
const stuckMs = 15_000;

/** One pair: A sends, B's held poll returns, B answers, A's held poll returns. */
export class RoundTrips {
  private constructor(private readonly pair: EchoPair) {}

  static async open(peers: PeerFactory): Promise<RoundTrips> {
    return new RoundTrips(await EchoPair.open(peers, 'rtt'));
  }

  /** Milliseconds per round trip, one after another. */
  async measure(count: number): Promise<number[]> {
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      const back = new Promise<unknown>((resolve) => {
        this.pair.onReply = resolve;
      });
      await within(Promise.all([this.pair.serve(i), back]), this.pair.failures, stuckMs, 'round trip');
      samples.push(performance.now() - start);
    }
    return samples;
  }

  close(): Promise<void> {
    return this.pair.close();
  }
}

/** Many pairs ping-ponging as fast as each volley allows. */
export class PingPong {
  private constructor(private readonly pairs: EchoPair[]) {}

  static async open(peers: PeerFactory, pairs: number): Promise<PingPong> {
    const opened: EchoPair[] = [];
    for (let i = 0; i < pairs; i++) opened.push(await EchoPair.open(peers, `pingpong${i}`));
    return new PingPong(opened);
  }

  /** Messages delivered per second (each leg counts) during a window of ms; then every ball comes to rest. */
  async measure(ms: number): Promise<number> {
    let running = true;
    let inFlight = 0;
    let rested: () => void = () => {};
    const allRested = new Promise<void>((resolve) => {
      rested = resolve;
    });
    const sends = failureSink();
    const failures = [sends.failure, ...this.pairs.flatMap((p) => p.failures)];
    const serve = (pair: EchoPair): void => {
      inFlight++;
      pair.serve('ball').catch(sends.fail);
    };
    for (const pair of this.pairs) {
      pair.onReply = () => {
        inFlight--;
        if (running) serve(pair);
        else if (inFlight === 0) rested();
      };
    }
    const delivered = (): number => this.pairs.reduce((sum, p) => sum + p.delivered, 0);
    const before = delivered();
    const start = performance.now();
    for (const pair of this.pairs) serve(pair);
    await within(sleep(ms), failures, ms + stuckMs, 'ping-pong window');
    running = false;
    const count = delivered() - before;
    const seconds = (performance.now() - start) / 1000;
    await within(allRested, failures, stuckMs, 'ping-pong balls coming to rest');
    return count / seconds;
  }

  async close(): Promise<void> {
    await Promise.all(this.pairs.map((p) => p.close()));
  }
}

/** Many senders into one mailbox whose owner long-polls with its cursor. */
export class FanIn {
  private received = 0;
  private expected = Infinity;
  private complete: () => void = () => {};

  private constructor(
    private readonly senders: RelayPeer[],
    private readonly receiver: RelayPeer,
    private readonly listener: Listener,
  ) {}

  static async open(peers: PeerFactory, senders: number): Promise<FanIn> {
    const group = await peers.group('fanin', senders + 1);
    const receiver = group.pop();
    if (receiver === undefined) throw new Error(`${peers.kind}: empty fan-in group`);
    // The listener exists before the FanIn that counts its arrivals.
    const counter: { fanIn?: FanIn } = {};
    const listener = listen(receiver, () => counter.fanIn?.arrived());
    counter.fanIn = new FanIn(group, receiver, listener);
    return counter.fanIn;
  }

  /** Milliseconds from the first send until every sender's perSender messages have all arrived. */
  async measure(perSender: number): Promise<number> {
    // The receiver re-polls the moment its last poll answers; give that poll time to be held.
    await sleep(50);
    this.received = 0;
    this.expected = this.senders.length * perSender;
    const all = new Promise<void>((resolve) => {
      this.complete = resolve;
    });
    const start = performance.now();
    const sending = Promise.all(
      this.senders.map(async (sender, s) => {
        for (let i = 0; i < perSender; i++) await sender.send(this.receiver.name, { s, i });
      }),
    );
    await within(Promise.all([sending, all]), [this.listener.failure], stuckMs, 'fan-in');
    return performance.now() - start;
  }

  async close(): Promise<void> {
    await this.listener.stop();
    await Promise.all([...this.senders, this.receiver].map((p) => p.leave()));
  }

  private arrived(): void {
    if (++this.received === this.expected) this.complete();
  }
}
