import { execFileSync } from 'node:child_process';
import { runClient, startService, type ClientRun, type Service } from './processes.js';

/**
 * A path between two peers that loses packets: two network namespaces joined
 * by a veth pair, the offerer and the signaling service in A, the answerer in
 * B. Each side's INPUT chain is where its incoming UDP is dropped, so a rule
 * in B acts on what the offerer sends and a rule in A on what the answerer
 * sends. This kernel has no netem; iptables' `statistic` (random, nth) and
 * `u32` matches do the dropping. Between two werift peers the offerer is
 * ICE-controlling and so the DTLS server, the answerer the DTLS client.
 */

export type Side = 'A' | 'B';
export const ADDRESS: Record<Side, string> = { A: '192.0.2.1', B: '192.0.2.2' };

export interface LossyPath {
  ns: Record<Side, string>;
  service: Service;
  /** Runs iptables inside the namespace of that side. */
  iptables(side: Side, ...args: string[]): void;
  /** Drops this share (0..1) of the UDP arriving at each side, both directions. */
  randomLoss(probability: number): void;
  /** Removes every rule that drops (the INPUT chains are ours alone). */
  clear(): void;
  /** Starts the answerer in B, waits for its registration, then the offerer in A. */
  call(args: string[], options?: { offererArgs?: string[]; answererArgs?: string[] }): Promise<Call>;
  close(): Promise<void>;
}

export interface Call {
  offerer: ClientRun;
  answerer: ClientRun;
}

/** Names start with the prefix (e.g. `loss-`) so a shared machine knows whose they are. */
export async function createLossyPath(prefix: string): Promise<LossyPath> {
  const id = `${prefix}${process.pid}`;
  const ns: Record<Side, string> = { A: `${id}-a`, B: `${id}-b` };
  const run = (command: string, args: string[]): void => void execFileSync(command, args, { stdio: 'ignore' });
  const ip = (...args: string[]): void => run('ip', args);
  const iptables = (side: Side, ...args: string[]): void => run('ip', ['netns', 'exec', ns[side], 'iptables', ...args]);

  for (const side of ['A', 'B'] as const) {
    ip('netns', 'add', ns[side]);
    ip('-n', ns[side], 'link', 'set', 'lo', 'up');
  }
  // veth names are at most 15 characters.
  const vethA = `${id}a`.slice(-15);
  const vethB = `${id}b`.slice(-15);
  ip('-n', ns.A, 'link', 'add', vethA, 'type', 'veth', 'peer', 'name', vethB, 'netns', ns.B);
  for (const [side, veth] of [
    ['A', vethA],
    ['B', vethB],
  ] as const) {
    ip('-n', ns[side], 'addr', 'add', `${ADDRESS[side]}/24`, 'dev', veth);
    ip('-n', ns[side], 'link', 'set', veth, 'up');
  }

  let service: Service;
  try {
    service = await startService([], { netns: ns.A, host: ADDRESS.A });
  } catch (error) {
    for (const side of ['A', 'B'] as const) ip('netns', 'del', ns[side]);
    throw error;
  }
  let calls = 0;
  const runs: ClientRun[] = [];

  return {
    ns,
    service,
    iptables,
    randomLoss(probability) {
      if (probability <= 0) return;
      for (const side of ['A', 'B'] as const) {
        iptables(
          side,
          '-A',
          'INPUT',
          '-p',
          'udp',
          '-m',
          'statistic',
          '--mode',
          'random',
          '--probability',
          String(probability),
          '-j',
          'DROP',
        );
      }
    },
    clear() {
      for (const side of ['A', 'B'] as const) iptables(side, '-F', 'INPUT');
    },
    async call(args, options = {}) {
      calls += 1;
      const room = `loss-${calls}`;
      const common = ['--signaling-addr', service.url, '--room', room, '--json', ...args];
      const answerer = runClient(['--role', 'answerer', ...common, ...(options.answererArgs ?? [])], { netns: ns.B });
      runs.push(answerer);
      await answerer.waitFor(/registered as answerer/);
      const offerer = runClient(['--role', 'offerer', ...common, ...(options.offererArgs ?? [])], { netns: ns.A });
      runs.push(offerer);
      return { offerer, answerer };
    },
    async close() {
      for (const r of runs) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
      await service.stop();
      for (const side of ['A', 'B'] as const) ip('netns', 'del', ns[side]);
    },
  };
}

/**
 * iptables match arguments for one DTLS handshake message in epoch 0 (before
 * ChangeCipherSpec), by its HandshakeType: record content type 22 at UDP
 * payload byte 0, epoch 0 at bytes 3-4, the message type at byte 13 (werift
 * sends each message of a flight in a datagram of its own).
 */
export function dtlsHandshakeMatch(handshakeType: number): string[] {
  const payload = (offset: number): string => `0>>22&0x3C@${8 + offset}`;
  return [
    '-p',
    'udp',
    '-m',
    'u32',
    '--u32',
    `${payload(0)}>>24=0x16&&${payload(3)}>>16=0&&${payload(13)}>>24=${handshakeType}`,
  ];
}

/** iptables match arguments for a DTLS record by content type and epoch (20 ChangeCipherSpec, 22 handshake). */
export function dtlsRecordMatch(contentType: number, epoch: number): string[] {
  const payload = (offset: number): string => `0>>22&0x3C@${8 + offset}`;
  return ['-p', 'udp', '-m', 'u32', '--u32', `${payload(0)}>>24=${contentType}&&${payload(3)}>>16=${epoch}`];
}

/**
 * SCTP packets travel in DTLS application data (content type 23), encrypted,
 * so they are told apart by size: the IP packet's length. werift sends one
 * chunk per packet; between two werift peers with host candidates (no
 * extensions beyond werift's) these lengths hold, measured with iptables
 * counters: INIT and a DCEP OPEN (label "chat") 109, INIT ACK 137, COOKIE ECHO
 * 105, COOKIE ACK 81, DCEP ACK 97.
 */
export const SCTP_IP_LENGTH = {
  init: 109,
  initAck: 137,
  cookieEcho: 105,
  cookieAck: 81,
  dcepOpen: 109,
  dcepAck: 97,
  /** A chat message of 13 to 16 bytes: {"type":"done"}, {"type":"alive"}. */
  shortChat: 109,
};

export function sctpPacketMatch(ipLength: number): string[] {
  return ['-p', 'udp', '-m', 'u32', '--u32', '0>>22&0x3C@8>>24=23', '-m', 'length', '--length', String(ipLength)];
}

/** Only the `n`-th packet that matches (1 = the first) is dropped. */
export function dropNth(path: LossyPath, side: Side, match: string[], n: number): void {
  path.iptables(
    side,
    '-A',
    'INPUT',
    ...match,
    '-m',
    'statistic',
    '--mode',
    'nth',
    '--every',
    '1000000',
    '--packet',
    String(n - 1),
    '-j',
    'DROP',
  );
}

/** The first `times` packets that match are dropped, the rest pass: one nth rule per drop. */
export function dropFirst(path: LossyPath, side: Side, match: string[], times = 1): void {
  // Each rule takes the first packet it sees (then every millionth); a dropped packet reaches no later rule.
  for (let i = 0; i < times; i++) dropNth(path, side, match, 1);
}

/** How many packets the drop rules of that side dropped, in rule order. */
export function dropCounts(path: LossyPath, side: Side): number[] {
  const out = execFileSync('ip', ['netns', 'exec', path.ns[side], 'iptables', '-L', 'INPUT', '-v', '-x', '-n'], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .slice(2)
    .filter((l) => l.includes('DROP'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}
