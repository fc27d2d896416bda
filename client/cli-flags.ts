import type { InferredOptionTypes } from 'yargs';
import { commaList } from '../signaling/cli-env.js';

/*
 * The flags of bin/client (CLI.md): one table that yargs parses with and the
 * types are inferred from. Flags keep their kebab-case names (camel-case
 * expansion is off, so `--signalingAddr` is refused rather than taken).
 */

export const ROLES = ['offerer', 'answerer'] as const;
export type Role = (typeof ROLES)[number];
export const CANDIDATE_TYPES = ['host', 'srflx', 'relay'] as const;
export type CandidateType = (typeof CANDIDATE_TYPES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A flag given twice takes its last value (yargs would make an array of them). */
function last<T>(): (value: T | T[]) => T {
  return (value) => (Array.isArray(value) ? (value[value.length - 1] as T) : value);
}

export const flagOptions = {
  role: { choices: ROLES, coerce: last<Role>(), describe: 'who sends the offer' },
  'signaling-addr': {
    type: 'string',
    default: 'http://127.0.0.1:8080',
    coerce: last<string>(),
    describe: 'the signaling service',
  },
  room: { type: 'string', default: 'default', coerce: last<string>(), describe: 'pairs of peers meet in a room' },
  id: { type: 'string', coerce: last<string>(), describe: 'own name (default: the role)' },
  peer: { type: 'string', coerce: last<string>(), describe: 'the name to call or expect (default: the other role)' },
  'api-key': { type: 'string', coerce: last<string>(), describe: "the service's API key, when it has one" },
  'with-turn': {
    type: 'boolean',
    default: false,
    coerce: last<boolean>(),
    describe: 'use the TURN servers the service hands out',
  },
  stun: {
    type: 'string',
    array: true,
    default: [] as string[],
    coerce: commaList,
    describe: 'extra STUN server URL; repeatable',
  },
  turn: {
    type: 'string',
    coerce: last<string>(),
    describe: 'extra TURN server URL (needs --turn-username and --turn-password)',
  },
  'turn-username': { type: 'string', coerce: last<string>(), describe: 'username for --turn' },
  'turn-password': { type: 'string', coerce: last<string>(), describe: 'password for --turn' },
  'relay-only': {
    type: 'boolean',
    default: false,
    coerce: last<boolean>(),
    describe: 'ICE transport policy relay: only TURN paths',
  },
  only: {
    choices: CANDIDATE_TYPES,
    coerce: last<CandidateType>(),
    describe: 'signal only local candidates of this type',
  },
  messages: { type: 'number', default: 5, coerce: last<number>(), describe: 'data-channel pings each side sends' },
  'interval-ms': { type: 'number', default: 500, coerce: last<number>(), describe: 'time between pings' },
  audio: { type: 'string', default: 'tone', coerce: last<string>(), describe: 'tone, none, or an Ogg Opus file' },
  'tone-hz': {
    type: 'number',
    coerce: last<number>(),
    describe: 'tone frequency (default: offerer 440, answerer 660)',
  },
  record: { type: 'string', coerce: last<string>(), describe: 'save the received audio as an Ogg Opus file' },
  'duration-s': {
    type: 'number',
    default: 3,
    coerce: last<number>(),
    describe: 'how long audio flows after connecting',
  },
  'timeout-s': { type: 'number', default: 30, coerce: last<number>(), describe: 'give up if not connected by then' },
  forever: {
    type: 'boolean',
    default: false,
    coerce: last<boolean>(),
    describe: 'answerer only: after a call ends, wait for the next',
  },
  json: {
    type: 'boolean',
    default: false,
    coerce: last<boolean>(),
    describe: 'print the report as JSON on stdout; logs go to stderr',
  },
  'nat-only': {
    type: 'boolean',
    default: false,
    coerce: last<boolean>(),
    describe: 'measure this NAT with --stun/--turn servers, print, exit (no --role, no registration)',
  },
  'log-level': {
    choices: LOG_LEVELS,
    default: 'info',
    coerce: last<LogLevel>(),
    describe: 'debug adds every signaling message',
  },
} as const;

/** The flags as yargs hands them back, under their kebab-case names. */
export type Flags = InferredOptionTypes<typeof flagOptions> & { _: (string | number)[]; help?: boolean };
