import { existsSync } from 'node:fs';
import yargs from 'yargs';

/** The flags of CLI.md, validated and typed. */
export interface ClientOptions {
  role: Role;
  signalingAddr: string;
  room: string;
  id: string;
  peer: string;
  apiKey: string | undefined;
  withTurn: boolean;
  stun: string[];
  turn: TurnFlag | undefined;
  relayOnly: boolean;
  only: CandidateType | undefined;
  messages: number;
  intervalMs: number;
  /** `tone`, `none` or the path of an Ogg Opus file. */
  audio: string;
  toneHz: number;
  record: string | undefined;
  durationS: number;
  timeoutS: number;
  forever: boolean;
  json: boolean;
  logLevel: LogLevel;
}

export type Role = 'offerer' | 'answerer';
export type CandidateType = 'host' | 'srflx' | 'relay';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export interface TurnFlag {
  url: string;
  username: string;
  password: string;
}

/** Bad flags or arguments: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ROLES = ['offerer', 'answerer'] as const;
const ONLY = ['host', 'srflx', 'relay'] as const;
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** Default tone per role, so that each side can tell the other's sound from its own. */
export const DEFAULT_TONE_HZ: Record<Role, number> = { offerer: 440, answerer: 660 };

/** A flag given twice takes its last value (yargs would make an array of them). */
function last<T>(value: T | T[]): T {
  return Array.isArray(value) ? (value[value.length - 1] as T) : value;
}

/**
 * The yargs parser. `.parse([...])` returns the parsed flags or throws a
 * UsageError; `toOptions()` turns the result into ClientOptions.
 */
export function buildCli() {
  return yargs()
    .scriptName('client')
    .usage(
      '$0 --role offerer|answerer [options]\n\nA headless WebRTC peer: meets its peer through the signaling service, prints every ICE step, exchanges data-channel pings and Opus audio, and reports.',
    )
    .parserConfiguration({ 'camel-case-expansion': false })
    .options({
      role: {
        choices: ROLES,
        demandOption: 'give --role offerer or --role answerer',
        coerce: last,
        describe: 'who sends the offer',
      },
      'signaling-addr': {
        type: 'string',
        default: 'http://127.0.0.1:8080',
        coerce: last,
        describe: 'the signaling service',
      },
      room: { type: 'string', default: 'default', coerce: last, describe: 'pairs of peers meet in a room' },
      id: { type: 'string', coerce: last, describe: 'own name (default: the role)' },
      peer: { type: 'string', coerce: last, describe: 'the name to call or expect (default: the other role)' },
      'api-key': { type: 'string', coerce: last, describe: "the service's API key, when it has one" },
      'with-turn': {
        type: 'boolean',
        default: false,
        coerce: last,
        describe: 'use the TURN servers the service hands out',
      },
      stun: { type: 'string', array: true, default: [] as string[], describe: 'extra STUN server URL; repeatable' },
      turn: {
        type: 'string',
        coerce: last,
        describe: 'extra TURN server URL (needs --turn-username and --turn-password)',
      },
      'turn-username': { type: 'string', coerce: last, describe: 'username for --turn' },
      'turn-password': { type: 'string', coerce: last, describe: 'password for --turn' },
      'relay-only': {
        type: 'boolean',
        default: false,
        coerce: last,
        describe: 'ICE transport policy relay: only TURN paths',
      },
      only: { choices: ONLY, coerce: last, describe: 'signal only local candidates of this type' },
      messages: { type: 'number', default: 5, coerce: last, describe: 'data-channel pings each side sends' },
      'interval-ms': { type: 'number', default: 500, coerce: last, describe: 'time between pings' },
      audio: { type: 'string', default: 'tone', coerce: last, describe: 'tone, none, or an Ogg Opus file' },
      'tone-hz': { type: 'number', coerce: last, describe: 'tone frequency (default: offerer 440, answerer 660)' },
      record: { type: 'string', coerce: last, describe: 'save the received audio as an Ogg Opus file' },
      'duration-s': { type: 'number', default: 3, coerce: last, describe: 'how long audio flows after connecting' },
      'timeout-s': { type: 'number', default: 30, coerce: last, describe: 'give up if not connected by then' },
      forever: {
        type: 'boolean',
        default: false,
        coerce: last,
        describe: 'answerer only: after a call ends, wait for the next',
      },
      json: {
        type: 'boolean',
        default: false,
        coerce: last,
        describe: 'print the report as JSON on stdout; logs go to stderr',
      },
      'log-level': {
        choices: LEVELS,
        default: 'info',
        coerce: last,
        describe: 'debug adds every signaling message',
      },
    })
    .check((argv) => {
      checkFlags(argv as Partial<RawFlags>);
      return true;
    })
    .strict()
    .help()
    .version(false)
    .wrap(100)
    .exitProcess(false)
    .fail((message: string | undefined, error: Error | undefined) => {
      throw new UsageError(message ?? error?.message ?? 'bad arguments');
    });
}

