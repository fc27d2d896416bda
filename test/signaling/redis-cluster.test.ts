/**
 * The same code on a three-node Redis Cluster: rooms hash to different nodes
 * (their keys carry the room as a hash tag), and two service instances still
 * behave as one, wake-ups included (classic pub/sub reaches every node).
 */
import t from 'tap';
import { RedisStore } from '../../signaling/store/redis.js';
import type { StoreLimits } from '../../signaling/store/store.js';
import { redisClusterSkipReason, startRedisCluster } from '../helpers/redis.js';
// The bins run outside tap's loader (see test/helpers/processes.ts), as users run them.
import { startService } from '../helpers/processes.js';
import { httpCall } from '../helpers/protocol-client.js';

const limits: StoreLimits = { ttlMs: 30000, maxQueue: 1024, maxRoomPeers: 64, maxPeers: 100000, rate: 1000 };

interface Peer {
  room: string;
  name: string;
  token: string;
}
interface Message {
  seq: number;
  type: string;
  from: string;
  data: unknown;
}

const call = httpCall;

async function pollsHeld(url: string): Promise<number> {
  const response = await fetch(`${url}/metrics`);
  return Number(/^signaling_polls_held (\d+)$/m.exec(await response.text())?.[1]);
}

t.test('two instances on a Redis Cluster', { skip: redisClusterSkipReason() }, async (t) => {
  const cluster = await startRedisCluster(3);
  t.teardown(cluster.stop);
  const flags = ['--store', cluster.url];
  const [a, b] = await Promise.all([startService(flags), startService(flags)]);
  t.teardown(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });
  while ((await fetch(`${a.url}/readyz`)).status !== 200 || (await fetch(`${b.url}/readyz`)).status !== 200) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  // Their slots (alpha 865, gamma 2469, omega 720 / lab 6901, delta 9053 / beta 15419) land on all three nodes.
  for (const room of ['lab', 'alpha', 'beta', 'gamma', 'delta', 'omega']) {
    const q = (await call<Peer>(b.url, 'POST', `/v1/rooms/${room}/peers`, undefined, { name: 'q' })).body;
    const p = (await call<Peer>(a.url, 'POST', `/v1/rooms/${room}/peers`, undefined, { name: 'p' })).body;
    t.equal(typeof p.token, 'string', `${room}: registered on both instances`);
    const held = call<{ messages: Message[] }>(
      a.url,
      'GET',
      `/v1/rooms/${room}/peers/p/messages?timeoutMs=30000`,
      p.token,
    );
    while ((await pollsHeld(a.url)) !== 1) await new Promise((resolve) => setTimeout(resolve, 5));
    t.equal(
      (await call(b.url, 'POST', `/v1/rooms/${room}/peers/p/messages`, q.token, { type: 'offer', data: room })).status,
      202,
    );
    t.match(
      (await held).body.messages,
      [{ seq: 1, type: 'offer', from: 'q', data: room }],
      `${room}: the poll held on A is woken by a send on B`,
    );
    const joined = await call<{ messages: Message[] }>(
      b.url,
      'GET',
      `/v1/rooms/${room}/peers/q/messages?timeoutMs=0`,
      q.token,
    );
    t.match(joined.body.messages, [{ type: 'peer-joined', from: 'p' }], `${room}: presence crosses instances`);
  }
});

t.test(
  'a name claimed through two stores at once on a cluster goes to one',
  { skip: redisClusterSkipReason() },
  async (t) => {
    const cluster = await startRedisCluster(3);
    t.teardown(cluster.stop);
    const stores = [0, 1].map(() => new RedisStore({ url: cluster.url, limits }));
    t.teardown(async () => {
      await Promise.all(
        stores.map(async (store) => {
          await store.close();
        }),
      );
    });
    for (const store of stores) {
      while (!(await store.ready())) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (let round = 0; round < 10; round++) {
      const outcomes = await Promise.all(
        stores.map(async (store) => await store.register({ room: `room${round}`, name: 'x', meta: '{}' })),
      );
      t.same(outcomes.map((o) => o.ok).sort(), [false, true], `room${round}`);
    }
    t.same((await stores[0]!.stats()).peers, 10, 'the expiry index counts every peer across nodes');

    const full = new RedisStore({ url: cluster.url, limits: { ...limits, maxPeers: 10 } });
    t.teardown(async () => {
      await full.close();
    });
    while (!(await full.ready())) await new Promise((resolve) => setTimeout(resolve, 10));
    t.match(await full.register({ room: 'extra', meta: '{}' }), { ok: false, error: 'server_full' });
    for (let round = 0; round < 10; round++) {
      t.ok(await full.leave(`room${round}`, 'x'), `room${round}: left`);
      t.match(
        await full.register({ room: `extra${round}`, meta: '{}' }),
        { ok: true },
        `room${round}: its place is free once the leave has answered`,
      );
    }
  },
);
