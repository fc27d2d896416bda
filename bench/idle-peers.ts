/**
 * The idle crowd of bench/relay.ts, in a process of its own because 10,000
 * held polls need 10,000 sockets: pairs of peers, every peer holding a poll.
 * Driven over IPC by bench/relay-idle.ts:
 *
 *   child -> {type: 'holding'}            every poll is on the wire
 *   parent -> {type: 'deliver', count}    send to `count` distinct random idle peers, one at a time
 *   child -> {type: 'delivered', latenciesMs}
 *   parent -> {type: 'stop'}              abort the polls and exit
 *
 *   node dist/bench/idle-peers.js --kind service|bare --url http://127.0.0.1:8080 [--peers 10000]
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { barePeers, createPools, servicePeers, type RelayPeer } from './relay-client.js';
import { listen, within, type Listener } from './relay-listener.js';

export type IdleCommand = { type: 'deliver'; count: number } | { type: 'stop' };
export type IdleReport = { type: 'holding' } | { type: 'delivered'; latenciesMs: number[] };

const holdMs = 60_000;
const registerConcurrency = 64;
const connectStep = 500;

const { values } = parseArgs({
  options: { kind: { type: 'string' }, url: { type: 'string' }, peers: { type: 'string', default: '10000' } },
});
const count = Number(values.peers);
if (values.url === undefined || (values.kind !== 'service' && values.kind !== 'bare') || !(count >= 2)) {
  throw new Error('usage: idle-peers --kind service|bare --url URL [--peers N]');
}
const pools = createPools(values.url, { send: 8, poll: count });
const factory = values.kind === 'service' ? servicePeers(pools) : barePeers(pools);

function report(message: IdleReport): void {
  process.send?.(message);
}

/** Peers in pairs: each pair one room, as two WebRTC peers would be. peers[i ^ 1] is peers[i]'s partner. */
async function openPairs(): Promise<RelayPeer[]> {
  const pairs = new Array<RelayPeer[]>(Math.floor(count / 2));
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < pairs.length; i = next++) pairs[i] = await factory.group(`idle${i}`, 2);
  };
  await Promise.all(Array.from({ length: registerConcurrency }, worker));
  return pairs.flat();
}

const peers = await openPairs();
/** By index into peers: the service's names repeat from room to room. */
const arrivals = new Map<number, () => void>();
const listeners: Listener[] = [];
/** A crowd with a peer missing measures nothing: fail loudly, and the parent sees the exit. */
const fatal = (error: unknown): void => {
  console.error('idle-peers:', error);
  process.exit(1);
};
// Every poll has left this process once each has a connection of its own and none waits for one.
const allSent = async (): Promise<void> => {
  while (pools.poll.stats.running < listeners.length || pools.poll.stats.pending > 0) await sleep(50);
};
// In steps, so that the server's accept queue is never asked to take 10,000 connections at once.
for (let i = 0; i < peers.length; i++) {
  const listener = listen(peers[i]!, () => arrivals.get(i)?.(), holdMs);
  listener.failure.catch(fatal);
  listeners.push(listener);
  if (listeners.length % connectStep === 0) await allSent();
}
const failures = listeners.map((l) => l.failure);
await allSent();
report({ type: 'holding' });

/** k distinct indices below n, in random order (a partial Fisher-Yates shuffle). */
function sample(n: number, k: number): number[] {
  const indices = [...Array(n).keys()];
  for (let j = 0; j < Math.min(k, n); j++) {
    const r = j + Math.floor(Math.random() * (n - j));
    [indices[j], indices[r]] = [indices[r]!, indices[j]!];
  }
  return indices.slice(0, k);
}

async function deliver(deliveries: number): Promise<number[]> {
  const latencies: number[] = [];
  for (const i of sample(peers.length, deliveries)) {
    const target = peers[i]!;
    const sender = peers[i ^ 1]!;
    const arrived = new Promise<void>((resolve) => arrivals.set(i, resolve));
    const start = performance.now();
    await within(
      Promise.all([sender.send(target.name, { i }), arrived]),
      failures,
      15_000,
      `delivery to ${target.name}`,
    );
    latencies.push(performance.now() - start);
    arrivals.delete(i);
  }
  return latencies;
}

process.on('message', (command: IdleCommand) => {
  if (command.type === 'deliver') {
    deliver(command.count).then(
      (latenciesMs) => report({ type: 'delivered', latenciesMs }),
      (error: unknown) => {
        console.error(error);
        process.exitCode = 1;
        process.disconnect();
      },
    );
  } else {
    void Promise.all(listeners.map((l) => l.stop()))
      .then(() => pools.close())
      .finally(() => process.disconnect());
  }
});
