/**
 * The flags of bin/signaling. Each is also read from SIGNALING_<FLAG> (upper
 * snake case, see cli-env.ts); a flag on the command line wins, and for a
 * repeatable flag it replaces the variable's comma-separated list.
 */
import yargs from 'yargs';
import { commaList as list, flagsFromEnv } from './cli-env.js';
import { defaultConfig, resolveConfig, type Config } from './config.js';

const d = defaultConfig;
const flags = {
  host: { type: 'string', default: d.host, describe: 'address to listen on' },
  port: { type: 'number', default: d.port, describe: 'port to listen on (0: any free port)' },
  'poll-timeout-ms': {
    type: 'number',
    default: d.pollTimeoutMs,
    describe: 'default poll hold; clients may ask for up to 60000',
  },
  'ttl-ms': {
    type: 'number',
    default: d.ttlMs,
    describe: 'a peer with no poll held and none for this long expires',
  },
  'max-body-bytes': { type: 'number', default: d.maxBodyBytes, describe: 'largest request body' },
  'max-queue': { type: 'number', default: d.maxQueue, describe: 'largest mailbox backlog' },
  'max-room-peers': { type: 'number', default: d.maxRoomPeers, describe: 'live peers per room' },
  'max-peers': { type: 'number', default: d.maxPeers, describe: 'live peers per server' },
  rate: { type: 'number', default: d.rate, describe: 'messages per second one peer may send (burst the same)' },
  'register-rate': {
    type: 'number',
    default: d.registerRate,
    describe:
      'registrations per second from one client address (burst the same); 0: no limit. Raise it where many peers share an address (a NAT lab)',
  },
  'trust-proxy': {
    type: 'array',
    string: true,
    default: d.trustProxy,
    coerce: list,
    describe:
      'proxies (addresses, CIDR ranges, loopback) whose X-Forwarded-For names the client, for --register-rate; repeatable',
  },
  'api-key': { type: 'string', describe: 'when set, register needs it as a bearer secret' },
  'cors-origin': {
    type: 'array',
    string: true,
    default: d.corsOrigin,
    coerce: list,
    describe: 'allowed origin; repeatable',
  },
  stun: {
    type: 'array',
    string: true,
    default: d.stun,
    coerce: list,
    describe: 'STUN URL handed out in iceServers; repeatable',
  },
  turn: {
    type: 'array',
    string: true,
    default: d.turn,
    coerce: list,
    describe: 'TURN URL handed out in iceServers; repeatable',
  },
  'turn-secret': {
    type: 'string',
    describe: "coturn's static-auth-secret: hand out time-limited TURN credentials",
  },
  'turn-username': { type: 'string', describe: 'fixed TURN username instead of a secret' },
  'turn-password': { type: 'string', describe: 'fixed TURN password instead of a secret' },
  'turn-ttl-s': { type: 'number', default: d.turnTtlS, describe: 'lifetime of handed-out TURN credentials' },
  store: {
    type: 'string',
    default: d.store,
    describe: 'memory, or redis://host:port/db to share rooms between instances',
  },
  'log-level': { type: 'string', default: d.logLevel, describe: 'pino level' },
} as const;

export function buildSignalingCli(argv: string[], env: NodeJS.ProcessEnv = process.env) {
  return yargs(argv)
    .scriptName('signaling')
    .usage('$0 [flags]\n\nThe WebRTC signaling service: rooms, peers and long-polled mailboxes (protocol v1).')
    .config(flagsFromEnv('SIGNALING', Object.keys(flags), env))
    .options(flags)
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110));
}

export type ParsedArgs = { run: true; config: Config } | { run: false; exitCode: number; output: string };

/** Parses the command line into a checked Config, or says what to print and how to exit. */
export async function parseSignalingArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<ParsedArgs> {
  let output = '';
  let failure: string | undefined;
  const args = await buildSignalingCli(argv, env)
    .exitProcess(false)
    .fail((message, error) => {
      failure = message ?? error?.message ?? 'bad arguments';
    })
    .parseAsync(argv, {}, (_error, _argv, text) => {
      output = text;
    });
  if (failure !== undefined) return { run: false, exitCode: 2, output: `signaling: ${failure}\n(see --help)` };
  if (args.help === true) return { run: false, exitCode: 0, output };
  try {
    return {
      run: true,
      config: resolveConfig({
        host: args.host,
        port: args.port,
        pollTimeoutMs: args.pollTimeoutMs,
        ttlMs: args.ttlMs,
        maxBodyBytes: args.maxBodyBytes,
        maxQueue: args.maxQueue,
        maxRoomPeers: args.maxRoomPeers,
        maxPeers: args.maxPeers,
        rate: args.rate,
        registerRate: args.registerRate,
        trustProxy: args.trustProxy,
        apiKey: args.apiKey,
        corsOrigin: args.corsOrigin,
        stun: args.stun,
        turn: args.turn,
        turnSecret: args.turnSecret,
        turnUsername: args.turnUsername,
        turnPassword: args.turnPassword,
        turnTtlS: args.turnTtlS,
        store: args.store,
        logLevel: args.logLevel,
      }),
    };
  } catch (error) {
    return { run: false, exitCode: 2, output: `signaling: ${(error as Error).message}\n(see --help)` };
  }
}
