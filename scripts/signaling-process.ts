/**
 * Spawns the real bin/signaling on a free loopback port and waits for its
 * "listening" log line: for the tests, the demo and the benchmarks. stop()
 * resolves with the exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { repoRoot } from './repo.js';

export const signalingBin = `${repoRoot}bin/signaling`;

export interface SignalingProcess {
  url: string;
  child: ChildProcess;
  /** Every line the process wrote on stdout so far (pino JSON). */
  lines: string[];
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * The environment for a child bin: tap puts its module hooks into
 * NODE_OPTIONS for child coverage, and under them each start of a bin takes
 * seconds instead of a fraction of one. The bins run as users run them.
 */
export function binEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _hooks, ...rest } = env;
  return rest;
}

/** `node args`, or the same inside a network namespace (`ip netns exec` execs node: the pid stays node's). */
export function inNetns(netns: string | undefined, args: string[]): [string, string[]] {
  return netns === undefined ? [process.execPath, args] : ['ip', ['netns', 'exec', netns, process.execPath, ...args]];
}

export async function startSignaling(
  args: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
  options: { netns?: string; host?: string } = {},
): Promise<SignalingProcess> {
  const host = options.host ?? '127.0.0.1';
  const [command, argv] = inNetns(options.netns, [signalingBin, '--host', host, '--port', '0', ...args]);
  const child = spawn(command, argv, {
    env: binEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      try {
        const record = JSON.parse(line) as { msg?: string; url?: string };
        if (record.msg === 'listening' && record.url !== undefined) resolve(record.url);
      } catch {
        // not a log line; kept in `lines` for the test to read
      }
    });
    void exited.then(([code]) => {
      reject(new Error(`bin/signaling exited with ${String(code)} before listening: ${stderr}`));
    });
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const [code] = await exited;
    return code;
  };
  return { url, child, lines, stop };
}
