import t from 'tap';
import { mailbox } from '../../client/mailbox.js';
import { SignalingClient, type MailboxMessage } from '../../client/signaling-client.js';
import { startService } from '../helpers/processes.js';
import { captureLog } from '../helpers/call-harness.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';

/** The long-poll loop against the real bin/signaling. */

const service = await startService();
t.teardown(() => service.stop());
let room = 0;

async function pair(url = service.url): Promise<{ a: SignalingClient; b: SignalingClient; lines: string[] }> {
  const { log, lines } = captureLog();
  const r = `mb-${++room}`;
  const a = new SignalingClient(url, { log });
  const b = new SignalingClient(service.url, { log });
  t.teardown(() => a.destroy());
  t.teardown(() => b.destroy());
  await a.register(r, 'a', {});
  await b.register(r, 'b', {});
  return { a, b, lines };
}

async function take(it: AsyncGenerator<MailboxMessage>, n: number): Promise<MailboxMessage[]> {
  const out: MailboxMessage[] = [];
  while (out.length < n) {
    const next = await it.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

t.test('yields in order, across polls, and acknowledges through the cursor', async (t) => {
  const { a, b } = await pair();
  const { log } = captureLog();
  const stop = new AbortController();
  const it = mailbox(a, { signal: stop.signal, pollTimeoutMs: 5_000, log });
  await b.send('a', 'one', 1);
  await b.send('a', 'two', 2);
  const first = await take(it, 2);
  t.same(
    first.map((m) => [m.type, m.data, m.from]),
    [
      ['peer-joined', { meta: {} }, 'b'],
      ['one', 1, 'b'],
    ],
  );
  const more = take(it, 2);
  await b.send('a', 'three', 3);
  const second = await more;
  t.same(
    second.map((m) => m.type),
    ['two', 'three'],
    'a held poll answers when a message arrives',
  );
  const seqs = [...first, ...second].map((m) => m.seq);
  t.same(
    seqs,
    [...seqs].sort((x, y) => x - y),
  );
  stop.abort();
  t.same(await it.next(), { done: true, value: undefined }, 'abort ends the iterator');
  // Everything up to the last seq was acknowledged: a fresh poll from that cursor is empty.
  t.same(await a.poll(seqs[seqs.length - 1]!, 0), []);
});

t.test('messages replayed by the service are dropped (at-least-once delivery)', async (t) => {
  // The proxy makes the second poll ask from 0 again, as a restarted store might
  // replay: the service then answers with messages the loop has already yielded.
  let polls = 0;
  const proxy = await startFaultProxy(service.url, (req) => {
    if (req.method === 'GET' && /\/messages\?/.test(req.url ?? '') && ++polls === 2) {
      return { rewritePath: (req.url ?? '').replace(/after=\d+/, 'after=0') };
    }
    return 'pass';
  });
  t.teardown(() => proxy.close());
  const { a, b } = await pair(proxy.url);
  await b.send('a', 'x', 1);
  await b.send('a', 'y', 2);
  const stop = new AbortController();
  const { log } = captureLog();
  const it = mailbox(a, { signal: stop.signal, pollTimeoutMs: 5_000, log });
  const firstBatch = await take(it, 3);
  t.same(
    firstBatch.map((m) => m.type),
    ['peer-joined', 'x', 'y'],
  );
  const later = take(it, 1);
  await b.send('a', 'z', 3);
  t.same(
    (await later).map((m) => m.type),
    ['z'],
    'the replayed three were not yielded again',
  );
  t.ok(polls >= 2, 'the replaying poll happened');
  stop.abort();
  await it.next();
});

t.test('an unreachable service is retried with backoff until aborted', async (t) => {
  let failing = false;
  const proxy = await startFaultProxy(service.url, () =>
    failing ? { status: 503, body: { error: 'store_unavailable', message: 'down' } } : 'pass',
  );
  t.teardown(() => proxy.close());
  const { a } = await pair(proxy.url);
  failing = true;
  const failuresBefore = proxy.seen.length;
  const { log, lines } = captureLog();
  const stop = new AbortController();
  const it = mailbox(a, { signal: stop.signal, pollTimeoutMs: 1_000, log });
  const result = it.next();
  while (proxy.seen.length < failuresBefore + 3) await new Promise((r) => setTimeout(r, 20));
  stop.abort();
  t.same(await result, { done: true, value: undefined }, 'abort ends the loop while it backs off');
  t.ok(
    lines.some((l) => /mailbox poll failed .*retrying in \d+ ms/.test(l)),
    'says so',
  );
});

t.test('a refusal that retrying cannot fix (401) is thrown', async (t) => {
  const { a } = await pair();
  await a.leave();
  const { log } = captureLog();
  // leave() forgot the token; a poll without one is refused before it is sent.
  const it = mailbox(a, { signal: new AbortController().signal, pollTimeoutMs: 1_000, log });
  await t.rejects(it.next(), { name: 'SignalingError', status: 401 });
});
