/**
 * Redis going away and coming back: the service stays up, says 503 (readyz
 * and store_unavailable) meanwhile, and recovers by itself with no restart.
 */
import t from 'tap';
import { freePort, redisSkipReason, startRedis } from '../helpers/redis.js';
// The bins run outside tap's loader (see test/helpers/processes.ts), as users run them.
import { startService } from '../helpers/processes.js';
import { httpCall } from '../helpers/protocol-client.js';

interface Peer {
  room: string;
  name: string;
  token: string;
}
interface Reply<T> {
  status: number;
  body: T;
}
interface Refusal {
  error?: string;
  message?: string;
}

const call = httpCall;

async function register(url: string, name: string): Promise<Reply<Peer & Refusal>> {
  return await call(url, 'POST', '/v1/rooms/lab/peers', undefined, { name });
}

async function pollsHeld(url: string): Promise<number> {
  const response = await fetch(`${url}/metrics`);
  return Number(/^signaling_polls_held (\d+)$/m.exec(await response.text())?.[1]);
}

/** Resolves once /readyz answers `status` (checked every few ms: an event to wait on, not a delay). */
async function untilReady(url: string, status: 200 | 503): Promise<void> {
  while ((await fetch(`${url}/readyz`)).status !== status) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function untilHeld(url: string, count: number): Promise<void> {
  while ((await pollsHeld(url)) !== count) await new Promise((resolve) => setTimeout(resolve, 5));
}

const skip = redisSkipReason();

t.test('Redis restarted mid-run: 503 meanwhile, then recovery with no restart', { skip }, async (t) => {
  let redis = await startRedis();
  const port = redis.port;
  t.teardown(async () => {
    await redis.stop();
  });
  const service = await startService(['--store', redis.url(0)]);
  t.teardown(async () => {
    await service.stop();
  });
  await untilReady(service.url, 200);

  const q = (await register(service.url, 'q')).body;
  const p = (await register(service.url, 'p')).body;
  const held = call<Refusal>(service.url, 'GET', `/v1/rooms/lab/peers/p/messages?timeoutMs=1000`, p.token);
  await untilHeld(service.url, 1);

  await redis.stop();
  await untilReady(service.url, 503);
  t.same((await call(service.url, 'GET', '/readyz')).body, {
    status: 'unavailable',
    message: 'The store is unreachable.',
  });
  t.equal((await call(service.url, 'GET', '/healthz')).status, 200, 'the process stays up');
  const refused = await register(service.url, 'r');
  t.equal(refused.status, 503);
  t.equal(refused.body.error, 'store_unavailable');
  t.type(refused.body.message, 'string');
  const send = await call<Refusal>(service.url, 'POST', '/v1/rooms/lab/peers/p/messages', q.token, { type: 'offer' });
  t.same([send.status, send.body.error], [503, 'store_unavailable'], 'a send needs the store too');
  const answer = await held;
  t.same(
    [answer.status, answer.body.error],
    [503, 'store_unavailable'],
    'a poll held across the outage ends with 503, not a hang',
  );

  redis = await startRedis(port);
  await untilReady(service.url, 200);
  // The restarted Redis kept nothing (no persistence): peers register again.
  t.equal(
    (await call(service.url, 'GET', '/v1/rooms/lab/peers', p.token)).status,
    401,
    'old tokens died with the data',
  );
  const q2 = (await register(service.url, 'q')).body;
  const p2 = (await register(service.url, 'p')).body;
  t.ok(p2.token !== undefined && q2.token !== undefined, 'registration works again');
  const again = call<{ messages: Array<{ type: string; from: string }> }>(
    service.url,
    'GET',
    '/v1/rooms/lab/peers/p/messages?timeoutMs=30000',
    p2.token,
  );
  await untilHeld(service.url, 1);
  t.equal((await call(service.url, 'POST', '/v1/rooms/lab/peers/p/messages', q2.token, { type: 'offer' })).status, 202);
  t.match(
    (await again).body.messages,
    [{ type: 'offer', from: 'q' }],
    'held polls are woken again: the subscription came back',
  );
});

t.test('the service starts while Redis is down and connects when it appears', { skip }, async (t) => {
  const port = await freePort();
  const service = await startService(['--store', `redis://127.0.0.1:${port}/0`]);
  t.teardown(async () => {
    await service.stop();
  });
  t.equal((await call(service.url, 'GET', '/readyz')).status, 503);
  const refused = await register(service.url, 'p');
  t.same([refused.status, refused.body.error], [503, 'store_unavailable']);
  const redis = await startRedis(port);
  t.teardown(redis.stop);
  await untilReady(service.url, 200);
  t.equal((await register(service.url, 'p')).status, 201);
});

t.test(
  'a hung Redis (SIGSTOP): readyz 503 and store_unavailable within the command timeout, then recovery',
  { skip },
  async (t) => {
    const redis = await startRedis();
    t.teardown(async () => {
      try {
        process.kill(redis.pid, 'SIGCONT');
      } catch {
        /* already gone */
      }
      await redis.stop();
    });
    const service = await startService(['--store', redis.url(0)]);
    t.teardown(async () => {
      await service.stop();
    });
    await untilReady(service.url, 200);
    process.kill(redis.pid, 'SIGSTOP');
    await untilReady(service.url, 503);
    const refused = await register(service.url, 'p');
    t.same(
      [refused.status, refused.body.error],
      [503, 'store_unavailable'],
      'a request fails instead of waiting for Redis',
    );
    process.kill(redis.pid, 'SIGCONT');
    await untilReady(service.url, 200);
    t.equal((await register(service.url, 'p')).status, 201);
  },
);
