import t from 'tap';
import { buildTestServer, forEachStore, listenTestServer, memoryStore } from '../helpers/server.js';
import { httpPoll, httpSend, join, leave, poll, register, send, type Registered } from '../helpers/protocol-client.js';
import type { FastifyInstance } from 'fastify';

async function pollsHeld(app: FastifyInstance): Promise<number> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  return Number(/^signaling_polls_held (\d+)$/m.exec(text)?.[1]);
}

/** Resolves once the service holds `count` polls (checked every few ms: an event to wait on, not a delay). */
async function untilHeld(app: FastifyInstance, count: number): Promise<void> {
  while ((await pollsHeld(app)) !== count) await new Promise((resolve) => setTimeout(resolve, 5));
}

forEachStore(t, async (t, kind) => {
  t.test('after acknowledges; unacknowledged messages come again, in order', async (t) => {
    const app = await buildTestServer(t, kind);
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    for (let i = 1; i <= 3; i++) await send(app, a, 'b', { type: 'candidate', data: i });
    t.same(
      (await poll(app, b)).body.messages.map((m) => m.seq),
      [1, 2, 3],
    );
    t.same(
      (await poll(app, b)).body.messages.map((m) => m.seq),
      [1, 2, 3],
      'at-least-once: nothing is lost to a lost response',
    );
    t.same(
      (await poll(app, b, 'after=2&timeoutMs=0')).body.messages.map((m) => m.data),
      [3],
    );
    t.same(
      (await poll(app, b, 'after=0&timeoutMs=0')).body.messages.map((m) => m.seq),
      [3],
      'acknowledged messages are gone for good',
    );
    t.same((await poll(app, b, 'after=3&timeoutMs=0')).body.messages, []);
    t.equal((await send(app, a, 'b', { type: 'x' })).body.seq, 4, 'seq keeps counting after acknowledgement');
  });

  t.test('invalid cursors change nothing', async (t) => {
    const app = await buildTestServer(t, kind);
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    await send(app, a, 'b', { type: 'x' });
    for (const after of ['2', '-1', '1.5', 'abc', '', '1e0', '99999999999999999999']) {
      const r = await poll(app, b, `after=${after}&timeoutMs=0`);
      t.equal(r.status, 400, `after=${after}`);
      t.equal(r.body.error, 'invalid_cursor');
    }
    for (const query of ['after=1&after=1', 'after=0&after=1', 'after=1&after=2', 'after=1&after=']) {
      const r = await poll(app, b, `${query}&timeoutMs=0`);
      t.equal(r.status, 400, query);
      t.equal(r.body.error, 'invalid_cursor', `${query}: a repeated after is a bad cursor`);
    }
    t.same(
      (await poll(app, b)).body.messages.map((m) => m.seq),
      [1],
      'the message is still there',
    );
    const fresh = await join(app, 'lab', 'c');
    t.equal(
      (await poll(app, fresh, 'after=1&timeoutMs=0')).body.error,
      'invalid_cursor',
      'a new mailbox has given no seq',
    );
    t.equal((await poll(app, b, 'timeoutMs=soon')).body.error, 'invalid_request');
    t.equal((await poll(app, b, 'timeoutMs=-1')).body.error, 'invalid_request');
    t.equal((await poll(app, b, 'timeoutMs=0&cacheBuster=123')).status, 200, 'unknown query parameters are ignored');
  });

  t.test('at most 100 messages per response', async (t) => {
    const app = await buildTestServer(t, kind, { rate: 1000 });
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    for (let i = 0; i < 150; i++) await send(app, a, 'b', { type: 'x', data: i });
    const first = (await poll(app, b)).body.messages;
    t.equal(first.length, 100);
    t.equal(first[99]?.seq, 100);
    const rest = (await poll(app, b, 'after=100&timeoutMs=0')).body.messages;
    t.same(
      rest.map((m) => m.data),
      Array.from({ length: 50 }, (_, i) => i + 100),
    );
  });

  t.test('only the peer itself may poll its mailbox', async (t) => {
    const app = await buildTestServer(t, kind);
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    t.equal((await poll(app, { ...b, token: a.token })).status, 401);
    t.equal((await poll(app, { ...b, token: '' })).status, 401);
    const none = await app.inject({ method: 'GET', url: '/v1/rooms/lab/peers/b/messages' });
    t.equal(none.statusCode, 401);
    t.same(JSON.parse(none.body), { error: 'unauthorized', message: 'Missing or invalid bearer credentials.' });
  });

  t.test('a held poll is answered by a message', async (t) => {
    const { app, url } = await listenTestServer(t, kind);
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    const held = httpPoll(url, b, 'timeoutMs=30000');
    await untilHeld(app, 1);
    await httpSend(url, a, 'b', { type: 'offer', data: { sdp: 'v=0' } });
    const answer = await held;
    t.equal(answer.status, 200);
    t.match(answer.body.messages, [{ seq: 1, type: 'offer', from: 'a', data: { sdp: 'v=0' } }]);
    t.equal(await pollsHeld(app), 0);
  });

  t.test('a held poll ends empty at its timeout', async (t) => {
    const { app, url } = await listenTestServer(t, kind);
    const b = await join(app, 'lab', 'b');
    const answer = await httpPoll(url, b, 'timeoutMs=50');
    t.equal(answer.status, 200);
    t.same(answer.body, { messages: [] });
  });

  t.test('a newer poll answers the older one at once with an empty list', async (t) => {
    const { app, url } = await listenTestServer(t, kind);
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    const older = httpPoll(url, b, 'timeoutMs=30000');
    await untilHeld(app, 1);
    const newer = httpPoll(url, b, 'timeoutMs=30000');
    t.same((await older).body, { messages: [] });
    await untilHeld(app, 1);
    await send(app, a, 'b', { type: 'x' });
    t.equal((await newer).body.messages.length, 1, 'the newer poll gets the message');
  });

  t.test('leave answers the held poll; the next call gets 401', async (t) => {
    const { app, url } = await listenTestServer(t, kind);
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    await send(app, a, 'b', { type: 'x' });
    // a sees b arrive, so it is told when b leaves (see presence.test.ts).
    t.match((await poll(app, a)).body.messages, [{ type: 'peer-joined', from: 'b' }]);
    const held = httpPoll(url, b, 'after=1&timeoutMs=30000');
    await untilHeld(app, 1);
    t.equal((await leave(app, b)).status, 204);
    t.same((await held).body, { messages: [] });
    t.equal((await poll(app, b)).status, 401);
    t.equal((await leave(app, b)).status, 401);
    t.match((await poll(app, a, 'after=0&timeoutMs=0')).body.messages, [
      { type: 'peer-joined', from: 'b' },
      { type: 'peer-left', from: 'b', data: { reason: 'left' } },
    ]);
  });

  t.test('a client that goes away frees its held poll, and the peer lives on', async (t) => {
    const { app, url } = await listenTestServer(t, kind, { ttlMs: 60000 });
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    const controller = new AbortController();
    const held = httpPoll(url, b, 'timeoutMs=30000', controller.signal);
    await untilHeld(app, 1);
    controller.abort();
    await t.rejects(held);
    await untilHeld(app, 0);
    await send(app, a, 'b', { type: 'x' });
    t.equal((await poll(app, b)).body.messages.length, 1, 'the message waits for the next poll');
  });

  t.test('the hold is capped at 60 s', async (t) => {
    const { app, url } = await listenTestServer(t, kind, { ttlMs: 1000 });
    const b = await join(app, 'lab', 'b');
    const held = httpPoll(url, b, 'timeoutMs=999999999');
    await untilHeld(app, 1);
    const taken = await register(app, 'lab', { name: 'b' });
    const retry = taken.body.retryAfterMs ?? Infinity;
    t.ok(retry <= 60000 + 1000 && retry > 59000, `retryAfterMs ${retry} is the capped hold plus the ttl`);
    await leave(app, b);
    await held;
  });

  t.test('shutdown answers every held poll', async (t) => {
    const { app, url } = await listenTestServer(t, kind);
    // One room each, so no peer-joined answers a poll before shutdown does.
    const peers = await Promise.all(['r1', 'r2', 'r3'].map(async (room) => await join(app, room, 'p')));
    const held = peers.map(async (peer) => await httpPoll(url, peer, 'timeoutMs=30000'));
    await untilHeld(app, 3);
    await app.close();
    for (const answer of await Promise.all(held)) t.same(answer.body, { messages: [] });
  });

  t.test('a peer that stops polling expires and is announced', async (t) => {
    const { app, url } = await listenTestServer(t, kind, { ttlMs: 1000 });
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    // b holds polls back to back, so only a can expire.
    let after = 0;
    const seen: Array<{ type: string; from: string; data: unknown }> = [];
    while (!seen.some((m) => m.type === 'peer-left')) {
      const answer = await httpPoll(url, b, `after=${after}&timeoutMs=500`);
      t.equal(answer.status, 200, 'b stays alive while it polls');
      seen.push(...answer.body.messages);
      after = answer.body.messages.at(-1)?.seq ?? after;
    }
    t.same(
      seen.filter((m) => m.type === 'peer-left').map(({ type, from, data }) => ({ type, from, data })),
      [{ type: 'peer-left', from: 'a', data: { reason: 'expired' } }],
    );
    t.equal((await poll(app, a)).status, 401, 'the expired token is dead');
  });
});

