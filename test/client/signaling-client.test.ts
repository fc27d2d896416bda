import t from 'tap';
import { SignalingClient, SignalingError, SignalingUnreachableError } from '../../client/signaling-client.js';
import { startService } from '../helpers/processes.js';
import { captureLog } from '../helpers/call-harness.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';

/** The signaling client against the real bin/signaling (and a fault proxy in front of it). */

const service = await startService(['--api-key', 'sekrit']);
t.teardown(() => service.stop());
const { log } = captureLog();
let room = 0;
const nextRoom = (): string => `sc-${++room}`;

const client = (url = service.url, apiKey: string | null = 'sekrit'): SignalingClient => {
  const c = new SignalingClient(url, { apiKey: apiKey ?? undefined, log, sendRetryMs: 5_000 });
  t.teardown(() => c.destroy());
  return c;
};

t.test('register, list of peers, leave', async (t) => {
  const r = nextRoom();
  const a = client();
  const first = await a.register(r, 'alice', { role: 'offerer' });
  t.equal(first.name, 'alice');
  t.same(first.peers, []);
  t.same(first.iceServers, []);
  t.type(first.pollTimeoutMs, 'number');
  const b = client();
  t.same((await b.register(r, 'bob', {})).peers, ['alice']);
  // alice sees bob come before he goes: a peer that comes and goes unseen leaves no trace (docs/PROTOCOL.md).
  const joined = await a.poll(0, 0);
  t.same(
    joined.map((m) => [m.type, m.from]),
    [['peer-joined', 'bob']],
  );
  await b.leave();
  t.equal(b.registered, false);
  await t.rejects(b.poll(0, 0), { name: 'SignalingError', status: 401 }, 'the token is gone after leave');
  const left = await a.poll(joined.at(-1)?.seq ?? 0, 0);
  t.same(
    left.map((m) => [m.type, m.from]),
    [['peer-left', 'bob']],
  );
});

t.test('refusals are typed: wrong API key, name taken (with retryAfterMs)', async (t) => {
  const r = nextRoom();
  await t.rejects(client(service.url, 'wrong').register(r, 'x', {}), {
    name: 'SignalingError',
    status: 401,
    code: 'unauthorized',
  });
  await t.rejects(
    client(service.url, null).register(r, 'x', {}),
    { name: 'SignalingError', status: 401 },
    'no key at all',
  );
  await client().register(r, 'taken', {});
  const error = await client()
    .register(r, 'taken', {})
    .catch((e: unknown) => e);
  t.type(error, SignalingError);
  t.equal((error as SignalingError).code, 'name_taken');
  t.type((error as SignalingError).retryAfterMs, 'number');
});

t.test('unreachable: a typed error, not a hang', async (t) => {
  const gone = await startFaultProxy(service.url, () => 'pass');
  const url = gone.url;
  await gone.close();
  await t.rejects(client(url).register(nextRoom(), 'x', {}), SignalingUnreachableError);
});

t.test('sends fired together arrive in the order they were made (docs/WERIFT.md, Signaling order)', async (t) => {
  const r = nextRoom();
  const a = client();
  const b = client();
  await a.register(r, 'a', {});
  await b.register(r, 'b', {});
  const seqs = await Promise.all(Array.from({ length: 20 }, (_, i) => a.send('b', 'candidate', { i })));
  t.same(
    seqs,
    [...seqs].sort((x, y) => x - y),
    'seqs increase in send order',
  );
  const messages = await b.poll(0, 0);
  t.same(
    messages.map((m) => (m.data as { i: number }).i),
    Array.from({ length: 20 }, (_, i) => i),
  );
  t.ok(messages.every((m) => m.from === 'a' && m.type === 'candidate'));
});

t.test('a send whose response is lost is retried with the same Idempotency-Key: delivered once', async (t) => {
  const r = nextRoom();
  let sends = 0;
  const proxy = await startFaultProxy(service.url, (req) =>
    req.method === 'POST' && /\/messages$/.test(req.url ?? '') && sends++ === 0 ? 'drop-response' : 'pass',
  );
  t.teardown(() => proxy.close());
  const a = client(proxy.url);
  const b = client();
  await a.register(r, 'a', {});
  await b.register(r, 'b', {});
  const seq = await a.send('b', 'offer', { sdp: 'v=0' });
  const posts = proxy.seen.filter((s) => s.method === 'POST' && s.path.endsWith('/messages'));
  t.equal(posts.length, 2, 'sent twice');
  t.ok(posts[0]?.headers['idempotency-key'], 'with a key');
  t.equal(posts[0]?.headers['idempotency-key'], posts[1]?.headers['idempotency-key'], 'the same key both times');
  const messages = await b.poll(0, 0);
  t.equal(messages.length, 1, 'stored once');
  t.equal(messages[0]?.seq, seq);
});

t.test('5xx and 429 are retried (429 after its retry-after); 4xx is not', async (t) => {
  const r = nextRoom();
  let posts = 0;
  const proxy = await startFaultProxy(service.url, (req) => {
    if (req.method !== 'POST' || !/\/messages$/.test(req.url ?? '')) return 'pass';
    posts++;
    if (posts === 1) return { status: 503, body: { error: 'store_unavailable', message: 'x' } };
    if (posts === 2)
      return { status: 429, headers: { 'retry-after': '1' }, body: { error: 'rate_limited', message: 'x' } };
    return 'pass';
  });
  t.teardown(() => proxy.close());
  const a = client(proxy.url);
  const b = client();
  await a.register(r, 'a', {});
  await b.register(r, 'b', {});
  await a.send('b', 'bye', { reason: 'done' });
  t.equal(posts, 3);
  t.equal((await b.poll(0, 0)).length, 1);
  await t.rejects(
    a.send('nobody', 'bye', {}),
    { name: 'SignalingError', status: 404, code: 'peer_not_found' },
    'a 404 is final',
  );
});
