/**
 * Two RedisStore objects on one database stand for two instances: the races
 * that only a shared store has (claiming a name, giving seqs, repeats, rate,
 * expiry) are decided once, in Redis.
 */
import t, { type Test } from 'tap';
import { RedisStore } from '../../signaling/store/redis.js';
import type { StoreLimits } from '../../signaling/store/store.js';
import { redisSkipReason, sharedRedisUrl } from '../helpers/redis.js';
import { tokenOf } from '../helpers/registration.js';

const limits: StoreLimits = { ttlMs: 30000, maxQueue: 1024, maxRoomPeers: 64, maxPeers: 100000, rate: 1000 };

interface Instance {
  store: RedisStore;
  stored: string[];
}

async function twoStores(t: Test, overrides: Partial<StoreLimits> = {}): Promise<[Instance, Instance]> {
  const url = await sharedRedisUrl();
  const make = (): Instance => {
    const stored: string[] = [];
    const store = new RedisStore({
      url,
      limits: { ...limits, ...overrides },
      observer: {
        stored: (type) => {
          stored.push(type);
        },
      },
    });
    t.teardown(async () => {
      await store.close();
    });
    return { store, stored };
  };
  const pair: [Instance, Instance] = [make(), make()];
  for (const { store } of pair) {
    while (!(await store.ready())) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return pair;
}

const skip = redisSkipReason();

t.test('two instances claiming one name at once: exactly one gets it', { skip }, async (t) => {
  const [a, b] = await twoStores(t);
  for (let round = 0; round < 20; round++) {
    const outcomes = await Promise.all([
      a.store.register({ room: `r${round}`, name: 'x', meta: '{}' }),
      b.store.register({ room: `r${round}`, name: 'x', meta: '{}' }),
    ]);
    t.same(outcomes.map((o) => o.ok).sort(), [false, true], `round ${round}`);
  }
});

t.test('sends through both instances get distinct consecutive seqs', { skip }, async (t) => {
  const [a, b] = await twoStores(t);
  await a.store.register({ room: 'lab', name: 'rx', meta: '{}' });
  const tx = tokenOf(await b.store.register({ room: 'lab', name: 'tx', meta: '{}' }));
  const sends = Array.from(
    { length: 60 },
    async (_, i) =>
      await (i % 2 === 0 ? a : b).store.send({ room: 'lab', token: tx, to: 'rx', type: 'candidate', data: String(i) }),
  );
  const seqs = (await Promise.all(sends)).map((o) => (o.ok ? o.seq : -1)).sort((x, y) => x - y);
  t.same(
    seqs,
    Array.from({ length: 60 }, (_, i) => i + 2),
    'seq 1 is the peer-joined',
  );
});

t.test('an Idempotency-Key repeated through the other instance stores nothing new', { skip }, async (t) => {
  const [a, b] = await twoStores(t);
  await a.store.register({ room: 'lab', name: 'rx', meta: '{}' });
  const tx = tokenOf(await a.store.register({ room: 'lab', name: 'tx', meta: '{}' }));
  const request = { room: 'lab', token: tx, to: 'rx', type: 'offer', data: '{"sdp":"v=0"}', idempotencyKey: 'k1' };
  const first = await a.store.send(request);
  const again = await b.store.send(request);
  t.same(
    [first, again],
    [
      { ok: true, seq: 2 },
      { ok: true, seq: 2 },
    ],
    'seq 1 is the peer-joined',
  );
  t.same(
    [...a.stored, ...b.stored].filter((type) => type === 'offer'),
    ['offer'],
    'stored once, counted once',
  );
});

t.test('the rate limit is one bucket per sender across instances', { skip }, async (t) => {
  const [a, b] = await twoStores(t, { rate: 4 });
  await a.store.register({ room: 'lab', name: 'rx', meta: '{}' });
  const tx = tokenOf(await a.store.register({ room: 'lab', name: 'tx', meta: '{}' }));
  const outcomes = [];
  for (let i = 0; i < 6; i++)
    outcomes.push(
      await (i % 2 === 0 ? a : b).store.send({ room: 'lab', token: tx, to: 'rx', type: 'x', data: 'null' }),
    );
  t.equal(outcomes.filter((o) => o.ok).length, 4, 'the burst is shared');
  t.match(outcomes.at(-1), { ok: false, error: 'rate_limited' });
});

t.test('an expiry both instances sweep is stored once', { skip }, async (t) => {
  const [a, b] = await twoStores(t, { ttlMs: 400 });
  await a.store.register({ room: 'lab', name: 'silent', meta: '{}' });
  await b.store.register({ room: 'lab', name: 'watcher', meta: '{}' });
  const left = (): number => [...a.stored, ...b.stored].filter((type) => type === 'peer-left').length;
  let after = 0;
  // The watcher polls (alternating instances) until peer-left arrives, then 1.2 s more.
  let seenAt: number | undefined;
  for (let turn = 0; seenAt === undefined || Date.now() - seenAt < 1200; turn++) {
    const outcome = await (turn % 2 === 0 ? a : b).store.poll({
      room: 'lab',
      peer: 'watcher',
      after,
      timeoutMs: 200,
      signal: new AbortController().signal,
    });
    if (!outcome.ok) throw new Error(outcome.error);
    after = outcome.messages.at(-1)?.seq ?? after;
    if (seenAt === undefined && outcome.messages.some((m) => m.type === 'peer-left')) seenAt = Date.now();
  }
  t.equal(left(), 1, 'one peer-left stored, by whichever instance noticed');
  t.same(await a.store.list('lab').then((peers) => peers.map((p) => p.name)), ['watcher']);
});
