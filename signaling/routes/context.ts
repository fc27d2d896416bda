import type { Clock, Store } from '../store/store.js';
import type { Config } from '../config.js';

/** What every route plugin is given. */
export interface RouteContext {
  config: Config;
  store: Store;
  clock: Clock;
}
