import { execFile, execFileSync } from 'node:child_process';

/** A command that exited non-zero; carries what it printed so the cause is visible. */
export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
    readonly stdout = '',
  ) {
    super(`${argv.join(' ')} failed (exit ${code ?? 'signal'}): ${stderr.trim()}`);
    this.name = 'CommandError';
  }
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion without a shell, so no argument is ever re-parsed. */
export function run(argv: readonly string[], timeoutMs = 30_000): Promise<RunResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('empty command'));
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const code = typeof err.code === 'number' ? err.code : null;
        reject(new CommandError(argv, code, stderr || err.message, stdout));
        return;
      }
      resolve({ stdout, stderr });
    });
  });
}

/** Runs a command and returns its exit code instead of throwing, for probes that may fail. */
export async function probe(argv: readonly string[], timeoutMs = 30_000): Promise<{ code: number | null } & RunResult> {
  try {
    const r = await run(argv, timeoutMs);
    return { code: 0, ...r };
  } catch (err) {
    if (err instanceof CommandError) return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    throw err;
  }
}

/** Synchronous variant for the exit path, where no promise will be awaited any more. */
export function runSyncQuiet(argv: readonly string[]): string {
  const [file, ...args] = argv;
  if (file === undefined) return '';
  try {
    return execFileSync(file, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).toString();
  } catch {
    return '';
  }
}
