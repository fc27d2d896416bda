/**
 * One call between bin/client and a peer of another WebRTC stack, through a
 * real bin/signaling on loopback (docs/INTEROP.md). The other peer is a
 * process (pion, aiortc) or a browser page (chromium); either way it ends
 * with one JSON report in the shape docs/INTEROP.md gives, checked here
 * against bin/client's own.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Test } from 'tap';
import { runClient, type Service } from '../helpers/processes.js';

export type Role = 'offerer' | 'answerer';
export const otherRole = (role: Role): Role => (role === 'offerer' ? 'answerer' : 'offerer');

/** bin/client's default tones (CLI.md), which the peers use too. */
export const TONE_HZ: Record<Role, number> = { offerer: 440, answerer: 660 };

/** Short but complete: 3 pings, 2 s of tone each way. */
export const EXCHANGE = { messages: 3, intervalMs: 200, durationS: 2 } as const;

/** What every interop peer prints when it ends (docs/INTEROP.md). */
export interface PeerReport {
  stack: string;
  role: Role;
  ok: boolean;
  connected: boolean;
  dataChannel: { open: boolean; sent: number; received: number; peerDone: boolean };
  audio: {
    sent: { packets: number; toneHz: number };
    received: { packets: number; decoded: number; dominantHz: number | null };
  };
  error: string | null;
}

export interface PeerOutcome {
  code: number | null;
  report: PeerReport | undefined;
  log: string;
}

export interface PeerCall {
  role: Role;
  signalingAddr: string;
  room: string;
}

/** Starts the other stack's peer; resolves when it has ended. */
export type StartPeer = (call: PeerCall) => Promise<PeerOutcome>;

/** The command-line flags every interop peer program takes (the same names as bin/client's). */
export function peerArgs(call: PeerCall): string[] {
  return [
    '--role',
    call.role,
    '--signaling-addr',
    call.signalingAddr,
    '--room',
    call.room,
    '--messages',
    String(EXCHANGE.messages),
    '--interval-ms',
    String(EXCHANGE.intervalMs),
    '--duration-s',
    String(EXCHANGE.durationS),
    '--timeout-s',
    '30',
  ];
}

/** Runs a peer program to its end (killed after `limitMs`); its report is the last JSON line of stdout. */
export async function runPeerProgram(command: string, args: string[], limitMs = 90_000): Promise<PeerOutcome> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(limit);
  return { code, report: lastReport(stdout), log };
}

export function lastReport(stdout: string): PeerReport | undefined {
  const line = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .at(-1);
  return line === undefined ? undefined : (JSON.parse(line) as PeerReport);
}

let rooms = 0;

/**
 * One call: the other stack as `peerRole`, bin/client as the other role, in a
 * fresh room of `service`; then every check of a completed call on both sides.
 */
export async function interopCall(t: Test, service: Service, startPeer: StartPeer, peerRole: Role): Promise<void> {
  const room = `interop-${process.pid}-${++rooms}`;
  const clientRole = otherRole(peerRole);
  // bin/client takes the same flags as the peer programs, and reports as JSON.
  const client = runClient([...peerArgs({ role: clientRole, signalingAddr: service.url, room }), '--json']);
  const killClient = setTimeout(() => client.child.kill('SIGKILL'), 90_000);
  const [peer, ours] = await Promise.all([
    startPeer({ role: peerRole, signalingAddr: service.url, room }),
    client.result,
  ]);
  clearTimeout(killClient);
  const report = ours.reports.at(-1) as ClientReport | undefined;
  const context = { clientLog: ours.stderr, peerLog: peer.log };

  t.equal(ours.code, 0, `bin/client (${clientRole}) exits 0`, context);
  t.equal(report?.ok, true, 'bin/client reports ok', { error: report?.error });
  t.equal(report?.dataChannel?.received, EXCHANGE.messages, 'bin/client: every ping got its pong');
  t.equal(report?.dataChannel?.peerDone, true, "bin/client: the peer's done arrived");
  t.ok((report?.audio?.received.packets ?? 0) >= 50, "bin/client received a second of the peer's audio", {
    audio: report?.audio,
  });
  t.ok(
    near(report?.audio?.received.dominantHz, TONE_HZ[peerRole]),
    `bin/client hears the ${TONE_HZ[peerRole]} Hz tone`,
    {
      dominantHz: report?.audio?.received.dominantHz,
    },
  );
  t.equal(
    ours.stderr.match(/addIceCandidate failed/g)?.length ?? 0,
    0,
    "bin/client took every one of the peer's candidates",
  );

  const pair = report?.selectedPair;
  if (pair)
    t.comment(
      `bin/client's selected pair: ${pair.local.type} ${pair.local.address} <-> ${pair.remote.type} ${pair.remote.address}`,
    );

  const theirs = peer.report;
  t.equal(peer.code, 0, `the ${theirs?.stack ?? 'other'} peer (${peerRole}) exits 0`, context);
  t.equal(theirs?.ok, true, 'the peer reports ok', { error: theirs?.error });
  t.equal(theirs?.dataChannel.received, EXCHANGE.messages, 'the peer: every ping got its pong');
  t.equal(theirs?.dataChannel.peerDone, true, "the peer: bin/client's done arrived");
  t.ok((theirs?.audio.received.decoded ?? 0) >= 50, "the peer decoded a second of bin/client's audio", {
    audio: theirs?.audio,
  });
  t.ok(
    near(theirs?.audio.received.dominantHz, TONE_HZ[clientRole]),
    `the peer hears the ${TONE_HZ[clientRole]} Hz tone`,
    {
      dominantHz: theirs?.audio.received.dominantHz,
    },
  );
}

interface ClientReport {
  ok: boolean;
  error: unknown;
  dataChannel: { received: number; peerDone: boolean } | null;
  audio: { received: { packets: number; dominantHz: number | null } } | null;
  selectedPair: { local: { type: string; address: string }; remote: { type: string; address: string } } | null;
}

/** Within 5 %: the tone measured by another stack's estimate, after a lossy codec. */
function near(hz: number | null | undefined, expected: number): boolean {
  return typeof hz === 'number' && Math.abs(hz - expected) <= expected * 0.05;
}
