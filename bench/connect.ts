/**
 * Time from process start to data channel open, bin/client through the
 * signaling service beside a bare werift pair (bench/bare-peer.ts, SDP over
 * pipes, no service), measured in the same run. Median of 5 for each role.
 *
 *   npm run bench:connect        (RUNS=9 for more rounds)
 *
 * Each process measures itself with performance.now(), whose origin is the
 * process start, so both columns count node's own start-up the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { runClient } from '../scripts/client-process.js';
import { repoRoot as root } from '../scripts/repo.js';
import { startSignaling } from '../scripts/signaling-process.js';
import { median } from './stats.js';
const RUNS = Number(process.env.RUNS ?? 5);
const TARGET_MS = 450;
const TARGET_RATIO = 0.7;

type Role = 'offerer' | 'answerer';
type Sample = Record<Role, number>;
/** bin/client's own milestones, from its report's timingsMs (ms since its process started). */
const PHASES = ['registered', 'gatheringComplete', 'iceConnected', 'dtlsConnected', 'dataChannelOpen'] as const;
type Phases = Record<(typeof PHASES)[number], number>;

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Two bare-peer processes; the bench relays each one's SDP line to the other. */
async function bareRound(): Promise<Sample> {
  const start = (role: Role): ChildProcess =>
    spawn(process.execPath, [`${root}dist/bench/bare-peer.js`, role], { stdio: ['pipe', 'pipe', 'inherit'] });
  const peers = { offerer: start('offerer'), answerer: start('answerer') };
  const results = new Map<Role, number>();
  const done = new Promise<void>((resolve, reject) => {
    for (const role of ['offerer', 'answerer'] as const) {
      const other = peers[role === 'offerer' ? 'answerer' : 'offerer'];
      const lines = createInterface({ input: peers[role].stdout! });
      lines.on('line', (line) => {
        const record = parseJson(line);
        if (record && typeof record.dataChannelOpen === 'number') {
          results.set(role, record.dataChannelOpen);
          if (results.size === 2) resolve();
        } else {
          other.stdin!.write(`${line}\n`);
        }
      });
      peers[role].once('exit', (code) => code !== 0 && reject(new Error(`bare ${role} exited with ${code}`)));
    }
  });
  await withTimeout(done, 20_000, 'bare pair');
  for (const peer of Object.values(peers)) peer.stdin!.end();
  await Promise.all(Object.values(peers).map((p) => (p.exitCode === null ? once(p, 'exit') : Promise.resolve())));
  return { offerer: results.get('offerer')!, answerer: results.get('answerer')! };
}

/** bin/client offerer and answerer started together, in a room of their own. */
async function clientRound(url: string, room: string): Promise<Record<Role, Phases>> {
  const run = async (role: Role): Promise<Phases> => {
    const { code, stdout, stderr, reports } = await runClient([
      '--role',
      role,
      '--signaling-addr',
      url,
      '--room',
      room,
      '--json',
      '--messages',
      '1',
      '--interval-ms',
      '10',
      '--audio',
      'none',
      '--log-level',
      'warn',
      '--timeout-s',
      '20',
    ]).result;
    const timings = reports.at(-1)?.timingsMs;
    const phases = {} as Phases;
    for (const phase of PHASES) {
      const value = timings?.[phase];
      if (code !== 0 || typeof value !== 'number')
        throw new Error(`bin/client ${role} exited ${code}: ${stdout}${stderr}`);
      phases[phase] = value;
    }
    return phases;
  };
  const [offerer, answerer] = await Promise.all([run('offerer'), run('answerer')]);
  return { offerer, answerer };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms)),
  );
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const signaling = await startSignaling();
  const bare: Sample[] = [];
  const client: Record<Role, Phases>[] = [];
  try {
    // One warm-up round each (disk cache), then interleaved rounds so load drifts hit both alike.
    await bareRound();
    await clientRound(signaling.url, 'bench-warmup');
    for (let i = 0; i < RUNS; i++) {
      bare.push(await bareRound());
      client.push(await clientRound(signaling.url, `bench-${i}`));
    }
  } finally {
    await signaling.stop();
  }
  const row = (name: string, samples: Sample[]): Sample => {
    const m = { offerer: median(samples.map((s) => s.offerer)), answerer: median(samples.map((s) => s.answerer)) };
    console.log(
      `${name.padEnd(28)}${String(m.offerer).padStart(9)}${String(m.answerer).padStart(10)}   all: ${samples.map((s) => `${s.offerer}/${s.answerer}`).join(' ')}`,
    );
    return m;
  };
  console.log(`connect: process start -> data channel open, median of ${RUNS} (ms)`);
  // Both columns are wall-clock times of CPU-bound start-ups: on a shared machine they say little without this.
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (1/5/15 min)`,
  );
  console.log(`${''.padEnd(28)}${'offerer'.padStart(9)}${'answerer'.padStart(10)}`);
  const b = row('bare werift pair (pipes)', bare);
  const c = row(
    'bin/client via signaling',
    client.map((s) => ({ offerer: s.offerer.dataChannelOpen, answerer: s.answerer.dataChannelOpen })),
  );
  const ratio = { offerer: c.offerer / b.offerer, answerer: c.answerer / b.answerer };
  console.log(
    `${'ratio client / bare'.padEnd(28)}${ratio.offerer.toFixed(2).padStart(9)}${ratio.answerer.toFixed(2).padStart(10)}`,
  );
  // Where bin/client's time goes: each milestone's median, and the step from the one before.
  console.log(`\nbin/client, where the time goes (median ms since process start; +step from the previous)`);
  const previous: Sample = { offerer: 0, answerer: 0 };
  for (const phase of PHASES) {
    const at = {
      offerer: median(client.map((s) => s.offerer[phase])),
      answerer: median(client.map((s) => s.answerer[phase])),
    };
    const cell = (role: Role): string => `${at[role]} (+${at[role] - previous[role]})`;
    console.log(`  ${phase.padEnd(26)}${cell('offerer').padStart(14)}${cell('answerer').padStart(14)}`);
    Object.assign(previous, at);
  }
  const meets = Math.max(c.offerer, c.answerer) <= TARGET_MS && Math.max(ratio.offerer, ratio.answerer) <= TARGET_RATIO;
  console.log(`target: <= ${TARGET_MS} ms and <= ${TARGET_RATIO}x the bare pair: ${meets ? 'met' : 'NOT met'}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
