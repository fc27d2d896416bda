import yargs from 'yargs';
import { flagsFromEnv } from '../signaling/cli-env.js';
import { checkFlags, namesFor, UsageError, type TurnFlag } from './cli-checks.js';
import { flagOptions, type CandidateType, type Flags, type LogLevel, type Role } from './cli-flags.js';

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

export { UsageError, type TurnFlag } from './cli-checks.js';
export type { CandidateType, Flags, LogLevel, Role } from './cli-flags.js';

/** Default tone per role, so that each side can tell the other's sound from its own. */
export const DEFAULT_TONE_HZ: Record<Role, number> = { offerer: 440, answerer: 660 };

/**
 * The yargs parser. `.parse([...])` returns the parsed flags or throws a
 * UsageError; `toOptions()` turns the result into ClientOptions. Each flag is
 * also read from CLIENT_<FLAG> (upper snake case, see signaling/cli-env.ts);
 * the command line wins.
 */
export function buildCli(env: NodeJS.ProcessEnv = process.env) {
  return yargs()
    .scriptName('client')
    .usage(
      '$0 --role offerer|answerer [options]\n\nA headless WebRTC peer: meets its peer through the signaling service, prints every ICE step, exchanges data-channel pings and Opus audio, and reports.',
    )
    .parserConfiguration({ 'camel-case-expansion': false })
    .config(flagsFromEnv('CLIENT', Object.keys(flagOptions), env))
    .options(flagOptions)
    .check((argv) => {
      checkFlags(argv);
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
export function toOptions(argv: Flags): ClientOptions {
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
export function parseArgs(args: string[], env: NodeJS.ProcessEnv = process.env): ParseOutcome {
  let output = '';
  const argv: Flags = buildCli(env).parseSync(args, {}, (_error: Error | undefined, _argv: unknown, text: string) => {
    output = text;
  });
  if (argv.help) return { kind: 'print', text: output };
  if (argv['nat-only']) {
    const { turn } = toOptions({ ...argv, role: argv.role ?? 'offerer' });
    return { kind: 'nat-only', options: { stun: argv.stun, turn, json: argv.json, logLevel: argv['log-level'] } };
  }
  return { kind: 'run', options: toOptions(argv) };
}
