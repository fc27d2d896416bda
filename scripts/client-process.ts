/**
 * Runs the real bin/client and reads what it says: its `--json` report(s)
 * from stdout, its log from stderr line by line. For the tests and for the
 * lossy path the loss benchmark shares with them (scripts/lossy-path.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Report } from '../client/report.js';
import { repoRoot } from './repo.js';
import { binEnv, inNetns } from './signaling-process.js';

/** Spawns a real bin without tap's hooks (see binEnv): as users run it. */
function spawnBin(bin: 'client' | 'signaling', args: string[], options: ClientOptions = {}): ChildProcess {
  const [command, argv] = inNetns(options.netns, [`${repoRoot}bin/${bin}`, ...args]);
  return spawn(command, argv, {
    env: { ...binEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface ClientOptions {
  /** Run inside this network namespace. */
  netns?: string;
  /** Variables added to the environment (e.g. WEBRTC_LAB_CODE_CACHE for the build's training call). */
  env?: NodeJS.ProcessEnv;
}

export interface ClientRun {
  child: ChildProcess;
  /** Resolves when the process exits. */
  result: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    /** The `--json` reports on stdout, as parsed (not validated). */
    reports: Report[];
  }>;
  /** stderr so far, line by line. */
  lines: string[];
  /** Resolves when a stderr line matches. */
  waitFor(pattern: RegExp): Promise<string>;
}

/** One bin/client process; its --json report(s) parsed from stdout. */
export function runClient(args: string[], options: ClientOptions = {}): ClientRun {
  const child = spawnBin('client', args, options);
  let stdout = '';
  let stderr = '';
  const lines: string[] = [];
  const watchers: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr += `${line}\n`;
    lines.push(line);
    for (const w of watchers.splice(0)) {
      if (w.pattern.test(line)) w.resolve(line);
      else watchers.push(w);
    }
  });
  const result = (async () => {
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    // Let the stream readers drain what the process wrote before exiting.
    if (!child.stderr!.readableEnded) await once(child.stderr!, 'end').catch(() => undefined);
    if (!child.stdout!.readableEnded) await once(child.stdout!, 'end').catch(() => undefined);
    const reports = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Report);
    return { code, signal, stdout, stderr, reports };
  })();
  return {
    child,
    result,
    lines,
    waitFor: (pattern) => {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        watchers.push({ pattern, resolve });
        void result.then(() => reject(new Error(`bin/client exited before a line matched ${pattern}:\n${stderr}`)));
      });
    },
  };
}
