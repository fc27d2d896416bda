/**
 * Prometheus metrics, one registry per service instance so that several
 * instances (tests, benchmarks) in one process do not collide.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreStats } from './store/store.js';

/**
 * Message types are free-form; labelling by all of them would let clients
 * grow the series without bound, so the rest count as "other".
 */
const knownTypes = new Set(['offer', 'answer', 'candidate', 'bye', 'peer-joined', 'peer-left']);

export interface Metrics {
  registry: Registry;
  messageStored: (type: string) => void;
  messageDelivered: (seconds: number) => void;
  rejected: (error: string) => void;
}

export function createMetrics(stats: () => Promise<StoreStats>): Metrics {
  const registry = new Registry();
  for (const [name, help, key] of [
    ['signaling_peers', 'Live peers', 'peers'],
    ['signaling_rooms', 'Rooms with at least one live peer', 'rooms'],
    ['signaling_polls_held', 'Polls held open right now', 'pollsHeld'],
  ] as const) {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set((await stats())[key]);
      },
    });
  }
  const messages = new Counter({
    name: 'signaling_messages_total',
    help: 'Messages stored in mailboxes, by type (unlisted types count as "other")',
    labelNames: ['type'],
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'signaling_rejected_total',
    help: 'Requests refused, by error code',
    labelNames: ['error'],
    registers: [registry],
  });
  const relay = new Histogram({
    name: 'signaling_relay_seconds',
    help: "From a send's arrival to the message leaving in a poll response",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    registry,
    messageStored: (type) => {
      messages.inc({ type: knownTypes.has(type) ? type : 'other' });
    },
    messageDelivered: (seconds) => {
      relay.observe(seconds);
    },
    rejected: (error) => {
      rejected.inc({ error });
    },
  };
}
