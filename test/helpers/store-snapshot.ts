/**
 * Everything a store holds, as text, so a test can require that a refused
 * request changed nothing: for Redis every key of the database with its
 * value; for the memory store its whole object graph (maps, peers,
 * mailboxes, buckets), walked generically so that no field can be missed.
 */
import type { Redis } from 'ioredis';

/** The memory store's state: every field reachable from it, cycles as references. */
export function memorySnapshot(store: object): string {
  const seen = new Map<object, number>();
  const walk = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
    // Timers (the sweep) are machinery, not state.
    if (value.constructor.name === 'Timeout') return undefined;
    const id = seen.get(value);
    if (id !== undefined) return { ref: id };
    seen.set(value, seen.size);
    if (value instanceof Map) return { map: [...value].map(([k, v]) => [walk(k), walk(v)]) };
    if (value instanceof Set) return { set: [...value].map(walk) };
    if (Array.isArray(value)) return value.map(walk);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
  };
  return JSON.stringify(walk(store));
}

/** Every key of the connection's database with its type and value, sorted. */
export async function redisSnapshot(redis: Redis): Promise<string> {
  const keys = (await redis.keys('*')).sort();
  const entries: unknown[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    let value: unknown;
    if (type === 'string') value = await redis.get(key);
    else if (type === 'hash') value = Object.entries(await redis.hgetall(key)).sort();
    else if (type === 'list') value = await redis.lrange(key, 0, -1);
    else if (type === 'zset') value = await redis.call('ZRANGE', key, '0', '-1', 'WITHSCORES');
    else if (type === 'set') value = (await redis.smembers(key)).sort();
    entries.push([key, type, value]);
  }
  return JSON.stringify(entries);
}
