import t from 'tap';
import { buildTestServer, memoryStore } from '../helpers/server.js';
import { join } from '../helpers/protocol-client.js';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('nothing a client sends makes the service answer 5xx or anything but JSON', async (t) => {
  const app = await buildTestServer(t, memoryStore, { maxBodyBytes: 4096 });
  const a = await join(app, 'lab', 'a');
  await join(app, 'lab', 'b');
  const next = random(20261121);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const fragments = [
    '{',
    '}',
    '[',
    ']',
    '"',
    ':',
    ',',
    'null',
    'true',
    '1e999',
    '-0',
    '"type"',
    '"data"',
    '"name"',
    '"meta"',
    '"offer"',
    '"peer-left"',
    '"\\u0000"',
    '"\\ud800"',
    '__proto__',
    '"constructor"',
    ' ',
    '\n',
    'é',
    '\u0000',
    '9'.repeat(30),
  ];
  const paths = [
    '/v1/rooms/lab/peers',
    '/v1/rooms/lab/peers/b/messages',
    '/v1/rooms/lab/peers/a/messages',
    '/v1/rooms/lab/peers/a',
    '/v1/rooms/%00/peers',
    '/v1/rooms/lab/peers/b/messages?after=%ff',
    '/v1/rooms/lab/peers/a/messages?timeoutMs=0&after=1&after=2',
    '/v1/rooms/' + 'x'.repeat(200) + '/peers',
    '/v1/rooms/lab/peers/a/messages?timeoutMs=0&timeoutMs=1',
    '/healthz',
    '/metrics',
    '//',
    '/v1/rooms/lab/peers/%2e%2e',
  ];
  const types = [
    'application/json',
    'application/json; charset=latin1',
    'text/plain',
    '',
    'application/json;',
    'multipart/form-data; boundary=x',
  ];
  const tokens = [a.token, 'x', '', a.token + ' extra', 'Basic abc'];
  let checked = 0;
  for (let i = 0; i < 600; i++) {
    let body = '';
    const length = Math.floor(next() * 12);
    for (let j = 0; j < length; j++) body += pick(fragments);
    if (next() < 0.3)
      body = JSON.stringify({
        type: pick(['offer', 'x', 'peer-joined', 'A', 7]),
        data: next() < 0.5 ? JSON.parse('{"a":[1,{"b":null}]}') : body,
      });
    const headers: Record<string, string> = {};
    const type = pick(types);
    if (type !== '') headers['content-type'] = type;
    if (next() < 0.8) headers.authorization = `Bearer ${pick(tokens)}`;
    if (next() < 0.2) headers['idempotency-key'] = pick(['k', '', '\u00ff', 'x'.repeat(70)]);
    const method = pick(['GET', 'POST', 'DELETE', 'PUT', 'OPTIONS'] as const);
    const response = await app.inject({
      method,
      url: pick(paths),
      headers,
      ...(method === 'GET' || method === 'OPTIONS' ? {} : { payload: body }),
    });
    if (
      response.statusCode >= 500 ||
      (response.body !== '' &&
        !/application\/json|text\/plain; version=0\.0\.4/.test(String(response.headers['content-type'])))
    ) {
      t.fail(`request ${i}: ${method} ${response.statusCode} ${response.body.slice(0, 200)}`);
    }
    if (response.statusCode >= 400 && response.body !== '') {
      const parsed = response.json<{ error?: unknown; message?: unknown }>();
      if (typeof parsed.error !== 'string' || typeof parsed.message !== 'string')
        t.fail(`request ${i}: ${response.body}`);
    }
    checked++;
  }
  t.equal(checked, 600);
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'still serving');
});
