/**
 * Random requests for the fuzz properties: every route and some that are
 * not, good and bad names, percent-encodings, tokens, media types,
 * idempotency keys, queries and bodies (random JSON, random shapes of the
 * protocol's bodies, random bytes), and checks of what the service answers.
 */
import fc from 'fast-check';
import { errorCatalogue } from '../../signaling/errors.js';
import { ErrorCode } from '../../signaling/protocol.js';

export interface FuzzRequest {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH' | 'OPTIONS' | 'HEAD';
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

/** Tokens the fuzz may present, by role; filled in by the test once its peers exist. */
export interface FuzzTokens {
  a: string;
  b: string;
}

const segment = fc.oneof(
  fc.constantFrom('lab', 'a', 'b', 'nobody', 'other', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(300)),
  fc.constantFrom('%ZZ', '%', '%C3', '%FF', '%00', '%2e%2e', '..', '.', 'a%2Fb', '%E2%82%AC', 'é', 'a b', '-a', '_'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 8 }).map(encodeURIComponent),
);

const cursor = fc.oneof(
  fc.constantFrom('0', '1', '2', '3', '99', '-1', '1.5', 'x', '', '1e1', '0x1', ' 1', '9'.repeat(16)),
  fc.nat().map(String),
);
// Only 0 or malformed hold times: a valid positive one would hold a poll.
const timeout = fc.constantFrom('0', '-1', 'soon', '', '1.5', '9'.repeat(16), '0&timeoutMs=0');

const query = fc.oneof(
  fc.constant(''),
  fc
    .record({
      after: fc.option(cursor),
      after2: fc.option(cursor, { freq: 4 }),
      timeoutMs: timeout,
      extra: fc.option(fc.constantFrom('cacheBuster=1', '_=x', 'after[]=1', '%ZZ=1', 'a=%FF')),
    })
    .map(({ after, after2, timeoutMs, extra }) => {
      const parts = [`timeoutMs=${timeoutMs}`];
      if (after !== null) parts.push(`after=${after}`);
      if (after2 !== null) parts.push(`after=${after2}`);
      if (extra !== null) parts.push(extra);
      return `?${parts.join('&')}`;
    }),
);

const anyPath = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(segment).map(([r]) => `/v1/rooms/${r}/peers`) },
  { weight: 2, arbitrary: fc.tuple(segment, segment).map(([r, p]) => `/v1/rooms/${r}/peers/${p}`) },
  { weight: 4, arbitrary: fc.tuple(segment, segment).map(([r, p]) => `/v1/rooms/${r}/peers/${p}/messages`) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '/v1/rooms/lab/peers',
      '/v1/rooms/lab/peers/a/messages',
      '/v1/rooms/lab/peers/b/messages',
      '/v1/rooms/lab/peers/b',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '/healthz',
      '/readyz',
      '/metrics',
      '/v1/openapi.json',
      '/',
      '//',
      '/v1',
      '/v1/rooms',
      '/v2/rooms/lab/peers',
    ),
  },
);

/** Half the time a well-formed path of the test's room, so that requests reach the store. */
const path = fc.oneof(
  fc.constantFrom(
    '/v1/rooms/lab/peers',
    '/v1/rooms/lab/peers/a/messages',
    '/v1/rooms/lab/peers/b/messages',
    '/v1/rooms/lab/peers/b',
    '/v1/rooms/lab/peers/a',
  ),
  anyPath,
);

const jsonText = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.constantFrom('', 'null', '[]', '5', '"x"', '{', '{"a":1}{', '{"type":"x"', '\uFEFF{}', '{"__proto__":{"x":1}}'),
  fc.integer({ min: 1, max: 3000 }).map((depth) => '{"meta":' + '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) + '}'),
);

const typeValue = fc.oneof(
  fc.constantFrom('offer', 'answer', 'candidate', 'bye', 'peer-joined', 'peer-left', 'A', '', 'x'.repeat(33), '-x'),
  fc.jsonValue({ maxDepth: 1 }),
);

