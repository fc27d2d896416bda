/**
 * Bodies a hostile or broken client sends: deep nesting, JSON that is not an
 * object, bytes that are not UTF-8. Each is refused with its catalogue code
 * and changes nothing, or relayed exactly as sent.
 */
import t from 'tap';
import { buildTestServer, forEachStore } from '../helpers/server.js';
import { join, poll, type Registered } from '../helpers/protocol-client.js';

function nested(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

forEachStore(t, async (t, kind) => {
  t.test('a meta nested 5,000 deep is 400 invalid_request, not a stack overflow', async (t) => {
    const app = await buildTestServer(t, kind);
    const host = await join(app, 'lab', 'host');
    for (const depth of [5000, 10_000]) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/rooms/lab/peers',
        headers: { 'content-type': 'application/json' },
        payload: `{"name":"deep","meta":${nested(depth)}}`,
      });
      t.equal(response.statusCode, 400, `depth ${depth}`);
      t.equal(response.json().error, 'invalid_request');
    }
    // Within the size limit nesting is shallow enough for every parser.
    const shallow = nested(150);
    const fits = await app.inject({
      method: 'POST',
      url: '/v1/rooms/lab/peers',
      headers: { 'content-type': 'application/json' },
      payload: `{"name":"fits","meta":${shallow}}`,
    });
    t.equal(fits.statusCode, 201);
    const news = await poll(app, host);
    t.same(
      news.body.messages.map((m) => m.from),
      ['fits'],
      'only the accepted peer was announced',
    );
    t.ok(news.text.includes(`"data":{"meta":${shallow}}`), 'and its meta relayed as sent');
  });

  t.test('a data nested 10,000 deep is relayed as sent', async (t) => {
    const app = await buildTestServer(t, kind);
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    const data = '['.repeat(10_000) + ']'.repeat(10_000);
    const sent = await app.inject({
      method: 'POST',
      url: '/v1/rooms/lab/peers/b/messages',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
      payload: `{"type":"deep","data":${data}}`,
    });
    t.equal(sent.statusCode, 202);
    const received = await poll(app, b);
    t.ok(received.text.includes(`"data":${data}}`));
  });

  t.test('only an empty register body counts as {}: null, [], 5 and "x" are 400 invalid_request', async (t) => {
    const app = await buildTestServer(t, kind);
    const host = await join(app, 'lab', 'host');
    for (const payload of ['null', '[]', '5', '"x"', 'true', ' null ']) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/rooms/lab/peers',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      t.equal(response.statusCode, 400, payload);
      t.equal(response.json().error, 'invalid_request', payload);
    }
    t.same((await poll(app, host)).body.messages, [], 'nobody registered');
    const empty = await app.inject({
      method: 'POST',
      url: '/v1/rooms/lab/peers',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    t.equal(empty.statusCode, 201, 'an empty body registers');
  });

  t.test('a body that is not UTF-8 is 400 invalid_json; what is relayed is what was sent', async (t) => {
    const app = await buildTestServer(t, kind);
    const a = await join(app, 'lab', 'a');
    const b = await join(app, 'lab', 'b');
    const sendBytes = async (
      from: Registered,
      bytes: Buffer,
    ): Promise<{ status: number; error: string | undefined }> => {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/rooms/lab/peers/b/messages',
        headers: { authorization: `Bearer ${from.token}`, 'content-type': 'application/json' },
        payload: bytes,
      });
      return { status: response.statusCode, error: response.json<{ error?: string }>().error };
    };
    const wrap = (inner: Buffer): Buffer =>
      Buffer.concat([Buffer.from('{"type":"x","data":"'), inner, Buffer.from('"}')]);
    for (const bad of ['fffec328', 'c3', 'ed a0 80', 'f4 90 80 80', 'c0 af', 'e2 82']) {
      const result = await sendBytes(a, wrap(Buffer.from(bad.replace(/ /g, ''), 'hex')));
      t.same(result, { status: 400, error: 'invalid_json' }, bad);
    }
    const register = await app.inject({
      method: 'POST',
      url: '/v1/rooms/lab/peers',
      headers: { 'content-type': 'application/json' },
      payload: Buffer.from('7b226e616d65223a22ff227d', 'hex'),
    });
    t.equal(register.json().error, 'invalid_json', 'register too');
    t.same((await poll(app, b)).body.messages, [], 'nothing was stored');

    const good = Buffer.from('é 日本 🎉 \\u00e9 \\ud83c\\udf89', 'utf8');
    t.same(await sendBytes(a, wrap(good)), { status: 202, error: undefined });
    const received = await app.inject({
      method: 'GET',
      url: '/v1/rooms/lab/peers/b/messages?timeoutMs=0',
      headers: { authorization: `Bearer ${b.token}` },
    });
    t.ok(
      received.rawPayload.includes(Buffer.concat([Buffer.from('"data":"'), good, Buffer.from('"')])),
      'byte for byte',
    );
  });
});
