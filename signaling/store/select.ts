/** Picks the store named by --store. */
import type { Config } from '../config.js'
import { MemoryStore } from './memory.js'
import type { Clock, Store, StoreObserver } from './store.js'

export function createStore (config: Config, observer: StoreObserver, clock: Clock): Store {
  if (config.store === 'memory') return new MemoryStore({ limits: config, clock, observer })
  throw new Error(`store ${config.store} is not supported yet`)
}
