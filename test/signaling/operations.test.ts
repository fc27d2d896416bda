import t from 'tap';
import { buildTestServer, memoryStore } from '../helpers/server.js';
import { join, poll, send } from '../helpers/protocol-client.js';

t.test('healthz and readyz', async (t) => {
  const app = await buildTestServer(t, memoryStore);
  t.same((await app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 200);
  t.same(ready.json(), { status: 'ok' });
});

t.test('metrics count peers, rooms, messages, refusals and relay time', async (t) => {
  const app = await buildTestServer(t, memoryStore);
  const a = await join(app, 'lab', 'a');
  const b = await join(app, 'lab', 'b');
  await join(app, 'other', 'c');
  await send(app, a, 'b', { type: 'offer' });
  await send(app, a, 'b', { type: 'my-custom-type' });
  await send(app, a, 'b', { type: 'peer-left' });
  await poll(app, b);
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  t.match(response.headers['content-type'], /text\/plain/);
  const text = response.body;
  t.match(text, /^signaling_peers 3$/m);
  t.match(text, /^signaling_rooms 2$/m);
  t.match(text, /^signaling_polls_held 0$/m);
  t.match(text, /^signaling_messages_total\{type="offer"\} 1$/m);
  t.match(text, /^signaling_messages_total\{type="other"\} 1$/m, 'free-form types share one series');
  t.match(text, /^signaling_messages_total\{type="peer-joined"\} 1$/m);
  t.match(text, /^signaling_rejected_total\{error="reserved_type"\} 1$/m);
  t.match(text, /^signaling_relay_seconds_count 2$/m, 'two messages left in a poll response');
});

t.test('the OpenAPI document is generated from the route schemas', async (t) => {
  const app = await buildTestServer(t, memoryStore);
  const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
  t.match(doc.openapi, /^3\./);
  t.ok(doc.paths['/v1/rooms/{room}/peers'].post, 'register');
  t.ok(doc.paths['/v1/rooms/{room}/peers'].get, 'list');
  t.ok(doc.paths['/v1/rooms/{room}/peers/{peer}'].delete, 'leave');
  t.ok(doc.paths['/v1/rooms/{room}/peers/{peer}/messages'].post, 'send');
  const pollDoc = doc.paths['/v1/rooms/{room}/peers/{peer}/messages'].get;
  t.same(
    pollDoc.parameters
      .filter((p: { in: string }) => p.in === 'query')
      .map((p: { name: string }) => p.name)
      .sort(),
    ['after', 'timeoutMs'],
  );
  t.ok(pollDoc.responses['200'], 'poll documents its 200');
  t.equal(doc.paths['/v1/openapi.json'], undefined, 'the document does not list itself');
});
