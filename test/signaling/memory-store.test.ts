import t from 'tap';
import { MemoryStore } from '../../signaling/store/memory.js';
import type { Clock, StoredMessage } from '../../signaling/store/store.js';
import { tokenOf } from '../helpers/registration.js';

const limits = { ttlMs: 1000, maxQueue: 10, maxRoomPeers: 10, maxPeers: 100, rate: 5 };

function fixture(overrides: Partial<typeof limits> = {}): {
  store: MemoryStore;
  clock: Clock & { advance: (ms: number) => void };
} {
  let now = 1_764_000_000_000;
  const clock = {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
  return { store: new MemoryStore({ limits: { ...limits, ...overrides }, clock, autoSweep: false }), clock };
}

async function drain(store: MemoryStore, room: string, peer: string): Promise<StoredMessage[]> {
  const outcome = await store.poll({ room, peer, after: 0, timeoutMs: 0, signal: new AbortController().signal });
  return outcome.ok ? outcome.messages : [];
}

t.test('a peer expires ttl after registration, and the sweep announces it once', async (t) => {
  const { store, clock } = fixture();
  const a = await store.register({ room: 'lab', name: 'a', meta: '{}' });
  await store.register({ room: 'lab', name: 'b', meta: '{}' });
  t.ok(a.ok);
  clock.advance(999);
  await drain(store, 'lab', 'b');
  store.sweep();
  t.same(
    (await store.list('lab')).map((p) => p.name),
    ['a', 'b'],
    'alive until its ttl passes',
  );
  clock.advance(1);
  store.sweep();
  store.sweep();
  t.same(
    (await store.list('lab')).map((p) => p.name),
    ['b'],
  );
  const news = await drain(store, 'lab', 'b');
  t.same(
    news.filter((m) => m.type === 'peer-left').map((m) => [m.from, m.data]),
    [['a', '{"reason":"expired"}']],
  );
  t.equal(await store.identify('lab', a.ok ? a.token : ''), undefined, 'its token is dead');
});

t.test('each poll restarts the ttl from its end', async (t) => {
  const { store, clock } = fixture();
  await store.register({ room: 'lab', name: 'a', meta: '{}' });
  for (let i = 0; i < 5; i++) {
    clock.advance(900);
    await drain(store, 'lab', 'a');
    store.sweep();
  }
  t.same(
    (await store.list('lab')).map((p) => p.name),
    ['a'],
    'alive after 4.5 s of polls 0.9 s apart',
  );
  clock.advance(1000);
  store.sweep();
  t.same(await store.list('lab'), []);
  t.same(await store.stats(), { peers: 0, rooms: 0, pollsHeld: 0 }, 'an empty room is gone');
});

t.test('a held poll keeps the peer alive past its ttl', async (t) => {
  const { store, clock } = fixture();
  await store.register({ room: 'lab', name: 'a', meta: '{}' });
  const controller = new AbortController();
  const held = store.poll({ room: 'lab', peer: 'a', after: 0, timeoutMs: 60000, signal: controller.signal });
  clock.advance(5000);
  store.sweep();
  t.same(
    (await store.list('lab')).map((p) => p.name),
    ['a'],
  );
  t.equal((await store.stats()).pollsHeld, 1);
  controller.abort();
  t.same(await held, { ok: true, messages: [] });
  clock.advance(999);
  store.sweep();
  t.equal((await store.stats()).peers, 1, 'the ttl counts from the end of the poll');
  clock.advance(1);
  store.sweep();
  t.equal((await store.stats()).peers, 0);
});

t.test('idempotency keys are forgotten 5 minutes after acknowledgement, not before', async (t) => {
  const { store, clock } = fixture({ ttlMs: 3_600_000 });
  const a = tokenOf(await store.register({ room: 'lab', name: 'a', meta: '{}' }));
  await store.register({ room: 'lab', name: 'b', meta: '{}' });
  const first = await store.send({ room: 'lab', token: a, to: 'b', type: 'x', data: '1', idempotencyKey: 'k' });
  t.same(first, { ok: true, seq: 1 });
  clock.advance(10 * 60_000);
  t.same(
    await store.send({ room: 'lab', token: a, to: 'b', type: 'x', data: '1', idempotencyKey: 'k' }),
    { ok: true, seq: 1 },
    'still in the mailbox after 10 minutes: still a repeat',
  );
  await store.poll({ room: 'lab', peer: 'b', after: 1, timeoutMs: 0, signal: new AbortController().signal });
  t.same(
    await store.send({ room: 'lab', token: a, to: 'b', type: 'x', data: '1', idempotencyKey: 'k' }),
    { ok: true, seq: 2 },
    'acknowledged and older than 5 minutes: a new message',
  );
});

t.test('rate: a burst of `rate`, then one token per 1/rate s', async (t) => {
  const { store, clock } = fixture();
  const a = tokenOf(await store.register({ room: 'lab', name: 'a', meta: '{}' }));
  await store.register({ room: 'lab', name: 'b', meta: '{}' });
  const sendOne = async (): Promise<string> => {
    const outcome = await store.send({ room: 'lab', token: a, to: 'b', type: 'x', data: 'null' });
    return outcome.ok ? 'ok' : outcome.error;
  };
  for (let i = 0; i < 5; i++) t.equal(await sendOne(), 'ok');
  t.same(await store.send({ room: 'lab', token: a, to: 'b', type: 'x', data: 'null' }), {
    ok: false,
    error: 'rate_limited',
    retryAfterS: 1,
  });
  clock.advance(199);
  t.equal(await sendOne(), 'rate_limited');
  clock.advance(1);
  t.equal(await sendOne(), 'ok');
});

t.test('after close, held polls are answered and new polls are not held', async (t) => {
  const { store } = fixture();
  await store.register({ room: 'lab', name: 'a', meta: '{}' });
  await store.register({ room: 'other', name: 'b', meta: '{}' });
  const held = store.poll({ room: 'lab', peer: 'a', after: 0, timeoutMs: 60000, signal: new AbortController().signal });
  await store.close();
  t.same(await held, { ok: true, messages: [] });
  t.same(
    await store.poll({ room: 'other', peer: 'b', after: 0, timeoutMs: 60000, signal: new AbortController().signal }),
    { ok: true, messages: [] },
  );
  t.equal((await store.stats()).pollsHeld, 0);
});

t.test('poll, not an async function, still reports a failure as a rejection and never throws', async (t) => {
  let broken = false;
  const clock = {
    now: () => {
      if (broken) throw new Error('clock failed');
      return 1_764_000_000_000;
    },
  };
  const store = new MemoryStore({ limits, clock, autoSweep: false });
  await store.register({ room: 'lab', name: 'a', meta: '{}' });
  broken = true;
  let answer: Promise<unknown> | undefined;
  t.doesNotThrow(() => {
    answer = store.poll({ room: 'lab', peer: 'a', after: 0, timeoutMs: 0, signal: new AbortController().signal });
  });
  await t.rejects(answer!, /clock failed/);
});
