import yargs from 'yargs';
import {
  checkFlags,
  namesFor,
  UsageError,
  type CandidateType,
  type LogLevel,
  type RawFlags,
  type Role,
  type TurnFlag,
} from './cli-checks.js';

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

export {
  UsageError,
  type CandidateType,
  type LogLevel,
  type RawFlags,
  type Role,
  type TurnFlag,
} from './cli-checks.js';

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
      'nat-only': {
        type: 'boolean',
        default: false,
        coerce: last,
        describe: 'measure this NAT with --stun/--turn servers, print, exit (no --role, no registration)',
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

/** Turns parsed flags (already checked) into the options the client runs with. */
export function toOptions(argv: RawFlags): ClientOptions {
  const role = argv.role;
  if (role === undefined) throw new UsageError('give --role offerer or --role answerer');
  const { id, peer } = namesFor(role, argv.id, argv.peer);
  return {
    role,
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
    toneHz: argv['tone-hz'] ?? DEFAULT_TONE_HZ[role],
    record: argv.record,
    durationS: argv['duration-s'],
    timeoutS: argv['timeout-s'],
    forever: argv.forever,
    json: argv.json,
    logLevel: argv['log-level'],
  };
}

/** `--nat-only`: what the measurement needs (client/nat/nat-only.ts). */
export interface NatOnlyOptions {
  stun: string[];
  turn: TurnFlag | undefined;
  json: boolean;
  logLevel: LogLevel;
}

export type ParseOutcome =
  | { kind: 'run'; options: ClientOptions }
  | { kind: 'nat-only'; options: NatOnlyOptions }
  | { kind: 'print'; text: string };

/** Parses argv for main(): options to run with, or help text to print. Throws UsageError. */
export function parseArgs(args: string[]): ParseOutcome {
  let output = '';
  const argv = buildCli().parse(args, {}, (_error: Error | undefined, _argv: unknown, text: string) => {
    output = text;
  }) as RawFlags & { help?: boolean };
  if (argv.help) return { kind: 'print', text: output };
  if (argv['nat-only']) {
    const { turn } = toOptions({ ...argv, role: argv.role ?? 'offerer' });
    return { kind: 'nat-only', options: { stun: argv.stun, turn, json: argv.json, logLevel: argv['log-level'] } };
  }
  return { kind: 'run', options: toOptions(argv) };
}
