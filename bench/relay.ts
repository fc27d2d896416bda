/**
 * The signaling service against a bare Fastify relay (bench/bare-relay.ts),
 * started side by side in their own processes and driven by the same client
 * in the same run, so the ratios say what the protocol costs over the least a
 * long-polling relay can do:
 *
 * 1. round trip for one pair: A sends, B's held poll returns, B answers, A's held poll returns;
 * 2. messages per second, 100 pairs ping-ponging;
 * 3. fan-in: 50 senders x 20 messages into one mailbox, until all are delivered;
 * 4. 10,000 peers each holding a poll: server RSS per peer, delivery to random idle ones.
 *
 * Measurements alternate between the servers in slices, so a neighbour's load
 * on this shared machine hits both alike.
 *
 *   npm run bench:relay
 *   node dist/bench/relay.js --idle-peers 2000      a quicker look
 *   node dist/bench/relay.js --profile DIR          both servers write a .cpuprofile into DIR
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { barePeers, createPools, servicePeers, type PeerFactory, type RelayPools } from './relay-client.js';
import { idlePeers, type IdleResult } from './relay-idle.js';
import { FanIn, PingPong, RoundTrips } from './relay-scenarios.js';
import { cpuSeconds, serviceFlags, startBareRelay, startService, type ServerProcess } from './relay-servers.js';
import { formatTable, type Row } from './relay-table.js';
import { median, percentile } from './stats.js';

const { values } = parseArgs({
  options: {
    'round-trips': { type: 'string', default: '1200' },
    'idle-peers': { type: 'string', default: '10000' },
    profile: { type: 'string' },
  },
});
const plan = {
  roundTripWarmup: 500,
  roundTrips: Number(values['round-trips']),
  slices: 4,
  pairs: 100,
  pingPongWarmupMs: 1000,
  pingPongWindowMs: 2000,
  pingPongWindows: 2,
  fanInSenders: 50,
  fanInPerSender: 20,
  fanInRounds: 5,
  idlePeers: Number(values['idle-peers']),
  idleDeliveries: 500,
};

interface Side {
  name: 'bare' | 'service';
  server: ServerProcess;
  pools: RelayPools;
  peers: PeerFactory;
}

function side(name: Side['name'], server: ServerProcess): Side {
  const pools = createPools(server.url, { send: 128, poll: 256 });
  return { name, server, pools, peers: name === 'bare' ? barePeers(pools) : servicePeers(pools) };
}

/** Runs fn for each side in turn, `slices` times, alternating which goes first. */
async function alternate<T>(
  sides: readonly Side[],
  slices: number,
  fn: (s: Side, i: number) => Promise<T>,
): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(sides.map((s) => [s.name, []]));
  for (let i = 0; i < slices; i++) {
    const order = i % 2 === 0 ? sides : [...sides].reverse();
    for (const s of order) results.get(s.name)!.push(await fn(s, i));
  }
  return results;
}

async function roundTrips(sides: Side[]): Promise<Map<string, number[]>> {
  const open = new Map(await Promise.all(sides.map(async (s) => [s.name, await RoundTrips.open(s.peers)] as const)));
  for (const s of sides) await open.get(s.name)!.measure(plan.roundTripWarmup);
  const slices = await alternate(sides, plan.slices, (s) =>
    open.get(s.name)!.measure(Math.ceil(plan.roundTrips / plan.slices)),
  );
  for (const r of open.values()) await r.close();
  return new Map([...slices].map(([name, parts]) => [name, parts.flat()]));
}

interface Throughput {
  perSecond: number;
  serverCpu: number;
  /** This process's CPU: if it were near a whole core, the client would be the limit. */
  clientCpu: number;
}

async function pingPong(sides: Side[]): Promise<Map<string, Throughput[]>> {
  const open = new Map<string, PingPong>();
  for (const s of sides) open.set(s.name, await PingPong.open(s.peers, plan.pairs));
  for (const s of sides) await open.get(s.name)!.measure(plan.pingPongWarmupMs);
  const windows = await alternate(sides, plan.pingPongWindows, async (s) => {
    const cpuBefore = await cpuSeconds(s.server.pid);
    const clientBefore = process.cpuUsage();
    const start = performance.now();
    const perSecond = await open.get(s.name)!.measure(plan.pingPongWindowMs);
    const seconds = (performance.now() - start) / 1000;
    const client = process.cpuUsage(clientBefore);
    return {
      perSecond,
      serverCpu: ((await cpuSeconds(s.server.pid)) - cpuBefore) / seconds,
      clientCpu: (client.user + client.system) / 1e6 / seconds,
    };
  });
  for (const p of open.values()) await p.close();
  return windows;
}

