/**
 * The servers under test, each in a child process of its own so that its RSS
 * and CPU time are its alone, read from /proc/<pid>.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';
import { request, WebSocket } from 'undici';
import { repoRoot } from '../scripts/repo.js';

export const root = repoRoot;

/**
 * Limits lifted so the benchmark measures the relay, not the limits: one
 * peer ping-pongs faster than 200/s, fan-in rooms have 51 peers and mailboxes
 * 1,000 messages, the idle scenario holds 10,000 peers (registered as fast as they can).
 */
export const serviceFlags = [
  '--rate',
  '1000000',
  '--register-rate',
  '0',
  '--max-room-peers',
  '1000',
  '--max-peers',
  '1000000',
  '--max-queue',
  '100000',
  '--log-level',
  'warn',
];

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** A full garbage collection in the server, through its inspector, so that RSS shows what is retained. */
  collectGarbage: () => Promise<void>;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Runs a node script with the open-file soft limit raised to the hard limit
 * (10,000 held polls need 10,000 sockets), through a shell that execs node,
 * so the pid is node's and an IPC channel survives.
 */
export function spawnNode(nodeArgs: string[], options: { ipc?: boolean; pipeStderr?: boolean } = {}): ChildProcess {
  const stderr = options.pipeStderr ? 'pipe' : 'inherit';
  const stdio = options.ipc
    ? (['ignore', 'inherit', stderr, 'ipc'] as const)
    : (['ignore', 'inherit', stderr] as const);
  return spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"', process.execPath, ...nodeArgs], {
    stdio: [...stdio],
  });
}

/**
 * Waits until the server answers GET /healthz: both servers have it. Not the
 * "listening" line that scripts/signaling-process.ts waits for: the bare relay
 * is not bin/signaling and prints none, and the service runs here with
 * `--log-level warn` and its stdout inherited, through a shell that raises the
 * open-file limit, with an inspector and a port chosen beforehand.
 */
async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before serving`);
    try {
      const { statusCode, body } = await request(`${url}/healthz`);
      await body.dump();
      if (statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`${url}/healthz: no answer in 20 s`);
}

/** Passes the child's stderr on, without the inspector's chatter. */
function forwardStderr(child: ChildProcess): void {
  const lines = createInterface({ input: child.stderr! });
  lines.on('line', (line) => {
    if (!/^(Debugger (listening on|attached|ending on)|For help, see)/.test(line)) process.stderr.write(`${line}\n`);
  });
}

/** HeapProfiler.collectGarbage over the Chrome DevTools protocol; inspectPort is the child's --inspect port. */
async function collectGarbage(inspectPort: number): Promise<void> {
  const { body } = await request(`http://127.0.0.1:${inspectPort}/json/list`);
  const [target] = (await body.json()) as Array<{ webSocketDebuggerUrl: string }>;
  if (target === undefined) throw new Error('inspector lists no target');
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  try {
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error('cannot reach the inspector'));
    });
    for (let id = 1; id <= 2; id++) {
      const done = new Promise((resolve) => {
        socket.onmessage = resolve;
      });
      socket.send(JSON.stringify({ id, method: 'HeapProfiler.collectGarbage' }));
      await done;
    }
  } finally {
    socket.close();
  }
  await sleep(200); // let freed pages go back before anyone reads RSS
}

async function start(nodeArgs: string[], port: number): Promise<ServerProcess> {
  const inspectPort = await freePort();
  // The inspector is only there so that collectGarbage() can reach the server; nothing attaches otherwise.
  const child = spawnNode([`--inspect=127.0.0.1:${inspectPort}`, ...nodeArgs], { pipeStderr: true });
  forwardStderr(child);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child);
  return {
    url,
    child,
    pid: child.pid!,
    collectGarbage: () => collectGarbage(inspectPort),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** bin/signaling with the in-memory store, or extra flags (e.g. --store). */
export async function startService(extraFlags: string[] = [], nodeFlags: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  return await start(
    [
      ...nodeFlags,
      `${root}bin/signaling`,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      ...serviceFlags,
      ...extraFlags,
    ],
    port,
  );
}

export async function startBareRelay(nodeFlags: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  return await start(
    [...nodeFlags, `${root}dist/bench/bare-relay.js`, '--host', '127.0.0.1', '--port', String(port)],
    port,
  );
}

/** Resident set size in bytes, from /proc/<pid>/status. */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU seconds (user + system) the process has used, from /proc/<pid>/stat. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}
