import { performance } from 'node:perf_hooks';
import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogLevel } from './cli.js';

export type { Logger };

/**
 * The peer's log: pino records whose `msg` is already the line a person reads
 * (the ICE log of CLI.md), rendered one line per event with the milliseconds
 * since the process started. The structured fields stay in the record for
 * `--log-level debug` and for anyone who points the stream elsewhere.
 */
export function createLogger(options: { level: LogLevel; out?: NodeJS.WritableStream; color?: boolean }): Logger {
  const out = options.out ?? process.stderr;
  const color = options.color ?? (out === process.stderr && process.stderr.isTTY === true);
  return pino(
    {
      level: options.level,
      base: null,
      // ms since process start: the same clock as the report's timingsMs.
      timestamp: () => `,"t":${performance.now().toFixed(1)}`,
      redact: {
        paths: ['token', 'authorization', 'headers.authorization', 'turnPassword', 'credential'],
        censor: '[redacted]',
      },
    },
    humanLines(out, { color, verbose: options.level === 'debug' || options.level === 'trace' }),
  );
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const LEVEL_COLORS: Record<number, string> = {
  40: '\x1b[33m',
  50: '\x1b[31m',
  60: '\x1b[31m',
  20: '\x1b[2m',
  10: '\x1b[2m',
};
const OMIT = new Set(['level', 't', 'msg']);

/** A destination that renders each pino JSON record as `  123 ms  message  key=value`. */
export function humanLines(
  out: NodeJS.WritableStream,
  options: { color: boolean; verbose: boolean },
): DestinationStream {
  return {
    write(record: string): void {
      out.write(renderRecord(record, options));
    },
  };
}

export function renderRecord(record: string, options: { color: boolean; verbose: boolean }): string {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(record) as Record<string, unknown>;
  } catch {
    return record;
  }
  const level = typeof parsed.level === 'number' ? parsed.level : 30;
  const t = typeof parsed.t === 'number' ? parsed.t : performance.now();
  const tag = level === 30 ? '' : `${LEVEL_NAMES[level] ?? 'log'}: `;
  let line = `${Math.round(t).toString().padStart(6)} ms  ${tag}${typeof parsed.msg === 'string' ? parsed.msg : JSON.stringify(parsed.msg ?? '')}`;
  if (options.verbose) {
    const extra = Object.entries(parsed)
      .filter(([key]) => !OMIT.has(key))
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
    if (extra.length > 0) line += `  ${extra.join(' ')}`;
  }
  if (options.color && LEVEL_COLORS[level]) line = `${LEVEL_COLORS[level]}${line}\x1b[0m`;
  return `${line}\n`;
}
