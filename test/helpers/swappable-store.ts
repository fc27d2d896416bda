/**
 * A Store that forwards to another, which a test may swap: one service (its
 * routes and schemas compiled once) serves many property runs, each on a
 * fresh store.
 */
import type { Store } from '../../signaling/store/store.js';

export class SwappableStore implements Store {
  constructor(public inner: Store) {}

  register: Store['register'] = async (request) => await this.inner.register(request);
  identify: Store['identify'] = async (room, token) => await this.inner.identify(room, token);
  send: Store['send'] = async (request) => await this.inner.send(request);
  poll: Store['poll'] = async (request) => await this.inner.poll(request);
  leave: Store['leave'] = async (room, peer) => await this.inner.leave(room, peer);
  list: Store['list'] = async (room, viewer) => await this.inner.list(room, viewer);
  stats: Store['stats'] = async () => await this.inner.stats();
  sweep: Store['sweep'] = async () => {
    await this.inner.sweep();
  };
  ready: Store['ready'] = async () => await this.inner.ready();
  close: Store['close'] = async () => {
    await this.inner.close();
  };
}
