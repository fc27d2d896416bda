/**
 * The servers under test, each in a child process of its own so that its RSS
 * and CPU time are its alone, read from /proc/<pid>.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Limits lifted so the benchmark measures the relay, not the limits: one
 * peer ping-pongs faster than 200/s, fan-in rooms have 51 peers and mailboxes
 * 1,000 messages, the idle scenario holds 10,000 peers.
 */
export const serviceFlags = ['--rate', '1000000', '--max-room-peers', '1000', '--max-peers', '1000000', '--max-queue', '100000', '--log-level', 'warn'];

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly pid: number;
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
export function spawnNode(nodeArgs: string[], options: { ipc?: boolean } = {}): ChildProcess {
  const stdio = options.ipc ? (['ignore', 'inherit', 'inherit', 'ipc'] as const) : (['ignore', 'inherit', 'inherit'] as const);
  return spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"', process.execPath, ...nodeArgs], { stdio: [...stdio] });
}

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

async function start(nodeArgs: string[], port: number): Promise<ServerProcess> {
  const child = spawnNode(nodeArgs);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child);
  return {
    url,
    child,
    pid: child.pid!,
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
  return await start([...nodeFlags, `${root}bin/signaling`, '--host', '127.0.0.1', '--port', String(port), ...serviceFlags, ...extraFlags], port);
}

export async function startBareRelay(nodeFlags: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  return await start([...nodeFlags, `${root}dist/bench/bare-relay.js`, '--host', '127.0.0.1', '--port', String(port)], port);
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
