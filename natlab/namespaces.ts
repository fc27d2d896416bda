import { readFileSync } from 'node:fs';
import { run, runSyncQuiet } from './command.js';

/** `ip netns list` prints "name (id: N)" once a namespace has an id. */
export async function listNamespaces(): Promise<string[]> {
  const { stdout } = await run(['ip', 'netns', 'list']);
  return parseNetnsList(stdout);
}

export function parseNetnsList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

/** PIDs of every process inside a namespace: all of them were started by the lab that owns it. */
export function namespacePidsSync(ns: string): number[] {
  return runSyncQuiet(['ip', 'netns', 'pids', ns])
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** A zombie counts as gone: it holds no socket, and only its parent can reap it. */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the parenthesised command name, which may itself hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Stops every process in the namespaces (TERM, then KILL after a grace period)
 * and deletes them. Synchronous so it also runs from an exit handler. Deleting a
 * namespace deletes its links, and with them the far ends of its veths.
 */
export function destroyNamespacesSync(names: readonly string[], graceMs = 2000): void {
  const pids = names.flatMap((ns) => namespacePidsSync(ns));
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(processAlive) && Date.now() < deadline) sleepSync(20);
  for (const pid of pids.filter(processAlive)) signal(pid, 'SIGKILL');
  for (const ns of names) runSyncQuiet(['ip', 'netns', 'del', ns]);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
