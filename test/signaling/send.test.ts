import t from 'tap';
import { buildTestServer, forEachStore } from '../helpers/server.js';
import { join, leave, poll, send } from '../helpers/protocol-client.js';

forEachStore(t, async (t, kind) => {
  t.test('a message arrives with server-stamped from and ts, data as sent', async (t) => {
    const app = await buildTestServer(t, kind);
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    const before = Date.now();
    const raw =
      '{"type":"offer","data":{"sdp":"v=0\\r\\n","2":"two","1":1,"big":123456789012345678901234567890,"u":"\\u00e9\\ud83d\\ude00"}}';
    const sent = await send(app, a, 'b', raw);
    t.equal(sent.status, 202);
    t.equal(sent.body.seq, 1);
    const got = await poll(app, b);
    const message = got.body.messages[0]!;
    t.match(message, { seq: 1, type: 'offer', from: 'a' });
    t.ok(message.ts >= before && message.ts <= Date.now(), 'ts is server time');
    t.ok(
      got.text.includes(
        '"data":{"sdp":"v=0\\r\\n","2":"two","1":1,"big":123456789012345678901234567890,"u":"\\u00e9\\ud83d\\ude00"}',
      ),
      'data keeps its key order, digits and escapes',
    );
  });

  t.test('absent data is null; a sender cannot forge from or ts', async (t) => {
    const app = await buildTestServer(t, kind);
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    t.equal((await send(app, a, 'b', { type: 'bye' })).status, 202);
    const forged = await send(app, a, 'b', { type: 'bye', from: 'b', ts: 1 });
    t.equal(forged.status, 400);
    t.equal(forged.body.error, 'invalid_request');
    const got = await poll(app, b);
    t.same(
      got.body.messages.map((m) => [m.type, m.from, m.data]),
      [['bye', 'a', null]],
    );
  });

  t.test('types: the pattern, and peer-* reserved', async (t) => {
    const app = await buildTestServer(t, kind);
    const a = await join(app, 'lab', 'a');
    await join(app, 'lab', 'b');
    for (const type of ['Offer', '1x', '', 'a'.repeat(33), 'a_b']) {
      const r = await send(app, a, 'b', { type });
      t.equal(r.body.error, 'invalid_request', `type ${JSON.stringify(type)}`);
    }
    t.equal((await send(app, a, 'b', { type: 'a'.repeat(32) })).status, 202);
    const reserved = await send(app, a, 'b', { type: 'peer-joined', data: {} });
    t.equal(reserved.status, 400);
    t.equal(reserved.body.error, 'reserved_type');
    t.equal((await send(app, a, 'b', { type: 7 })).body.error, 'invalid_request', 'no coercion');
    t.equal((await send(app, a, 'b', '[1]')).body.error, 'invalid_request');
    t.equal((await send(app, a, 'b', '{"type":')).body.error, 'invalid_json');
  });

  t.test('auth: a token works only in its own room', async (t) => {
    const app = await buildTestServer(t, kind);
    const a = await join(app, 'lab', 'a');
    await join(app, 'lab', 'b');
    const stranger = await join(app, 'elsewhere', 'a');
    t.equal((await send(app, stranger, 'b', { type: 'x' })).status, 404, 'stranger in its own room finds no b');
    const foreign = await app.inject({
      method: 'POST',
      url: '/v1/rooms/lab/peers/b/messages',
      headers: { authorization: `Bearer ${stranger.token}`, 'content-type': 'application/json' },
      payload: '{"type":"x"}',
    });
    t.equal(foreign.statusCode, 401);
    t.equal((await send(app, { ...a, token: 'nope' }, 'b', { type: 'x' })).status, 401);
    t.equal((await send(app, a, 'nobody', { type: 'x' })).body.error, 'peer_not_found');
    await leave(app, a);
    t.equal((await send(app, a, 'b', { type: 'x' })).status, 401, 'a token dies with its peer');
  });

  // The store checks a send's or a poll's token with the action itself; what is
  // refused before the store is reached must still answer 401 first.
  t.test('a token of no peer is 401 before any body, type or cursor error, and changes nothing', async (t) => {
    const app = await buildTestServer(t, kind, { maxBodyBytes: 100 });
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    const stranger = await join(app, 'elsewhere', 'a');
    const url = '/v1/rooms/lab/peers/b/messages';
    const cases: Array<[string, string, string]> = [
      ['a media type', 'text/plain', '{"type":"x"}'],
      ['a size', 'application/json', JSON.stringify({ type: 'x', data: 'y'.repeat(200) })],
      ['invalid JSON', 'application/json', '{'],
      ['a schema', 'application/json', '{"type":"x","extra":1}'],
      ['a reserved type', 'application/json', '{"type":"peer-left"}'],
    ];
    for (const [what, contentType, payload] of cases) {
      for (const [whose, token] of [
        ['no peer', 'nope'],
        ['a peer of another room', stranger.token],
      ] as const) {
        const response = await app.inject({
          method: 'POST',
          url,
          headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
          payload,
        });
        t.equal(response.statusCode, 401, `${what}, the token of ${whose}: 401`);
        t.equal(response.json().error, 'unauthorized');
      }
      const own = await app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${a.token}`, 'content-type': contentType },
        payload,
      });
      t.not(own.statusCode, 401, `${what}, a good token: ${own.statusCode} ${own.json().error}`);
    }
    for (const token of ['nope', a.token]) {
      const response = await app.inject({
        method: 'GET',
        url: '/v1/rooms/lab/peers/b/messages?after=x',
        headers: { authorization: `Bearer ${token}` },
      });
      t.equal(response.statusCode, 401, "a bad cursor with a token that is not b's: 401");
    }
    const cursor = await app.inject({
      method: 'GET',
      url: '/v1/rooms/lab/peers/b/messages?after=x',
      headers: { authorization: `Bearer ${b.token}` },
    });
    t.equal(cursor.json().error, 'invalid_cursor', "b's own token: the cursor's error");
    t.same((await poll(app, b)).body.messages, [], 'nothing was stored');
  });

  t.test('the size limit includes the limit itself', async (t) => {
    const app = await buildTestServer(t, kind, { maxBodyBytes: 1000 });
    const a = await join(app, 'lab', 'a');
    await join(app, 'lab', 'b');
    const frame = '{"type":"x","data":""}';
    const exact = `{"type":"x","data":"${'y'.repeat(1000 - frame.length)}"}`;
    t.equal(Buffer.byteLength(exact), 1000);
    t.equal((await send(app, a, 'b', exact)).status, 202);
    const over = await send(app, a, 'b', `{"type":"x","data":"${'y'.repeat(1001 - frame.length)}"}`);
    t.equal(over.status, 413);
    t.equal(over.body.error, 'payload_too_large');
  });

  t.test('idempotency: a repeat stores nothing and gets the first seq, even past the limits', async (t) => {
    const app = await buildTestServer(t, kind, { maxQueue: 2, rate: 3 });
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    const first = await send(app, a, 'b', { type: 'offer', data: 1 }, { 'idempotency-key': 'k-1' });
    const repeat = await send(app, a, 'b', { type: 'offer', data: 2 }, { 'idempotency-key': 'k-1' });
    t.equal(repeat.status, 202);
    t.equal(repeat.body.seq, first.body.seq);
    t.equal((await send(app, a, 'b', { type: 'offer' }, { 'idempotency-key': 'k-2' })).body.seq, 2);
    t.equal((await send(app, a, 'b', { type: 'offer' }, { 'idempotency-key': 'k-3' })).body.error, 'mailbox_full');
    t.equal(
      (await send(app, a, 'b', { type: 'offer' }, { 'idempotency-key': 'k-1' })).body.seq,
      1,
      'recognised while the mailbox is full',
    );
    const messages = (await poll(app, b)).body.messages;
    t.same(
      messages.map((m) => m.data),
      [1, null],
      'the repeat stored nothing',
    );
    const c = await join(app, 'lab', 'c');
    t.equal(
      (await send(app, c, 'b', { type: 'offer' }, { 'idempotency-key': 'k-1' })).body.error,
      'mailbox_full',
      'keys are per sender',
    );
    await poll(app, b, 'after=2&timeoutMs=0');
    t.equal(
      (await send(app, a, 'b', { type: 'offer' }, { 'idempotency-key': 'k-1' })).body.seq,
      1,
      'remembered after acknowledgement, within 5 minutes',
    );
    for (const key of ['', 'x'.repeat(65), 'tab\there', 'é']) {
      const bad = await send(app, a, 'b', { type: 'offer' }, { 'idempotency-key': key });
      t.equal(bad.body.error, 'invalid_request', `key ${JSON.stringify(key)} refused`);
    }
  });

  t.test('rate limit: 429 with retry-after; refused sends use no rate', async (t) => {
    const app = await buildTestServer(t, kind, { rate: 2 });
    const a = await join(app, 'lab', 'a');
    await join(app, 'lab', 'b');
    t.equal((await send(app, a, 'nobody', { type: 'x' })).status, 404);
    t.equal((await send(app, a, 'b', { type: 'x' }, { 'idempotency-key': 'one' })).status, 202);
    t.equal((await send(app, a, 'b', { type: 'x' })).status, 202, 'the refused send above used no rate');
    const limited = await send(app, a, 'b', { type: 'x' });
    t.equal(limited.status, 429);
    t.equal(limited.body.error, 'rate_limited');
    t.match(limited.headers['retry-after'], /^[1-9][0-9]*$/);
    t.equal(
      (await send(app, a, 'b', { type: 'x' }, { 'idempotency-key': 'one' })).status,
      202,
      'a repeat passes while over the rate',
    );
    t.equal(
      (await send(app, a, 'nobody', { type: 'x' })).body.error,
      'rate_limited',
      'rate answers before peer_not_found',
    );
  });

  t.test('presence messages are never refused for a full mailbox', async (t) => {
    const app = await buildTestServer(t, kind, { maxQueue: 1 });
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    t.equal((await send(app, b, 'a', { type: 'x' })).body.error, 'mailbox_full', "b's peer-joined fills a's mailbox");
    // Delivered (not acknowledged), so b's leaving is announced (see presence.test.ts).
    t.equal((await poll(app, a)).body.messages.length, 1);
    await join(app, 'lab', 'c');
    await leave(app, b);
    const got = await poll(app, a);
    t.same(
      got.body.messages.map((m) => [m.type, m.from]),
      [
        ['peer-joined', 'b'],
        ['peer-joined', 'c'],
        ['peer-left', 'b'],
      ],
    );
  });
});
