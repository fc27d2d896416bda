/**
 * Calls across a path that drops random UDP, for each loss rate: how many
 * connect, how many complete, how long the data channel takes to open, and
 * the audio loss reported against the rate dropped. Our pair (bin/client both
 * sides) and, in the same run on the same path, a pion pair as the anchor
 * (the interop tests' pion peer, scripts/pion-peer.ts). The path is the one
 * the loss tests use (scripts/lossy-path.ts): two namespaces, each side's
 * incoming UDP dropped with the rate, so each direction loses that share.
 *
 *   npm run bench:loss                       (root: network namespaces)
 *   CALLS=4 RATES=0,20 npm run bench:loss    fewer calls, some rates
 *   STACKS=werift npm run bench:loss         our pair only
 *   CLIENT_ROOT=/path/to/checkout ...        another build of bin/client (before/after)
 *
 * Not a test: the numbers are what they are. ~20 minutes at the defaults.
 * "exchange complete": every pong and the peer's done arrived on both sides
 * (what both stacks judge alike); "completed": both exited 0, which for
 * bin/client also needs audio under 10 % lost, and for pion does not.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { buildPionPeer } from '../scripts/pion-peer.js';
import { repoRoot as root } from '../scripts/repo.js';
import { createLossyPath, type LossyPath, type Side } from '../scripts/lossy-path.js';
import { median } from './stats.js';

const clientRoot = process.env.CLIENT_ROOT ?? root;
const CALLS = Number(process.env.CALLS ?? 10);
const RATES = (process.env.RATES ?? '0,5,10,20,30').split(',').map(Number);
const STACKS = (process.env.STACKS ?? 'werift,pion').split(',');
const MESSAGES = 5;
const ARGS = ['--messages', String(MESSAGES), '--interval-ms', '200', '--duration-s', '3', '--timeout-s', '30'];

interface Outcome {
  code: number | null;
  connected: boolean;
  /** Every pong of ours came back and the peer's done arrived: the exchange, audio aside. */
  exchanged: boolean;
  dataChannelOpenMs: number | null;
  /** Audio lost as the side itself reports it (bin/client only). */
  reportedLoss: number | null;
  received: number;
  sent: number;
  error: string | null;
}

interface PeerRun {
  registered: Promise<void>;
  done: Promise<Outcome>;
}

function runPeer(side: Side, path: LossyPath, command: string[], parse: (report: unknown) => Outcome): PeerRun {
  const child = spawn('ip', ['netns', 'exec', path.ns[side], ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  let onRegistered: () => void = () => undefined;
  const registered = new Promise<void>((resolve) => (onRegistered = resolve));
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (/registered as/.test(line)) onRegistered();
  });
  const done = (async () => {
    const [code] = (await once(child, 'exit')) as [number | null];
    onRegistered();
    const line = stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .at(-1);
    const blank: Outcome = {
      code,
      connected: false,
      exchanged: false,
      dataChannelOpenMs: null,
      reportedLoss: null,
      received: 0,
      sent: 0,
      error: 'no report',
    };
    if (!line) return blank;
    try {
      return { ...parse(JSON.parse(line)), code };
    } catch {
      return blank;
    }
  })();
  return { registered, done };
}

interface Exchange {
  dataChannel?: { received?: number; peerDone?: boolean } | null;
  timingsMs?: { dataChannelOpen?: number | null };
}
/** The fields read from bin/client's --json report (CLI.md). */
interface OurReport extends Exchange {
  states?: { connection?: string };
  audio?: { received?: { packets?: number; lost?: number | null }; sent?: { packets?: number } } | null;
  error?: { code: string } | null;
}
/** The fields read from the pion peer's report (docs/INTEROP.md). */
interface PionReport extends Exchange {
  connected?: boolean;
  audio?: { received?: { packets?: number }; sent?: { packets?: number } };
  error?: string | null;
}

function ours(report: unknown): Outcome {
  const r = report as OurReport;
  const received = r.audio?.received ?? {};
  const packets: number = received.packets ?? 0;
  const lost: number | null = received.lost ?? null;
  return {
    code: null,
    connected: r.states?.connection === 'connected' || r.timingsMs?.dataChannelOpen != null,
    exchanged: r.dataChannel?.received === MESSAGES && r.dataChannel?.peerDone === true,
    dataChannelOpenMs: r.timingsMs?.dataChannelOpen ?? null,
    reportedLoss: lost === null || packets + lost === 0 ? null : lost / (packets + lost),
    received: packets,
    sent: r.audio?.sent?.packets ?? 0,
    error: r.error ? r.error.code : null,
  };
}