const protocolBody = fc
  .record(
    {
      type: typeValue,
      data: fc.jsonValue({ maxDepth: 4 }),
      name: fc.oneof(segment.map(decodeURIComponentSafe), fc.jsonValue({ maxDepth: 1 })),
      meta: fc.oneof(
        fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
        fc.jsonValue({ maxDepth: 2 }),
        fc.string({ minLength: 1000, maxLength: 1100 }).map((s) => ({ s })),
      ),
      extra: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  )
  .map((body) => JSON.stringify(body));

const payload = fc.oneof(
  { weight: 4, arbitrary: protocolBody },
  { weight: 3, arbitrary: jsonText },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.uint8Array({ minLength: 1, maxLength: 6 }), fc.nat(3))
      .map(([bytes, at]) =>
        Buffer.concat([Buffer.from('{"type":"x","data":"' + 'y'.repeat(at)), Buffer.from(bytes), Buffer.from('"}')]),
      ),
  },
);

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const methods = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'] as const;

/** Bodies a route accepts, with a random part: so that requests get past the schemas to the store. */
const registerBody = fc
  .record(
    {
      name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      meta: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    },
    { requiredKeys: [] },
  )
  .map((body) => JSON.stringify(body));
const sendBody = fc
  .record(
    { type: fc.constantFrom('offer', 'answer', 'candidate', 'x', 'peer-left'), data: fc.jsonValue({ maxDepth: 4 }) },
    { requiredKeys: ['type'] },
  )
  .map((body) => JSON.stringify(body));

/** [method, path, a body that fits, if any]: half of them the protocol's routes, with bodies that fit. */
const route: fc.Arbitrary<[FuzzRequest['method'], string, string | undefined]> = fc.oneof(
  fc.tuple(fc.constant('POST' as const), fc.constant('/v1/rooms/lab/peers'), registerBody),
  fc.tuple(fc.constant('GET' as const), fc.constant('/v1/rooms/lab/peers'), fc.constant(undefined)),
  fc.tuple(
    fc.constant('POST' as const),
    fc.constantFrom('/v1/rooms/lab/peers/a/messages', '/v1/rooms/lab/peers/b/messages'),
    sendBody,
  ),
  fc.tuple(
    fc.constant('GET' as const),
    fc.constantFrom('/v1/rooms/lab/peers/a/messages', '/v1/rooms/lab/peers/b/messages'),
    fc.constant(undefined),
  ),
  fc.tuple(
    fc.constant('DELETE' as const),
    fc.constantFrom('/v1/rooms/lab/peers/a', '/v1/rooms/lab/peers/b'),
    fc.constant(undefined),
  ),
  fc.tuple(fc.constantFrom(...methods), path, fc.constant(undefined)),
  fc.tuple(fc.constantFrom(...methods), path, fc.constant(undefined)),
  fc.tuple(fc.constantFrom(...methods), path, fc.constant(undefined)),
  fc.tuple(fc.constantFrom(...methods), path, fc.constant(undefined)),
  fc.tuple(fc.constantFrom(...methods), path, fc.constant(undefined)),
);

/** A request, given the tokens of the test's peers (they change when a fuzzed leave removes one). */
export type FuzzRequestFor = (tokens: FuzzTokens) => FuzzRequest;

