/**
 * Refusals made before any route runs: by the router (a path it cannot
 * decode, a name over its length limit) and by Node's HTTP parser (bytes that
 * are not an HTTP/1.1 request). Each is in the catalogue's shape, with CORS.
 */
import t from 'tap';
import { connect } from 'node:net';
import { buildTestServer, listenTestServer, memoryStore } from '../helpers/server.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Whether the service closed the connection after answering. */
  closed: boolean;
}

/** Writes `bytes` on a fresh connection and reads until the service closes it (or 2 s pass). */
async function rawRequest(url: string, bytes: string | Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const chunks: Buffer[] = [];
  const closed = await new Promise<boolean>((resolve) => {
    const socket = connect(Number(port), hostname);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 2000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.write(bytes);
  });
  const text = Buffer.concat(chunks).toString('utf8');
  const [head = '', body = ''] = text.split('\r\n\r\n', 2);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const cut = line.indexOf(':');
    headers[line.slice(0, cut).toLowerCase()] = line.slice(cut + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body, closed };
}

t.test('names over 100 characters are 400 invalid_name with CORS, not the router 414', async (t) => {
  const app = await buildTestServer(t, memoryStore);
  for (const length of [101, 500, 4000]) {
    const long = 'x'.repeat(length);
    for (const [method, url] of [
      ['POST', `/v1/rooms/${long}/peers`],
      ['GET', `/v1/rooms/lab/peers/${long}/messages`],
      ['DELETE', `/v1/rooms/lab/peers/${long}`],
    ] as const) {
      const response = await app.inject({ method, url, headers: { origin: 'https://page.example' } });
      t.equal(response.statusCode, 400, `${method} ${length}`);
      t.same(Object.keys(response.json()), ['error', 'message']);
      t.equal(response.json().error, 'invalid_name');
      t.equal(response.headers['access-control-allow-origin'], '*');
      t.notOk(response.body.includes(long), 'the path is not echoed back');
    }
  }
});

t.test('bad percent-encoding in the path is 400 invalid_name with CORS', async (t) => {
  const app = await buildTestServer(t, memoryStore, { corsOrigin: ['https://page.example'] });
  for (const bad of ['%ZZ', '%FF', '%', '%C3', '%E0%A4%A', 'a%']) {
    for (const url of [`/v1/rooms/${bad}/peers`, `/v1/rooms/lab/peers/${bad}/messages`]) {
      const response = await app.inject({ method: 'POST', url, headers: { origin: 'https://page.example' } });
      t.equal(response.statusCode, 400, url);
      t.same(response.json(), {
        error: 'invalid_name',
        message: 'Room and peer names must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$.',
      });
      t.equal(response.headers['access-control-allow-origin'], 'https://page.example');
      t.match(response.headers['content-type'], /^application\/json/);
    }
  }
  const other = await app.inject({
    method: 'GET',
    url: '/v1/rooms/%ZZ/peers',
    headers: { origin: 'https://x.example' },
  });
  t.equal(other.headers['access-control-allow-origin'], undefined, 'an origin not on the list gets none');
});

t.test('what the HTTP parser cannot read is answered in the catalogue shape and closed', async (t) => {
  const { url } = await listenTestServer(t, memoryStore);
  const h = 'Host: x\r\nOrigin: https://page.example\r\n';
  const cases: Array<[string, string | Buffer, number, string]> = [
    ['an unknown method', `BREW /v1/rooms/lab/peers HTTP/1.1\r\n${h}\r\n`, 404, 'not_found'],
    ['a lower-case method', `get /healthz HTTP/1.1\r\n${h}\r\n`, 404, 'not_found'],
    ['a bare CR in a header', `GET /healthz HTTP/1.1\r\n${h}X: a\rb\r\n\r\n`, 400, 'invalid_request'],
    ['20 KiB of headers', `GET /healthz HTTP/1.1\r\n${h}X: ${'a'.repeat(20 * 1024)}\r\n\r\n`, 431, 'headers_too_large'],
    ['40 KiB of headers', `GET /healthz HTTP/1.1\r\n${h}${'X-A: b\r\n'.repeat(5000)}\r\n`, 431, 'headers_too_large'],
    ['a space in the path', `GET /v1/rooms/a b/peers HTTP/1.1\r\n${h}\r\n`, 400, 'invalid_request'],
    [
      'a raw 0xFF in the path',
      Buffer.concat([Buffer.from('GET /v1/rooms/'), Buffer.from([0xff]), Buffer.from(`/peers HTTP/1.1\r\n${h}\r\n`)]),
      400,
      'invalid_request',
    ],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 400, 'invalid_request'],
    ['a TLS ClientHello', Buffer.from('16030100a5010000a10303' + '00'.repeat(40), 'hex'), 400, 'invalid_request'],
    ['HTTP/3.0', `GET /healthz HTTP/3.0\r\n${h}\r\n`, 400, 'invalid_request'],
    [
      'a bad content-length',
      `POST /v1/rooms/lab/peers HTTP/1.1\r\n${h}Content-Length: x\r\n\r\n`,
      400,
      'invalid_request',
    ],
    [
      'content-length with chunked',
      `POST /v1/rooms/lab/peers HTTP/1.1\r\n${h}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      400,
      'invalid_request',
    ],
  ];
  for (const [label, bytes, status, code] of cases) {
    const answer = await rawRequest(url, bytes);
    t.equal(answer.status, status, label);
    t.match(answer.headers['content-type'], /^application\/json/, `${label}: JSON`);
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    t.same(Object.keys(body), ['error', 'message'], `${label}: the catalogue shape`);
    t.equal(body.error, code, label);
    t.equal(answer.headers['access-control-allow-origin'], '*', `${label}: CORS`);
    t.ok(answer.closed, `${label}: the connection is closed`);
  }
  t.same(await (await fetch(`${url}/healthz`)).json(), { status: 'ok' }, 'still serving');
});

t.test('a raw answer echoes an allowed origin when the service has a list', async (t) => {
  const { url } = await listenTestServer(t, memoryStore, { corsOrigin: ['https://page.example'] });
  const allowed = await rawRequest(url, 'BREW / HTTP/1.1\r\nHost: x\r\nOrigin: https://page.example\r\n\r\n');
  t.equal(allowed.status, 404);
  t.equal(allowed.headers['access-control-allow-origin'], 'https://page.example');
  t.equal(allowed.headers.vary, 'Origin');
  const other = await rawRequest(url, 'BREW / HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n\r\n');
  t.equal(other.headers['access-control-allow-origin'], undefined);
});