async function fanIn(sides: Side[]): Promise<Map<string, number[]>> {
  const open = new Map<string, FanIn>();
  for (const s of sides) open.set(s.name, await FanIn.open(s.peers, plan.fanInSenders));
  for (const s of sides) await open.get(s.name)!.measure(plan.fanInPerSender);
  const rounds = await alternate(sides, plan.fanInRounds, (s) => open.get(s.name)!.measure(plan.fanInPerSender));
  for (const f of open.values()) await f.close();
  return rounds;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const started = performance.now();
  console.log(
    `relay benchmark: node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const nodeFlags = values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${values.profile}`];
  const [bare, service] = await Promise.all([startBareRelay(nodeFlags), startService([], nodeFlags)]);
  const sides = [side('bare', bare), side('service', service)];
  let idle: Map<string, IdleResult>;
  let rtt: Map<string, number[]>;
  let throughput: Map<string, Throughput[]>;
  let fan: Map<string, number[]>;
  try {
    rtt = await roundTrips(sides);
    throughput = await pingPong(sides);
    fan = await fanIn(sides);
    for (const s of sides) await s.pools.close();
    idle = new Map();
    for (const s of sides)
      idle.set(s.name, await idlePeers(s.server, s.name, { peers: plan.idlePeers, deliveries: plan.idleDeliveries }));
  } finally {
    await Promise.all(
      sides.map(async (s) => {
        await s.pools.close().catch(() => {});
        await s.server.stop();
      }),
    );
  }
  const both = (f: (name: 'bare' | 'service') => number): { bare: number; service: number } => ({
    bare: f('bare'),
    service: f('service'),
  });
  const get = <T>(m: Map<string, T>, name: string): T => m.get(name)!;
  const rows: Row[] = [
    {
      figure: 'round trip p50 (ms)',
      ...both((n) => median(get(rtt, n))),
      digits: 3,
      target: { type: 'ratio-at-most', value: 1.1 },
    },
    { figure: 'round trip p99 (ms)', ...both((n) => percentile(get(rtt, n), 99)), digits: 3 },
    {
      figure: `throughput, ${plan.pairs} pairs (msg/s)`,
      ...both((n) => mean(get(throughput, n).map((t) => t.perSecond))),
      digits: 0,
      target: { type: 'ratio-at-least', value: 1.0 },
    },
    {
      figure: '  server CPU meanwhile (cores)',
      ...both((n) => mean(get(throughput, n).map((t) => t.serverCpu))),
      digits: 2,
    },
    {
      figure: '  server CPU per message (us)',
      ...both((n) => mean(get(throughput, n).map((t) => (t.serverCpu / t.perSecond) * 1e6))),
      digits: 0,
    },
    {
      figure: '  client CPU meanwhile (cores)',
      ...both((n) => mean(get(throughput, n).map((t) => t.clientCpu))),
      digits: 2,
    },
    {
      // The client is one JavaScript thread: near a core, its cost per message bounds the rate whatever the server does.
      figure: '  client CPU per message (us)',
      ...both((n) => mean(get(throughput, n).map((t) => (t.clientCpu / t.perSecond) * 1e6))),
      digits: 0,
    },
    {
      figure: `fan-in ${plan.fanInSenders}x${plan.fanInPerSender}, median (ms)`,
      ...both((n) => median(get(fan, n))),
      digits: 1,
      target: { type: 'ratio-at-most', value: 1.0 },
    },
    {
      figure: 'RSS per idle peer (KiB)',
      ...both((n) => get(idle, n).bytesPerPeer / 1024),
      digits: 2,
      target: { type: 'service-at-most', value: 9.5, unit: 'KiB' },
    },
    { figure: 'idle delivery p99 (ms)', ...both((n) => percentile(get(idle, n).latenciesMs, 99)), digits: 2 },
  ];
  console.log(`service: bin/signaling ${serviceFlags.join(' ')}`);
  console.log(
    '  (limits lifted so that the benchmark measures the relay, not the rate limit, room size or mailbox size)',
  );
  console.log(
    `round trips: ${rtt.get('bare')!.length} per server after ${plan.roundTripWarmup} warm-up; ping-pong: ${plan.pingPongWindows} x ${plan.pingPongWindowMs} ms windows after ${plan.pingPongWarmupMs} ms warm-up; fan-in: ${plan.fanInRounds} rounds after 1 warm-up`,
  );
  for (const name of ['bare', 'service'] as const) {
    const r = get(idle, name);
    console.log(
      `idle ${name}: ${plan.idlePeers} peers holding polls, RSS ${(r.rssBeforeBytes / 2 ** 20).toFixed(1)} -> ${(r.rssAfterBytes / 2 ** 20).toFixed(1)} MiB (each after a full GC); ${r.latenciesMs.length} deliveries, p50 ${median(r.latenciesMs).toFixed(2)} ms`,
    );
  }
  console.log(
    `fan-in rounds (ms): bare ${get(fan, 'bare')
      .map((x) => x.toFixed(0))
      .join(' ')}; service ${get(fan, 'service')
      .map((x) => x.toFixed(0))
      .join(' ')}`,
  );
  console.log('');
  console.log(formatTable(rows));
  console.log(
    `\n(${((performance.now() - started) / 1000).toFixed(0)} s; ratios are service / bare; targets are printed, not asserted)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
