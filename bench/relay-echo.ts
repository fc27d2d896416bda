/**
 * Two peers, each with its receive loop running: B sends back whatever A
 * sends it. The unit of the round-trip and throughput scenarios.
 */
import type { PeerFactory, RelayPeer } from './relay-client.js';
import { failureSink, listen, type Listener } from './relay-listener.js';

export class EchoPair {
  /** Messages delivered to either side since the pair opened. */
  delivered = 0;
  /** Called with each payload B sends back to A. */
  onReply: (data: unknown) => void = () => {};
  /** Rejects when a poll or an echo fails: race it against any wait on this pair. */
  readonly failures: Array<Promise<never>>;
  private readonly listeners: Listener[];

  private constructor(
    readonly a: RelayPeer,
    readonly b: RelayPeer,
  ) {
    const echo = failureSink();
    this.listeners = [
      listen(a, (data) => {
        this.delivered++;
        this.onReply(data);
      }),
      listen(b, (data) => {
        this.delivered++;
        b.send(a.name, data).catch(echo.fail);
      }),
    ];
    this.failures = [echo.failure, ...this.listeners.map((l) => l.failure)];
  }

  static async open(peers: PeerFactory, label: string): Promise<EchoPair> {
    const [a, b] = await peers.group(label, 2);
    if (a === undefined || b === undefined) throw new Error(`${peers.kind}: group of 2 came back short`);
    return new EchoPair(a, b);
  }

  /** A's side of a volley. */
  serve(data: unknown): Promise<void> {
    return this.a.send(this.b.name, data);
  }

  async close(): Promise<void> {
    await Promise.all(this.listeners.map((l) => l.stop()));
    await Promise.all([this.a.leave(), this.b.leave()]);
  }
}
