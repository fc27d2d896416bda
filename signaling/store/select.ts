/** Picks the store named by --store: memory, or Redis for a redis:// or rediss:// URL. */
import type { Config } from '../config.js';
import { MemoryStore } from './memory.js';
import { RedisStore } from './redis.js';
import type { Clock, Store, StoreObserver } from './store.js';

/**
 * The Redis store's time is Redis TIME, read inside each script, so instances
 * on hosts whose clocks differ still agree on every TTL; only a clock a test
 * injects (`clock` given) pins it.
 */
export function createStore(config: Config, observer: StoreObserver, clock: Clock | undefined): Store {
  if (config.store === 'memory') return new MemoryStore({ limits: config, observer, ...(clock ? { clock } : {}) });
  if (/^rediss?:\/\//.test(config.store))
    return new RedisStore({ url: config.store, limits: config, observer, ...(clock ? { clock } : {}) });
  throw new Error(`store ${config.store} is not supported`);
}
