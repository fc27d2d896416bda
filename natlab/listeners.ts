import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Lab } from './lab.js';
import type { NamespaceRole } from './lab-id.js';

export interface Listener {
  proto: 'tcp' | 'udp';
  address: string;
  port: number;
}

/** Parses `ss -Hlntu` (netid, state, recv-q, send-q, local, peer). */
export function parseSocketList(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    const netid = cols[0];
    const local = cols[4];
    if ((netid !== 'tcp' && netid !== 'udp') || local === undefined) continue;
    const colon = local.lastIndexOf(':');
    out.push({ proto: netid, address: local.slice(0, colon), port: Number(local.slice(colon + 1)) });
  }
  return out;
}

/**
 * Waits until a daemon in the lab has opened all the sockets it is wanted for:
 * the daemon's own readiness signal, independent of its log format. Fails at
 * once when the daemon exits first, with the end of its log.
 */
export async function waitForListeners(
  lab: Lab,
  role: NamespaceRole,
  wanted: readonly Listener[],
  daemon: ChildProcess,
  logFile: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (daemon.exitCode !== null || daemon.signalCode !== null) {
      throw new Error(
        `${daemon.spawnargs.slice(7, 9).join(' ')} exited early (${daemon.exitCode ?? daemon.signalCode}); log ${logFile}:\n${tail(logFile)}`,
      );
    }
    const { stdout } = await lab.exec(role, ['ss', '-Hlntu']);
    const open = parseSocketList(stdout);
    const missing = wanted.filter(
      (w) => !open.some((o) => o.proto === w.proto && o.address === w.address && o.port === w.port),
    );
    if (missing.length === 0) return;
    if (Date.now() > deadline) {
      const names = missing.map((m) => `${m.proto} ${m.address}:${m.port}`).join(', ');
      throw new Error(`not listening after ${timeoutMs} ms: ${names}; log ${logFile}:\n${tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