t.test('1,000 held polls are all answered by their messages', async (t) => {
  const { app, url } = await listenTestServer(t, memoryStore, { maxRoomPeers: 100, rate: 10000 });
  const peers: Registered[] = [];
  for (let room = 0; room < 10; room++) {
    for (let i = 0; i < 100; i++) peers.push(await join(app, `r${room}`, `p${i}`));
  }
  const held = peers.map(
    async (peer) => await httpPoll(url, peer, `after=${99 - Number(peer.name.slice(1))}&timeoutMs=60000`),
  );
  await untilHeld(app, 1000);
  const sender = await join(app, 'r0', 'sender').catch(() => undefined);
  t.equal(sender, undefined, 'room r0 is full');
  for (const peer of peers) {
    const inRoom = peers.find((p) => p.room === peer.room && p !== peer)!;
    await send(app, inRoom, peer.name, { type: 'wake', data: peer.name });
  }
  const answers = await Promise.all(held);
  t.ok(
    answers.every((answer, i) => answer.body.messages.some((m) => m.type === 'wake' && m.data === peers[i]?.name)),
    'every poll got its own message',
  );
  t.equal(await pollsHeld(app), 0);
});

t.test('memory store: a burst sent at once leaves in one response', async (t) => {
  // Batching is the embedded store's promise, not the protocol's: on Redis each
  // send lands on its own, and a poll may wake before the next one has.
  const { app, url } = await listenTestServer(t, memoryStore);
  const a = await join(app, 'lab', 'a');
  const b = await join(app, 'lab', 'b');
  const held = httpPoll(url, b, 'timeoutMs=30000');
  await untilHeld(app, 1);
  await Promise.all([1, 2, 3].map(async (i) => await send(app, a, 'b', { type: 'candidate', data: i })));
  t.same(
    (await held).body.messages.map((m) => m.data),
    [1, 2, 3],
  );
});
