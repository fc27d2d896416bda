import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { repoRoot } from '../helpers/signaling.js';

/**
 * Spawning the real bins from a tap test. tap's process tracking puts its
 * loader into every child's NODE_OPTIONS, and with it node 20 fails to load
 * the extensionless ESM entry files in bin/ (ERR_REQUIRE_CYCLE_MODULE). So
 * the bins are started through `env -u NODE_OPTIONS`: as users run them.
 * (test/helpers/signaling.ts has the same contract; it can be used instead
 * once bin/ loads under tap.)
 */
export function spawnBin(bin: 'client' | 'signaling', args: string[], options: { stdio?: Array<'ignore' | 'pipe'> } = {}): ChildProcess {
  return spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, `${repoRoot}bin/${bin}`, ...args], {
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
  });
}

export interface Service {
  url: string;
  child: ChildProcess;
  lines: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** bin/signaling on a free loopback port, ready when it logs "listening". */
export async function startService(args: string[] = []): Promise<Service> {
  const child = spawnBin('signaling', ['--host', '127.0.0.1', '--port', '0', ...args]);
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      try {
        const record = JSON.parse(line) as { msg?: string; url?: string };
        if (record.msg === 'listening' && record.url !== undefined) resolve(record.url);
      } catch {
        // not JSON: kept in lines
      }
    });
    void exited.then(([code]) => reject(new Error(`bin/signaling exited with ${String(code)} before listening: ${stderr}`)));
  });
  return {
    url,
    child,
    lines,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = await exited;
      return code;
    },
  };
}

export interface ClientRun {
  child: ChildProcess;
  /** Resolves when the process exits. */
  result: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; reports: Array<Record<string, unknown>> }>;
  /** stderr so far, line by line. */
  lines: string[];
  /** Resolves when a stderr line matches. */
  waitFor(pattern: RegExp): Promise<string>;
}

/** One bin/client process; its --json report(s) parsed from stdout. */
export function runClient(args: string[]): ClientRun {
  const child = spawnBin('client', args);
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
      .map((l) => JSON.parse(l) as Record<string, unknown>);
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
