import t from 'tap';
import { buildTestServer, memoryStore } from '../helpers/server.js';
import { join, poll } from '../helpers/protocol-client.js';

t.test('checks answer in the protocol order: name, auth, media type, size, schema', async (t) => {
  const app = await buildTestServer(t, memoryStore, { maxBodyBytes: 100 });
  const a = await join(app, 'lab', 'a');
  await join(app, 'lab', 'b');
  const big = JSON.stringify({ type: 'x', extra: 'y'.repeat(200) });
  const cases: Array<[string, { url: string; headers: Record<string, string>; payload: string }, number, string]> = [
    [
      'bad name before auth',
      { url: '/v1/rooms/l!b/peers/b/messages', headers: { 'content-type': 'text/plain' }, payload: big },
      400,
      'invalid_name',
    ],
    [
      'bad peer name before auth',
      { url: '/v1/rooms/lab/peers/.b/messages', headers: {}, payload: big },
      400,
      'invalid_name',
    ],
    [
      'auth before media type',
      { url: '/v1/rooms/lab/peers/b/messages', headers: { 'content-type': 'text/plain' }, payload: big },
      401,
      'unauthorized',
    ],
    [
      'media type before size',
      {
        url: '/v1/rooms/lab/peers/b/messages',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'text/plain' },
        payload: big,
      },
      415,
      'unsupported_media_type',
    ],
    [
      'size before schema',
      {
        url: '/v1/rooms/lab/peers/b/messages',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
        payload: big,
      },
      413,
      'payload_too_large',
    ],
    [
      'schema before state',
      {
        url: '/v1/rooms/lab/peers/nobody/messages',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
        payload: '{"type":"x","extra":1}',
      },
      400,
      'invalid_request',
    ],
    [
      'state last',
      {
        url: '/v1/rooms/lab/peers/nobody/messages',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
        payload: '{"type":"x"}',
      },
      404,
      'peer_not_found',
    ],
  ];
  for (const [label, request, status, code] of cases) {
    const response = await app.inject({ method: 'POST', ...request });
    t.equal(response.statusCode, status, label);
    t.equal(response.json().error, code, label);
    t.match(response.json().message, /\w/, `${label}: a human sentence`);
  }
  t.same((await poll(app, await join(app, 'lab', 'c'))).body.messages, [], 'refused requests stored nothing');
});

t.test('names: the pattern, length and case', async (t) => {
  const app = await buildTestServer(t, memoryStore);
  for (const name of ['a', 'A9._-z', 'x'.repeat(64)]) {
    t.equal(
      (await app.inject({ method: 'POST', url: `/v1/rooms/${name}/peers`, payload: { name } })).statusCode,
      201,
      name,
    );
  }
  for (const name of ['x'.repeat(65), '-a', '.a', 'a b', 'é', 'a%2Fb']) {
    const response = await app.inject({ method: 'POST', url: `/v1/rooms/${encodeURIComponent(name)}/peers` });
    t.equal(response.json().error, 'invalid_name', `room ${name}`);
    const body = await app.inject({ method: 'POST', url: '/v1/rooms/ok/peers', payload: { name } });
    t.equal(body.json().error, 'invalid_name', `name ${name} in the body`);
  }
});

t.test('unknown routes and methods are JSON 404s, never HTML', async (t) => {
  const app = await buildTestServer(t, memoryStore);
  for (const [method, url] of [
    ['GET', '/nope'],
    ['POST', '/'],
    ['GET', '/v1/rooms'],
    ['PUT', '/v1/rooms/lab/peers'],
    ['PATCH', '/healthz'],
    ['GET', '/v2/rooms/lab/peers'],
    ['HEAD', '/v1/rooms/lab/peers/a/messages'],
  ] as const) {
    const response = await app.inject({ method, url });
    t.equal(response.statusCode, 404, `${method} ${url}`);
    if (method !== 'HEAD') t.same(response.json(), { error: 'not_found', message: 'No such route.' });
  }
  const garbage = await app.inject({ method: 'GET', url: '/v1/rooms/%E0%A4%A/peers' });
  t.match(garbage.headers['content-type'], /application\/json/);
  t.match(garbage.json(), { error: String, message: String });
});

t.test('bodies: invalid JSON, wrong shapes, no coercion', async (t) => {
  const app = await buildTestServer(t, memoryStore);
  const post = async (payload: string, type = 'application/json'): Promise<{ status: number; error: string }> => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/rooms/lab/peers',
      headers: { 'content-type': type },
      payload,
    });
    return { status: response.statusCode, error: response.json().error };
  };
  t.same(await post('{'), { status: 400, error: 'invalid_json' });
  t.same(await post('{"name":"a"}{"name":"b"}'), { status: 400, error: 'invalid_json' });
  t.same(await post('[]'), { status: 400, error: 'invalid_request' });
  t.same(await post('"a"'), { status: 400, error: 'invalid_request' });
  t.same(await post('{"name":123}'), { status: 400, error: 'invalid_request' });
  t.same(await post('{"name":"a","colour":"red"}'), { status: 400, error: 'invalid_request' });
  t.same(await post('{"meta":[1]}'), { status: 400, error: 'invalid_request' });
  t.same(await post('{"meta":"x"}'), { status: 400, error: 'invalid_request' });
  t.same(await post('{"__proto__":{"x":1}}'), { status: 400, error: 'invalid_request' });
  t.same(await post('{}', 'text/plain'), { status: 415, error: 'unsupported_media_type' });
  t.same(await post('{}', 'application/x-www-form-urlencoded'), { status: 415, error: 'unsupported_media_type' });
  t.equal((await post('{"name":"ok"}', 'application/json; charset=utf-8')).status, 201);
  const health = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(health.statusCode, 200, 'still serving');
});

t.test('CORS: every response, errors included; preflights allow our headers', async (t) => {
  const app = await buildTestServer(t, memoryStore);
  const badName = await app.inject({
    method: 'POST',
    url: '/v1/rooms/l!b/peers',
    headers: { origin: 'https://page.example' },
  });
  t.equal(badName.headers['access-control-allow-origin'], '*', 'on the earliest refusal too');
  const error = await app.inject({
    method: 'GET',
    url: '/v1/rooms/lab/peers',
    headers: { origin: 'https://page.example' },
  });
  t.equal(error.statusCode, 401);
  t.equal(error.headers['access-control-allow-origin'], '*');
  t.match(error.headers['access-control-expose-headers'], /retry-after/);
  const missing = await app.inject({ method: 'GET', url: '/nowhere', headers: { origin: 'https://page.example' } });
  t.equal(missing.headers['access-control-allow-origin'], '*');
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/rooms/lab/peers/b/messages',
    headers: {
      origin: 'https://page.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,idempotency-key',
    },
  });
  t.equal(preflight.statusCode, 204);
  for (const header of ['authorization', 'content-type', 'idempotency-key']) {
    t.match(String(preflight.headers['access-control-allow-headers']), header);
  }
});

t.test('CORS with a list of origins', async (t) => {
  const app = await buildTestServer(t, memoryStore, { corsOrigin: ['https://a.example', 'https://b.example'] });
  const allowed = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://b.example' } });
  t.equal(allowed.headers['access-control-allow-origin'], 'https://b.example');
  const other = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example' } });
  t.equal(other.headers['access-control-allow-origin'], undefined);
});
