import { isValidName, namePattern } from '../signaling/names.js';
import type { Flags, Role } from './cli-flags.js';

/*
 * The checks yargs cannot make from the flag table (cli-flags.ts): ranges,
 * URLs, names and the rules that span several flags. Whether an --audio file
 * plays and a --record path can be written is checked once, by
 * client/audio/source.ts, before the call (client/main.ts).
 */

export interface TurnFlag {
  url: string;
  username: string;
  password: string;
}

/** Bad flags or arguments: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function checkFlags(argv: Partial<Flags>): void {
  if (argv._ && argv._.length > 0) throw new UsageError(`unexpected argument: ${String(argv._[0])}`);
  if (!argv.role && !argv['nat-only'] && !argv.help) throw new UsageError('give --role offerer or --role answerer');
  const url = parseUrl(argv['signaling-addr'] ?? '');
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(
      `--signaling-addr must be an http:// or https:// URL, got ${JSON.stringify(argv['signaling-addr'])}`,
    );
  }
  for (const [flag, value] of [
    ['--room', argv.room],
    ['--id', argv.id],
    ['--peer', argv.peer],
  ] as const) {
    if (value !== undefined && !isValidName(value)) {
      throw new UsageError(`${flag} must match ${namePattern}, got ${JSON.stringify(value)}`);
    }
  }
  if (argv.role) {
    const { id, peer } = namesFor(argv.role, argv.id, argv.peer);
    if (id === peer) throw new UsageError(`--id and --peer are both ${JSON.stringify(id)}: a peer cannot call itself`);
  }
  for (const stun of argv.stun ?? []) {
    if (!/^stuns?:/.test(stun)) throw new UsageError(`--stun takes a stun: URL, got ${JSON.stringify(stun)}`);
  }
  if (argv.turn !== undefined) {
    if (!/^turns?:/.test(argv.turn))
      throw new UsageError(`--turn takes a turn: or turns: URL, got ${JSON.stringify(argv.turn)}`);
    if (!argv['turn-username'] || !argv['turn-password']) {
      throw new UsageError(
        '--turn needs --turn-username and --turn-password: werift ignores a TURN server without credentials',
      );
    }
  } else if (argv['turn-username'] !== undefined || argv['turn-password'] !== undefined) {
    throw new UsageError('--turn-username and --turn-password need --turn');
  }
  if (argv['relay-only'] && !argv['with-turn'] && argv.turn === undefined) {
    throw new UsageError('--relay-only needs a TURN server: give --with-turn or --turn with credentials');
  }
  if (argv['relay-only'] && argv.only !== undefined && argv.only !== 'relay') {
    throw new UsageError(`--relay-only gathers only relay candidates; --only ${argv.only} would leave none`);
  }
  checkInteger('--messages', argv.messages, 0, 10_000);
  checkInteger('--interval-ms', argv['interval-ms'], 1, 60_000);
  checkNumber('--tone-hz', argv['tone-hz'], 20, 20_000);
  checkNumber('--duration-s', argv['duration-s'], 0.1, 3600);
  checkNumber('--timeout-s', argv['timeout-s'], 0.1, 86_400);
  if (argv.record !== undefined && !argv.record.endsWith('.ogg')) {
    throw new UsageError(
      `--record writes Ogg Opus: give a file name ending in .ogg, got ${JSON.stringify(argv.record)}`,
    );
  }
  if (argv.forever && argv.role === 'offerer') throw new UsageError('--forever is for the answerer only');
}

function checkInteger(flag: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got ${String(value)}`);
  }
}

function checkNumber(flag: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be a number from ${min} to ${max}, got ${String(value)}`);
  }
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

export function namesFor(role: Role, id: string | undefined, peer: string | undefined): { id: string; peer: string } {
  const other: Role = role === 'offerer' ? 'answerer' : 'offerer';
  return { id: id ?? role, peer: peer ?? other };
}
