/**
 * Runs the store's Lua scripts by digest (EVALSHA), loading each with EVAL the
 * first time a server does not know it, e.g. after Redis restarted empty.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connection.js';
import {
  candidatesLua,
  checkLua,
  endPollLua,
  identifyLua,
  leaveLua,
  listLua,
  pollLua,
  recheckLua,
  refundRegistrationLua,
  registerLua,
  reserveRegistrationLua,
  sendLua,
  unindexLua,
} from './redis-lua.js';

export class Script {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: RedisClient, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

export const scripts = {
  register: new Script(registerLua),
  identify: new Script(identifyLua),
  send: new Script(sendLua),
  poll: new Script(pollLua),
  endPoll: new Script(endPollLua),
  recheck: new Script(recheckLua),
  leave: new Script(leaveLua),
  list: new Script(listLua),
  check: new Script(checkLua),
  candidates: new Script(candidatesLua),
  unindex: new Script(unindexLua),
  reserveRegistration: new Script(reserveRegistrationLua),
  refundRegistration: new Script(refundRegistrationLua),
};

/** A room script's answer: presence messages it stored, peers it removed (on a cluster), its status, the rest. */
export interface RoomReply {
  joined: number;
  left: number;
  removed: string[];
  status: string;
  rest: unknown[];
}

export function roomReply(value: unknown): RoomReply {
  if (!Array.isArray(value) || value.length < 4) throw new TypeError('unexpected reply from a room script');
  const [joined, left, removed, status, ...rest] = value as unknown[];
  if (typeof joined !== 'number' || typeof left !== 'number' || typeof status !== 'string') {
    throw new TypeError('unexpected reply from a room script');
  }
  return { joined, left, removed: asStrings(removed), status, rest };
}

export function asString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new TypeError('expected a string in a script reply');
}

export function asNumber(value: unknown): number {
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number)) throw new TypeError('expected a number in a script reply');
  return number;
}

export function asStrings(value: unknown): string[] {
  if (!Array.isArray(value)) throw new TypeError('expected a list in a script reply');
  return (value as unknown[]).map(asString);
}
