import type { ChildProcess } from 'node:child_process';
import type { Lab } from './lab.js';
import type { NamespaceRole } from './lab-id.js';

export interface PeerRun {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  /** Set when the lab had to kill it after its deadline. */
  killed: boolean;
}

/** Starts a peer in its namespace; the result settles when it exits (or is killed at the deadline). */
export function startPeer(
  lab: Lab,
  role: NamespaceRole,
  argv: readonly string[],
  logFile: string,
  deadlineMs: number,
): Promise<PeerRun> {
  const child: ChildProcess = lab.spawn(role, argv, { logFile, captureStdout: true });
  let stdout = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    stdout += chunk;
  });
  return new Promise((resolve) => {
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code, signal, stdout, killed });
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ exitCode: null, signal: null, stdout: `${stdout}${err.message}`, killed });
    });
  });
}
