/**
 * Two real service processes sharing one real Redis behave as one service:
 * a peer may register on one instance and use the other for anything.
 */
import t, { type Test } from 'tap';
import { redisSkipReason, startRedis } from '../helpers/redis.js';
// The bins run outside tap's loader (see test/helpers/processes.ts), as users run them.
import { startService, type Service } from '../helpers/processes.js';
import { httpCall } from '../helpers/protocol-client.js';

interface Peer {
  room: string;
  name: string;
  token: string;
  peers: string[];
}
interface Message {
  seq: number;
  type: string;
  from: string;
  data: unknown;
}
interface Reply<T> {
  status: number;
  body: T;
}

const call = httpCall;

async function register(url: string, room: string, name: string, meta?: Record<string, unknown>): Promise<Peer> {
  const reply = await call<Peer>(url, 'POST', `/v1/rooms/${room}/peers`, undefined, {
    name,
    ...(meta === undefined ? {} : { meta }),
  });
  if (reply.status !== 201) throw new Error(`register ${name}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

async function send(
  url: string,
  from: Peer,
  to: string,
  type: string,
  data?: unknown,
): Promise<Reply<{ seq: number; error?: string }>> {
  return await call(url, 'POST', `/v1/rooms/${from.room}/peers/${to}/messages`, from.token, {
    type,
    ...(data === undefined ? {} : { data }),
  });
}

async function poll(url: string, peer: Peer, query: string): Promise<Reply<{ messages: Message[]; error?: string }>> {
  return await call(url, 'GET', `/v1/rooms/${peer.room}/peers/${peer.name}/messages?${query}`, peer.token);
}

async function pollsHeld(url: string): Promise<number> {
  const response = await fetch(`${url}/metrics`);
  return Number(/^signaling_polls_held (\d+)$/m.exec(await response.text())?.[1]);
}

/** Resolves once the instance holds `count` polls (checked every few ms: an event to wait on, not a delay). */
async function untilHeld(url: string, count: number): Promise<void> {
  while ((await pollsHeld(url)) !== count) await new Promise((resolve) => setTimeout(resolve, 5));
}

interface Pair {
  a: Service;
  b: Service;
}

/** A fresh Redis and two instances on it, all stopped when the test ends. */
async function twoInstances(t: Test, flags: string[] = []): Promise<Pair> {
  const redis = await startRedis();
  t.teardown(redis.stop);
  const args = ['--store', redis.url(0), '--log-level', 'info', ...flags];
  const [a, b] = await Promise.all([startService(args), startService(args)]);
  t.teardown(async () => {
    await Promise.all([a.stop(), b.stop()]);
  });
  return { a, b };
}

const skip = redisSkipReason();

t.test('two instances on one Redis', { skip }, async (t) => {
  t.test('register on A, send through B, and back', async (t) => {
    const { a, b } = await twoInstances(t);
    const offerer = await register(a.url, 'lab', 'offerer');
    const answerer = await register(b.url, 'lab', 'answerer');
    t.same(answerer.peers, ['offerer'], 'B sees the peer registered on A');
    const sent = await send(b.url, answerer, 'offerer', 'offer', { sdp: 'v=0' });
    t.equal(sent.status, 202);
    const got = await poll(a.url, offerer, 'timeoutMs=0');
    t.match(got.body.messages, [
      { type: 'peer-joined', from: 'answerer' },
      { type: 'offer', from: 'answerer', data: { sdp: 'v=0' } },
    ]);
    t.equal(
      (await send(a.url, offerer, 'answerer', 'answer', { sdp: 'v=1' })).status,
      202,
      'a token works on either instance',
    );
    t.match((await poll(b.url, answerer, 'timeoutMs=0')).body.messages, [{ seq: 1, type: 'answer', from: 'offerer' }]);
  });

  t.test('presence crosses instances: joined, listed, left', async (t) => {
    const { a, b } = await twoInstances(t);
    const x = await register(a.url, 'lab', 'x');
    const y = await register(b.url, 'lab', 'y', { role: 'answerer' });
    const listed = await call<{ peers: Array<{ name: string; meta: unknown }> }>(
      a.url,
      'GET',
      '/v1/rooms/lab/peers',
      x.token,
    );
    t.same(
      listed.body.peers.map((p) => [p.name, p.meta]),
      [
        ['x', {}],
        ['y', { role: 'answerer' }],
      ],
      'oldest first, on either instance',
    );
    t.equal((await call(b.url, 'DELETE', '/v1/rooms/lab/peers/y', y.token)).status, 204);
    const got = await poll(a.url, x, 'timeoutMs=0');
    t.same(
      got.body.messages.map((m) => [m.type, m.from, m.data]),
      [
        ['peer-joined', 'y', { meta: { role: 'answerer' } }],
        ['peer-left', 'y', { reason: 'left' }],
      ],
    );
    t.equal((await poll(a.url, y, 'timeoutMs=0')).status, 401, 'the departed token is dead on the other instance too');
  });

  t.test('a poll held on A is answered by a send through B', async (t) => {
    const { a, b } = await twoInstances(t);
    // q first, so that p's mailbox starts empty and its poll is held.
    const q = await register(b.url, 'lab', 'q');
    const p = await register(a.url, 'lab', 'p');
    const held = poll(a.url, p, 'timeoutMs=30000');
    await untilHeld(a.url, 1);
    t.equal((await send(b.url, q, 'p', 'offer', 'ring')).status, 202);
    const answer = await held;
    t.equal(answer.status, 200);
    t.match(
      answer.body.messages,
      [{ seq: 1, type: 'offer', from: 'q', data: 'ring' }],
      'the wake-up crossed instances',
    );
    t.equal(await pollsHeld(a.url), 0);
  });

  t.test('a newer poll on B answers the older one held on A with an empty list', async (t) => {
    const { a, b } = await twoInstances(t);
    const q = await register(a.url, 'lab', 'q');
    const p = await register(a.url, 'lab', 'p');
    const older = poll(a.url, p, 'timeoutMs=30000');
    await untilHeld(a.url, 1);
    const newer = poll(b.url, p, 'timeoutMs=30000');
    t.same((await older).body, { messages: [] });
    await untilHeld(b.url, 1);
    await send(a.url, q, 'p', 'offer');
    t.match((await newer).body.messages, [{ type: 'offer' }], 'the newer poll gets the message');
  });

  t.test('a held poll keeps its peer alive, whichever instance holds it', async (t) => {
    // TTLs are short for speed but long enough for a loaded machine's gaps between polls.
    const { a, b } = await twoInstances(t, ['--ttl-ms', '1000']);
    // q first, so that p's mailbox starts empty and its poll is held.
    const q = await register(b.url, 'lab', 'q');
    const p = await register(a.url, 'lab', 'p');
    // p's poll is held on A for three ttls; meanwhile q keeps polling B, which sweeps too.
    let ended = false;
    const held = poll(a.url, p, 'timeoutMs=3000').finally(() => {
      ended = true;
    });
    let after = 0;
    const seen: Message[] = [];
    while (!ended) {
      const got = await poll(b.url, q, `after=${after}&timeoutMs=250`);
      t.equal(got.status, 200, 'q stays alive while it polls');
      seen.push(...got.body.messages);
      after = got.body.messages.at(-1)?.seq ?? after;
    }
    t.same((await held).body, { messages: [] }, 'the hold ran to its timeout');
    t.same(
      seen.filter((m) => m.type === 'peer-left'),
      [],
      'p did not expire while its poll was held',
    );
    t.equal((await poll(b.url, p, 'timeoutMs=0')).status, 200, 'p is still alive after its hold');
  });

  t.test('expiry with both instances sweeping is announced exactly once', async (t) => {
    const { a, b } = await twoInstances(t, ['--ttl-ms', '1000']);
    const watcher = await register(a.url, 'lab', 'watcher');
    const silent = await register(b.url, 'lab', 'silent');
    const seen: Message[] = [];
    let after = 0;
    const pollOn = async (url: string, timeoutMs: number): Promise<void> => {
      const got = await poll(url, watcher, `after=${after}&timeoutMs=${timeoutMs}`);
      t.equal(got.status, 200, 'the watcher stays alive while it polls');
      seen.push(...got.body.messages);
      after = got.body.messages.at(-1)?.seq ?? after;
    };
    for (let turn = 0; !seen.some((m) => m.type === 'peer-left'); turn++)
      await pollOn(turn % 2 === 0 ? a.url : b.url, 300);
    // Expiry is noticed within a second: watch both instances for longer than that.
    await pollOn(a.url, 1200);
    await pollOn(b.url, 1200);
    t.same(
      seen.filter((m) => m.type === 'peer-left').map((m) => [m.from, m.data]),
      [['silent', { reason: 'expired' }]],
    );
    t.equal((await poll(a.url, silent, 'timeoutMs=0')).status, 401);
    t.equal((await poll(b.url, silent, 'timeoutMs=0')).status, 401);
  });

  t.test('an instance killed while holding a poll loses nothing: the client goes on with the other', async (t) => {
    const { a, b } = await twoInstances(t);
    // q first, so that p's mailbox starts empty and its poll is held.
    const q = await register(b.url, 'lab', 'q');
    const p = await register(a.url, 'lab', 'p');
    const first = poll(a.url, p, 'timeoutMs=30000');
    await untilHeld(a.url, 1);
    await send(b.url, q, 'p', 'offer', 1);
    const delivered = (await first).body.messages;
    t.match(delivered, [{ seq: 1, data: 1 }]);
    const doomed = poll(a.url, p, 'after=1&timeoutMs=30000').then(
      () => 'answered',
      () => 'connection lost',
    );
    await untilHeld(a.url, 1);
    await a.stop('SIGKILL');
    t.equal(await doomed, 'connection lost', 'the held poll dies with its instance');
    await send(b.url, q, 'p', 'candidate', 2);
    await send(b.url, q, 'p', 'candidate', 3);
    const resumed = await poll(b.url, p, 'after=1&timeoutMs=30000');
    t.equal(resumed.status, 200, 'the peer is alive on the other instance');
    t.same(
      resumed.body.messages.map((m) => [m.seq, m.data]),
      [
        [2, 2],
        [3, 3],
      ],
      'nothing lost, nothing repeated past the cursor',
    );
  });
});
