/**
 * bench:relay-redis — the relay through two service instances sharing one
 * Redis, against one in-memory instance, in the same run. Every message is
 * sent through instance A and long-polled through instance B, so each one
 * crosses instances: a Lua script on A's connection stores it and publishes
 * the wake-up that B's held poll answers.
 *
 * Scenarios (the lead's bench/relay-scenarios.ts, unchanged): round trips one
 * after another (p50/p99), and many pairs ping-ponging (messages per second).
 * The two setups are measured in alternating slices so that load from other
 * users of the machine falls on both alike.
 *
 * Targets: Redis-backed throughput >= 0.5x in-memory; round trip p50 <= 2 ms.
 */
import { createPools, servicePeers, type PeerFactory, type RelayPools } from './relay-client.js';
import { PingPong, RoundTrips } from './relay-scenarios.js';
import { cpuSeconds, startService, type ServerProcess } from './relay-servers.js';
import { percentile } from './stats.js';
import { startRedis, type RedisServer } from '../scripts/redis-server.js';

const slices = Number(process.env.BENCH_SLICES ?? 5);
const roundTripsPerSlice = Number(process.env.BENCH_ROUND_TRIPS ?? 300);
const pingPongMs = Number(process.env.BENCH_PINGPONG_MS ?? 2000);
const pairs = Number(process.env.BENCH_PAIRS ?? 16);
const poolSizes = { send: pairs * 2, poll: pairs * 2 + 4 };

interface Setup {
  label: string;
  peers: PeerFactory;
  /** The processes whose CPU time the ping-pong windows are charged with, by role. */
  processes: Array<{ role: string; pid: number }>;
  rtt: number[];
  rates: number[];
  /** CPU seconds per role over all ping-pong windows, and the messages they carried. */
  cpu: Map<string, number>;
  messages: number;
  roundTrips?: RoundTrips;
  pingPong?: PingPong;
}

async function main(): Promise<void> {
  const redis: RedisServer = await startRedis();
  const servers: ServerProcess[] = [];
  const pools: RelayPools[] = [];
  try {
    const memory = await startService();
    servers.push(memory);
    const storeFlags = ['--store', redis.url(0)];
    const [a, b] = await Promise.all([startService(storeFlags), startService(storeFlags)]);
    servers.push(a, b);
    const memoryPools = createPools(memory.url, poolSizes);
    const aPools = createPools(a.url, poolSizes);
    const bPools = createPools(b.url, poolSizes);
    pools.push(memoryPools, aPools, bPools);
    // Sends (and registration) through A, polls through B.
    const crossed: RelayPools = { send: aPools.send, poll: bPools.poll, close: async () => {} };
    const setups: Setup[] = [
      {
        label: 'memory, 1 instance',
        peers: servicePeers(memoryPools),
        processes: [{ role: 'instance', pid: memory.pid }],
        rtt: [],
        rates: [],
        cpu: new Map(),
        messages: 0,
      },
      {
        label: 'redis, 2 instances',
        peers: servicePeers(crossed),
        processes: [
          { role: 'instance A', pid: a.pid },
          { role: 'instance B', pid: b.pid },
          { role: 'redis-server', pid: redis.pid },
        ],
        rtt: [],
        rates: [],
        cpu: new Map(),
        messages: 0,
      },
    ];
    for (const setup of setups) {
      setup.roundTrips = await RoundTrips.open(setup.peers);
      setup.pingPong = await PingPong.open(setup.peers, pairs);
      // Warm-up: JIT, connection pools, Redis script cache.
      await setup.roundTrips.measure(100);
      await setup.pingPong.measure(500);
    }
    for (let slice = 0; slice < slices; slice++) {
      for (const setup of slice % 2 === 0 ? setups : [...setups].reverse()) {
        setup.rtt.push(...(await setup.roundTrips!.measure(roundTripsPerSlice)));
        const before = await Promise.all(setup.processes.map(async (p) => await cpuSeconds(p.pid)));
        const rate = await setup.pingPong!.measure(pingPongMs);
        const after = await Promise.all(setup.processes.map(async (p) => await cpuSeconds(p.pid)));
        setup.rates.push(rate);
        setup.messages += (rate * pingPongMs) / 1000;
        setup.processes.forEach((p, i) => {
          setup.cpu.set(p.role, (setup.cpu.get(p.role) ?? 0) + (after[i] ?? 0) - (before[i] ?? 0));
        });
      }
    }
    for (const setup of setups) {
      await setup.roundTrips!.close();
      await setup.pingPong!.close();
    }
    report(setups);
  } finally {
    await Promise.all(
      pools.map(async (p) => {
        await p.close();
      }),
    );
    await Promise.all(
      servers.map(async (s) => {
        await s.stop();
      }),
    );
    await redis.stop();
  }
}

function report(setups: Setup[]): void {
  const rows = setups.map((setup) => ({
    label: setup.label,
    p50: percentile(setup.rtt, 50),
    p99: percentile(setup.rtt, 99),
    rate: percentile(setup.rates, 50),
  }));
  const ms = (value: number): string => value.toFixed(2).padStart(8);
  console.log(
    `relay: ${slices} slices of ${roundTripsPerSlice} round trips and ${pingPongMs} ms of ${pairs} ping-pong pairs each`,
  );
  console.log('setup                 rtt p50 ms  rtt p99 ms   msgs/s (median slice)');
  for (const row of rows)
    console.log(`${row.label.padEnd(20)}  ${ms(row.p50)}    ${ms(row.p99)}    ${row.rate.toFixed(0).padStart(8)}`);
  console.log('CPU per relayed message (ping-pong windows; the ceiling is one core of that process at 100%):');
  for (const setup of setups) {
    for (const [role, seconds] of setup.cpu) {
      const perMessageUs = (seconds * 1e6) / setup.messages;
      console.log(
        `  ${setup.label.padEnd(20)} ${role.padEnd(13)} ${perMessageUs.toFixed(0).padStart(6)} µs/msg  -> ceiling ~${(1e6 / perMessageUs).toFixed(0)} msgs/s per core`,
      );
    }
  }
  const [memory, redis] = rows;
  if (memory === undefined || redis === undefined) return;
  const throughput = redis.rate / memory.rate;
  console.log(
    `ratios redis/memory: throughput ${throughput.toFixed(2)}x, rtt p50 ${(redis.p50 / memory.p50).toFixed(2)}x, rtt p99 ${(redis.p99 / memory.p99).toFixed(2)}x`,
  );
  console.log(
    `targets: throughput >= 0.5x ${throughput >= 0.5 ? 'met' : 'MISSED'}; redis rtt p50 <= 2 ms ${redis.p50 <= 2 ? 'met' : 'MISSED'}`,
  );
}

await main();