export function fuzzRequest(): fc.Arbitrary<FuzzRequestFor> {
  const authorization = fc.option(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom<(k: FuzzTokens) => string>(
          (k) => `Bearer ${k.a}`,
          (k) => `Bearer ${k.b}`,
        ),
      },
      fc.constantFrom<(k: FuzzTokens) => string>(
        (k) => `bearer ${k.a}`,
        (k) => `Bearer  ${k.b} `,
        (k) => `Bearer ${k.a} ${k.b}`,
        (k) => `Bearer ${k.a}x`,
      ),
      fc.constantFrom('Bearer', 'Bearer x', 'Basic YTpi').map((v) => () => v),
      fc.string({ maxLength: 20 }).map((v) => () => `Bearer ${v}`),
    ),
    { freq: 12 },
  );
  const contentType = fc.option(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'APPLICATION/JSON',
      'application/json;',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      '',
    ),
    { freq: 12 },
  );
  const idempotencyKey = fc.option(
    fc.oneof(fc.constantFrom('k', 'x'.repeat(64), 'x'.repeat(65), ' ', 'é'), fc.string({ maxLength: 70 })),
    { freq: 4 },
  );
  return fc
    .record({
      route,
      query,
      authorization,
      contentType,
      idempotencyKey,
      origin: fc.option(fc.constantFrom('https://page.example', 'null'), { freq: 3 }),
      payload: fc.option(payload, { freq: 8 }),
    })
    .map(({ route: [method, path, fitting], query, authorization, contentType, idempotencyKey, origin, payload }) => {
      payload = fitting ?? payload;
      const requestFor = (tokens: FuzzTokens): FuzzRequest => {
        const headers: Record<string, string> = {};
        if (authorization !== null) headers.authorization = authorization(tokens);
        if (contentType !== null) headers['content-type'] = contentType;
        if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
        if (origin !== null) headers.origin = origin;
        const body = method === 'GET' || method === 'HEAD' ? null : payload;
        return { method: method, url: path + query, headers, ...(body === null ? {} : { payload: body }) };
      };
      // How a counterexample prints: the request, with the peers' tokens as <a> and <b>.
      const shown = requestFor({ a: '<a>', b: '<b>' });
      const body = Buffer.isBuffer(shown.payload)
        ? `bytes ${shown.payload.toString('hex')}`
        : JSON.stringify(shown.payload);
      return Object.assign(requestFor, {
        [fc.toStringMethod]: () => `${shown.method} ${shown.url} ${JSON.stringify(shown.headers)} ${body}`,
      });
    });
}

/** Why an answer breaks the protocol's rules for every answer, or undefined when it keeps them. */
export function answerProblem(
  method: string,
  url: string,
  status: number,
  headers: Record<string, unknown>,
  body: string,
): string | undefined {
  // The one 5xx the protocol names: a register when the server holds --max-peers live peers
  // (the fuzz fills it, over thousands of requests, with peers of rooms it never empties).
  const serverFull =
    status === 503 && method === 'POST' && /\/peers(\?|$)/.test(url) && /"error":"server_full"/.test(body);
  if (status >= 500 && !serverFull) return `a ${status}`;
  if (headers['access-control-allow-origin'] === undefined) return 'an answer without CORS';
  if (body === '') return status >= 400 && method !== 'HEAD' ? `an empty ${status}` : undefined;
  const type = String(headers['content-type']);
  if (url.startsWith('/metrics') && status === 200) return /^text\/plain/.test(type) ? undefined : `metrics as ${type}`;
  // The browser peer page is the one HTML answer (when the build made it).
  if (/^\/(\?|$)/.test(url) && status === 200) return /^text\/html/.test(type) ? undefined : `the page as ${type}`;
  if (!/^application\/json/.test(type)) return `a body of type ${type}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'a body that is not JSON';
  }
  if (status < 400) return undefined;
  if (typeof parsed !== 'object' || parsed === null) return 'an error that is not an object';
  const fields = parsed as Record<string, unknown>;
  const code = fields.error;
  const entry = typeof code === 'string' ? (errorCatalogue as Record<string, { status: number }>)[code] : undefined;
  if (entry === undefined) return `an error code not in the catalogue: ${String(code)}`;
  if (entry.status !== status) return `${String(code)} with status ${status}, not ${entry.status}`;
  if (typeof fields.message !== 'string' || fields.message === '') return 'an error without a message';
  const allowed = code === ErrorCode.name_taken ? ['error', 'message', 'retryAfterMs'] : ['error', 'message'];
  const extra = Object.keys(fields).filter((key) => !allowed.includes(key));
  if (extra.length > 0) return `an error with fields ${extra.join(', ')}`;
  return undefined;
}
