/**
 * The service's settings: their defaults and their validation. Flags and
 * environment variables are read by cli.ts; this module only checks values.
 */
import { isIP } from 'node:net';
import { redactUrl } from './redact.js';
export interface Config {
  host: string;
  port: number;
  pollTimeoutMs: number;
  ttlMs: number;
  maxBodyBytes: number;
  maxQueue: number;
  maxRoomPeers: number;
  maxPeers: number;
  rate: number;
  /** Registrations per second from one client address (burst the same); 0: no limit. */
  registerRate: number;
  /** Proxies whose X-Forwarded-For names the client (addresses, CIDR ranges, proxy-addr's presets). */
  trustProxy: string[];
  apiKey: string | undefined;
  corsOrigin: string[];
  stun: string[];
  turn: string[];
  turnSecret: string | undefined;
  turnUsername: string | undefined;
  turnPassword: string | undefined;
  turnTtlS: number;
  store: string;
  logLevel: string;
}

export const defaultConfig: Config = {
  host: '0.0.0.0',
  port: 8080,
  pollTimeoutMs: 25000,
  ttlMs: 30000,
  maxBodyBytes: 65536,
  maxQueue: 1024,
  maxRoomPeers: 64,
  maxPeers: 100000,
  rate: 200,
  registerRate: 20,
  trustProxy: [],
  apiKey: undefined,
  corsOrigin: ['*'],
  stun: [],
  turn: [],
  turnSecret: undefined,
  turnUsername: undefined,
  turnPassword: undefined,
  turnTtlS: 86400,
  store: 'memory',
  logLevel: 'info',
};

/** The longest hold a client may ask of a poll. */
export const maxPollTimeoutMs = 60000;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const integerRanges: Array<[keyof Config, number, number]> = [
  ['port', 0, 65535],
  ['pollTimeoutMs', 0, maxPollTimeoutMs],
  ['ttlMs', 1, 24 * 3600 * 1000],
  ['maxBodyBytes', 64, 64 * 1024 * 1024],
  ['maxQueue', 1, 1_000_000],
  ['maxRoomPeers', 1, 1_000_000],
  ['maxPeers', 1, 10_000_000],
  ['rate', 1, 1_000_000],
  ['registerRate', 0, 1_000_000],
  ['turnTtlS', 1, 365 * 86400],
];

function flagName(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** Merges `overrides` onto the defaults and checks every value. */
export function resolveConfig(overrides: Partial<Config> = {}): Config {
  const config: Config = { ...defaultConfig };
  for (const [key, value] of Object.entries(overrides) as Array<[keyof Config, unknown]>) {
    if (value !== undefined) Object.assign(config, { [key]: value });
  }
  for (const [key, min, max] of integerRanges) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(`${flagName(key)} must be a whole number from ${min} to ${max}, not ${String(value)}`);
    }
  }
  for (const url of config.stun) {
    if (!/^stuns?:[^\s]+$/.test(url)) throw new ConfigError(`--stun takes stun: or stuns: URLs, not ${url}`);
  }
  for (const url of config.turn) {
    if (!/^turns?:[^\s]+$/.test(url)) throw new ConfigError(`--turn takes turn: or turns: URLs, not ${url}`);
  }
  if (config.turnSecret !== undefined && (config.turnUsername !== undefined || config.turnPassword !== undefined)) {
    throw new ConfigError('--turn-secret and --turn-username/--turn-password exclude each other');
  }
  if ((config.turnUsername === undefined) !== (config.turnPassword === undefined)) {
    throw new ConfigError('--turn-username and --turn-password go together');
  }
  if (config.corsOrigin.length === 0) throw new ConfigError('--cors-origin needs at least one origin');
  if (config.store !== 'memory' && !/^rediss?:\/\//.test(config.store)) {
    throw new ConfigError(`--store is memory or redis://host:port/db, not ${redactUrl(config.store)}`);
  }
  if (!logLevels.includes(config.logLevel)) {
    throw new ConfigError(`--log-level is one of ${logLevels.join(', ')}`);
  }
  if (config.apiKey === '') throw new ConfigError('--api-key must not be empty');
  for (const proxy of config.trustProxy) {
    if (!isProxySpec(proxy)) {
      throw new ConfigError(
        `--trust-proxy takes addresses, CIDR ranges, loopback, linklocal or uniquelocal, not ${proxy}`,
      );
    }
  }
  return config;
}

function isProxySpec(value: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(value)) return true;
  const [address = '', bits, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}
