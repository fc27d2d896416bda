/**
 * Builds the service in-process for tests, once per store kind, so the whole
 * protocol suite runs against every store and the stores cannot drift.
 */
import type { Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildServer, type ServerDeps } from '../../signaling/app.js';
import { resolveConfig, type Config } from '../../signaling/config.js';
import { redisSkipReason, sharedRedisUrl } from './redis.js';

export interface StoreKind {
  name: string;
  /** A reason to skip this kind on this machine, or false. */
  skip: () => Promise<string | false>;
  /** Settings that select this store for one test (e.g. its own Redis database). */
  settings: (t: Test) => Promise<Partial<Config>>;
}

export const memoryStore: StoreKind = {
  name: 'memory',
  skip: async () => false,
  settings: async () => ({ store: 'memory' }),
};

/** A private redis-server for this test process; each test gets a database of its own. */
export const redisStore: StoreKind = {
  name: 'redis',
  skip: async () => redisSkipReason(),
  settings: async () => ({ store: await sharedRedisUrl() }),
};

/** Every store the protocol suite runs against. */
export const storeKinds: StoreKind[] = [memoryStore, redisStore];

/** Runs `body` once per store kind, as a subtest named after the store. */
export function forEachStore(t: Test, body: (t: Test, kind: StoreKind) => Promise<void>): void {
  for (const kind of storeKinds) {
    void t.test(`${kind.name} store`, async (t) => {
      const reason = await kind.skip();
      if (reason !== false) {
        t.plan(0, reason);
        return;
      }
      await body(t, kind);
    });
  }
}

/** An app on that store, closed when the test ends. */
export async function buildTestServer(
  t: Test,
  kind: StoreKind,
  overrides: Partial<Config> = {},
  deps: ServerDeps = {},
): Promise<FastifyInstance> {
  // Suites register hundreds of peers from one address in a moment; the
  // registration rate has a suite of its own (register-rate.test.ts).
  const config = resolveConfig({ registerRate: 0, ...(await kind.settings(t)), ...overrides, logLevel: 'silent' });
  const app = buildServer(config, deps);
  t.teardown(async () => {
    await app.close();
  });
  await app.ready();
  return app;
}

/** The same, listening on a free loopback port, for tests where timing matters. */
export async function listenTestServer(
  t: Test,
  kind: StoreKind,
  overrides: Partial<Config> = {},
): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildTestServer(t, kind, overrides);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
}

/** A clock that moves only when told, for the service and both stores (ServerDeps.clock). */
export interface ManualClock {
  now: () => number;
  advance: (ms: number) => void;
}

export function manualClock(start = 1_764_000_000_000): ManualClock {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}