/** What yargs hands back after parsing: the flags under their kebab-case names (no camelCase aliases). */
export interface RawFlags {
  role: Role;
  'signaling-addr': string;
  room: string;
  id: string | undefined;
  peer: string | undefined;
  'api-key': string | undefined;
  'with-turn': boolean;
  stun: string[];
  turn: string | undefined;
  'turn-username': string | undefined;
  'turn-password': string | undefined;
  'relay-only': boolean;
  only: CandidateType | undefined;
  messages: number;
  'interval-ms': number;
  audio: string;
  'tone-hz': number | undefined;
  record: string | undefined;
  'duration-s': number;
  'timeout-s': number;
  forever: boolean;
  json: boolean;
  'log-level': LogLevel;
  _: (string | number)[];
}

function checkFlags(argv: Partial<RawFlags>): void {
  if (argv._ && argv._.length > 0) throw new UsageError(`unexpected argument: ${String(argv._[0])}`);
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
    if (value !== undefined && !NAME.test(value)) {
      throw new UsageError(`${flag} must match ${NAME.source}, got ${JSON.stringify(value)}`);
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
  const audio = argv.audio ?? 'tone';
  if (audio !== 'tone' && audio !== 'none') {
    if (!audio.endsWith('.ogg'))
      throw new UsageError(`--audio takes tone, none or an .ogg file, got ${JSON.stringify(audio)}`);
    if (!existsSync(audio)) throw new UsageError(`--audio ${audio}: no such file`);
  }
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

function namesFor(role: Role, id: string | undefined, peer: string | undefined): { id: string; peer: string } {
  const other: Role = role === 'offerer' ? 'answerer' : 'offerer';
  return { id: id ?? role, peer: peer ?? other };
}

/** Turns parsed flags (already checked) into the options the client runs with. */
export function toOptions(argv: RawFlags): ClientOptions {
  const { id, peer } = namesFor(argv.role, argv.id, argv.peer);
  return {
    role: argv.role,
    signalingAddr: argv['signaling-addr'].replace(/\/+$/, ''),
    room: argv.room,
    id,
    peer,
    apiKey: argv['api-key'],
    withTurn: argv['with-turn'],
    stun: argv.stun,
    turn:
      argv.turn !== undefined && argv['turn-username'] !== undefined && argv['turn-password'] !== undefined
        ? { url: argv.turn, username: argv['turn-username'], password: argv['turn-password'] }
        : undefined,
    relayOnly: argv['relay-only'],
    only: argv['relay-only'] ? 'relay' : argv.only,
    messages: argv.messages,
    intervalMs: argv['interval-ms'],
    audio: argv.audio,
    toneHz: argv['tone-hz'] ?? DEFAULT_TONE_HZ[argv.role],
    record: argv.record,
    durationS: argv['duration-s'],
    timeoutS: argv['timeout-s'],
    forever: argv.forever,
    json: argv.json,
    logLevel: argv['log-level'],
  };
}

export type ParseOutcome = { kind: 'run'; options: ClientOptions } | { kind: 'print'; text: string };

/** Parses argv for main(): options to run with, or help text to print. Throws UsageError. */
export function parseArgs(args: string[]): ParseOutcome {
  let output = '';
  const argv = buildCli().parse(args, {}, (_error: Error | undefined, _argv: unknown, text: string) => {
    output = text;
  }) as RawFlags & { help?: boolean };
  if (argv.help) return { kind: 'print', text: output };
  return { kind: 'run', options: toOptions(argv) };
}