function pions(report: unknown): Outcome {
  const r = report as PionReport;
  return {
    code: null,
    connected: r.connected === true,
    exchanged: r.dataChannel?.received === MESSAGES && r.dataChannel?.peerDone === true,
    dataChannelOpenMs: r.timingsMs?.dataChannelOpen ?? null,
    reportedLoss: null,
    received: r.audio?.received?.packets ?? 0,
    sent: r.audio?.sent?.packets ?? 0,
    error: typeof r.error === 'string' ? r.error.slice(0, 48) : null,
  };
}

interface Stack {
  name: string;
  command(role: 'offerer' | 'answerer', url: string, room: string): string[];
  parse: (report: unknown) => Outcome;
}

async function stacks(): Promise<Stack[]> {
  const out: Stack[] = [];
  if (STACKS.includes('werift')) {
    out.push({
      name: clientRoot === root ? 'werift (ours)' : `werift (${clientRoot})`,
      command: (role, url, room) => [
        process.execPath,
        `${clientRoot}bin/client`,
        '--role',
        role,
        '--signaling-addr',
        url,
        '--room',
        room,
        '--json',
        ...ARGS,
      ],
      parse: ours,
    });
  }
  if (STACKS.includes('pion')) {
    const built = await buildPionPeer();
    if ('skip' in built) console.log(`pion pair left out: ${built.skip}`);
    else
      out.push({
        name: 'pion v3',
        command: (role, url, room) => [built.path, '--role', role, '--signaling-addr', url, '--room', room, ...ARGS],
        parse: pions,
      });
  }
  return out;
}

interface Row {
  rate: number;
  stack: string;
  calls: number;
  connected: number;
  exchanged: number;
  completed: number;
  openMs: number[];
  reported: number[];
  counted: number[];
  errors: Map<string, number>;
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('bench:loss needs root (network namespaces); nothing measured');
    return;
  }
  const started = performance.now();
  const list = await stacks();
  const path = await createLossyPath('loss-b');
  const rows: Row[] = [];
  let room = 0;
  try {
    for (const rate of RATES) {
      for (const stack of list) {
        path.clear();
        path.randomLoss(rate / 100);
        const row: Row = {
          rate,
          stack: stack.name,
          calls: CALLS,
          connected: 0,
          exchanged: 0,
          completed: 0,
          openMs: [],
          reported: [],
          counted: [],
          errors: new Map(),
        };
        for (let i = 0; i < CALLS; i++) {
          room += 1;
          const name = `bench-${room}`;
          const answerer = runPeer('B', path, stack.command('answerer', path.service.url, name), stack.parse);
          await answerer.registered;
          const offerer = runPeer('A', path, stack.command('offerer', path.service.url, name), stack.parse);
          const [o, a] = await Promise.all([offerer.done, answerer.done]);
          if (o.connected && a.connected) row.connected += 1;
          if (o.exchanged && a.exchanged) row.exchanged += 1;
          if (o.code === 0 && a.code === 0) row.completed += 1;
          for (const [side, peer] of [
            [o, a],
            [a, o],
          ] as const) {
            if (side.dataChannelOpenMs !== null) row.openMs.push(side.dataChannelOpenMs);
            if (side.reportedLoss !== null) row.reported.push(side.reportedLoss);
            if (side.connected && peer.sent > 0) row.counted.push(Math.max(0, 1 - side.received / peer.sent));
            if (side.code !== 0 && side.error) row.errors.set(side.error, (row.errors.get(side.error) ?? 0) + 1);
          }
          process.stderr.write(`${rate} % ${stack.name} call ${i + 1}: offerer ${o.code} answerer ${a.code}\n`);
        }
        rows.push(row);
      }
    }
  } finally {
    await path.close();
  }

  console.log(`\n${CALLS} calls per rate and stack; each direction loses the rate; load ${loadavg()[0]?.toFixed(2)}`);
  console.log(
    '| loss | stack | connected | exchange complete | completed (exit 0) | data channel open (median, ms from start) | audio loss reported | audio loss counted | failures (sides) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const open = r.openMs.length > 0 ? median(r.openMs) : null;
    const errors = [...r.errors].map(([e, n]) => `${e} ×${n}`).join(', ') || '—';
    console.log(
      `| ${r.rate} % | ${r.stack} | ${r.connected}/${r.calls} | ${r.exchanged}/${r.calls} | ${r.completed}/${r.calls} | ${open === null ? '—' : Math.round(open)} | ${pct(mean(r.reported))} | ${pct(mean(r.counted))} | ${errors} |`,
    );
  }
  console.log(`\n(${((performance.now() - started) / 60_000).toFixed(1)} min)`);
}

await main();
