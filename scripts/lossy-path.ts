import { execFileSync } from 'node:child_process';
import { runClient, type ClientRun } from './client-process.js';
import { startSignaling, type SignalingProcess } from './signaling-process.js';

/**
 * A path between two peers that loses packets: two network namespaces joined
 * by a veth pair, the offerer and the signaling service in A, the answerer in
 * B. Each side's INPUT chain is where its incoming UDP is dropped, so a rule
 * in B acts on what the offerer sends and a rule in A on what the answerer
 * sends. This kernel has no netem; iptables' `statistic` (random, nth) and
 * `u32` matches do the dropping. Between two werift peers the offerer is
 * ICE-controlling and so the DTLS server, the answerer the DTLS client.
 *
 * Shared by the loss tests (test/e2e/loss-*.test.ts, whose drop rules are in
 * test/helpers/lossy-path.ts) and the loss benchmark (bench/loss.ts).
 */

export type Side = 'A' | 'B';
export const ADDRESS: Record<Side, string> = { A: '192.0.2.1', B: '192.0.2.2' };

export interface LossyPath {
  ns: Record<Side, string>;
  service: SignalingProcess;
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

  // A veth end is RUNNING only once both ends are up, a moment later; until
  // then Node lists no address on it, and a client started at once finds no
  // host candidate ("no usable network interface", seen on a first call).
  for (const [side, veth] of [
    ['A', vethA],
    ['B', vethB],
  ] as const) {
    await untilUp(ns[side], veth);
  }

  let service: SignalingProcess;
  try {
    service = await startSignaling([], process.env, { netns: ns.A, host: ADDRESS.A });
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

/** Waits (up to 5 s) until the link's operational state is UP. */
async function untilUp(netns: string, link: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const shown = execFileSync('ip', ['-n', netns, '-o', 'link', 'show', 'dev', link], { encoding: 'utf8' });
    if (/ state UP /.test(shown)) return;
    if (Date.now() > deadline) throw new Error(`${link} in ${netns} is not up after 5 s: ${shown.trim()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
