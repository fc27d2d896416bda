import t from 'tap';
import { parseChatMessage, summarizeRtt } from '../../client/chat-message.js';
import { ChatExchange, type ChatChannel } from '../../client/datachannel.js';
import { renderRecord } from '../../client/log.js';
import { PeerInbox, toCallEvent } from '../../client/peer-inbox.js';
import type { PeerEvent } from '../../client/peer-messages.js';
import type { MailboxMessage } from '../../client/signaling-client.js';
import { Deadline, DeadlineError } from '../../client/wait.js';
import { captureLog } from '../helpers/call-harness.js';

t.test('chat messages: ours are parsed, anything else is not', async (t) => {
  t.same(parseChatMessage('{"type":"ping","seq":1,"t":1234.5}'), { type: 'ping', seq: 1, t: 1234.5 });
  t.same(parseChatMessage(Buffer.from('{"type":"pong","seq":2,"t":9}')), { type: 'pong', seq: 2, t: 9 });
  t.same(parseChatMessage('{"type":"done"}'), { type: 'done' });
  t.same(parseChatMessage('{"type":"alive"}'), { type: 'alive' });
  t.same(parseChatMessage('{"type":"text","text":"hello"}'), { type: 'text', text: 'hello' });
  for (const other of [
    'hello',
    '{"type":"ping","seq":"1","t":1}',
    '{"type":"ping","seq":1.5,"t":1}',
    '{"type":"text"}',
    '{"type":"bye"}',
    'null',
    '[]',
  ]) {
    t.equal(parseChatMessage(other), undefined, other);
  }
});

t.test('round-trip summary', async (t) => {
  t.equal(summarizeRtt([]), null);
  t.same(summarizeRtt([3]), { min: 3, median: 3, max: 3 });
  t.same(summarizeRtt([5, 1, 3]), { min: 1, median: 3, max: 5 });
  t.same(summarizeRtt([4, 1, 2, 3]), { min: 1, median: 2.5, max: 4 });
  t.same(summarizeRtt([1.234, 1.26]), { min: 1.2, median: 1.2, max: 1.3 });
});

/** Two ChatExchanges over an in-memory channel pair: the exchange logic without a network. */
function channelPair(): [ChatChannel & { closed: boolean }, ChatChannel & { closed: boolean }] {
  const make = () => {
    const listeners = new Set<(data: string | Buffer) => void>();
    return {
      label: 'chat',
      closed: false,
      peer: undefined as undefined | { deliver(data: string): void },
      deliver(data: string) {
        for (const l of listeners) l(data);
      },
      send(data: string) {
        if (this.closed) throw new Error('closed');
        const peer = this.peer;
        setImmediate(() => peer?.deliver(data));
      },
      onMessage: {
        subscribe(fn: (data: string | Buffer) => void) {
          listeners.add(fn);
          return { unSubscribe: () => listeners.delete(fn) };
        },
      },
    };
  };
  const a = make();
  const b = make();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

t.test('the exchange: pings answered both ways, done, text printed, strangers ignored', async (t) => {
  const [ca, cb] = channelPair();
  const la = captureLog();
  const lb = captureLog();
  let lifeA = 0;
  const a = new ChatExchange({ messages: 3, intervalMs: 5, log: la.log, onSignOfLife: () => lifeA++ });
  const b = new ChatExchange({ messages: 2, intervalMs: 5, log: lb.log, onSignOfLife: () => undefined });
  a.start(ca);
  b.start(cb);
  a.sendPings();
  b.sendPings();
  await Promise.all([a.pingsAnswered.promise, b.pingsAnswered.promise]);
  t.equal(a.report().peerDone, false, 'no done yet');
  cb.send('{"type":"text","text":"hi from b"}');
  cb.send('not json at all');
  cb.send('{"type":"pong","seq":99,"t":1}');
  a.sendDone();
  b.sendDone();
  await Promise.all([a.peerDone.promise, b.peerDone.promise]);
  a.stop();
  b.stop();
  t.same({ ...a.report(), rttMs: null }, { label: 'chat', sent: 3, received: 3, rttMs: null, peerDone: true });
  t.same({ ...b.report(), rttMs: null }, { label: 'chat', sent: 2, received: 2, rttMs: null, peerDone: true });
  t.ok(a.report().rttMs, 'rtt measured');
  t.ok(lifeA >= 6, 'every message received is a sign of life');
  t.ok(la.lines.some((l) => /text from the peer: hi from b/.test(l)));
  t.ok(la.lines.some((l) => /chat: ignored "not json at all"/.test(l)));
  t.ok(la.lines.some((l) => /pong 99 does not answer a ping of ours: ignored/.test(l)));
  t.ok(la.lines.some((l) => /pong 3\/3 received {2}rtt \d+\.\d ms/.test(l)));
});

t.test('zero pings: answered at once', async (t) => {
  const { log } = captureLog();
  const x = new ChatExchange({ messages: 0, intervalMs: 5, log, onSignOfLife: () => undefined });
  await x.pingsAnswered.promise;
  t.equal(x.report().sent, 0);
});

t.test('a closed channel does not throw out of the exchange', async (t) => {
  const [ca] = channelPair();
  ca.closed = true;
  const { log } = captureLog();
  const x = new ChatExchange({ messages: 1, intervalMs: 5, log, onSignOfLife: () => undefined });
  x.start(ca);
  x.sendPings();
  await new Promise((r) => setTimeout(r, 20));
  x.sendDone();
  x.stop();
  t.equal(x.report().sent, 1, 'counted as sent; its pong never comes');
  t.equal(x.report().received, 0);
});

const message = (seq: number, type: string, from = 'peer', data: unknown = null): MailboxMessage => ({
  seq,
  type,
  from,
  ts: 0,
  data,
});

t.test('peer inbox: queued until a call is attached, then routed to it', async (t) => {
  const inbox = new PeerInbox(captureLog().log);
  inbox.push(message(1, 'peer-joined'));
  inbox.push(message(2, 'offer', 'peer', { type: 'offer', sdp: 'v=0' }));
  inbox.push(message(3, 'candidate', 'peer', { candidate: 'candidate:1 1 udp 1 10.0.0.1 1 typ host' }));
  t.equal((await inbox.next(new Deadline(1000), 'x')).type, 'peer-joined');
  t.equal((await inbox.next(new Deadline(1000), 'x')).type, 'offer');
  const got: PeerEvent[] = [];
  inbox.attach({ deliver: (e) => got.push(e) }, 'peer');
  t.same(
    got.map((e) => e.kind),
    ['candidate'],
    'what was queued after the offer goes to the call',
  );
  inbox.push(message(4, 'bye', 'peer', { reason: 'done' }));
  inbox.push(message(5, 'offer', 'peer', { type: 'offer', sdp: 'v=0' }));
  t.same(got[1], { kind: 'bye', reason: 'done' });
  inbox.detach();
  t.equal((await inbox.next(new Deadline(1000), 'x')).seq, 5, 'a new offer waits for the next call');
  await t.rejects(inbox.next(new Deadline(20), 'nothing'), DeadlineError);
  const abort = new AbortController();
  const waiting = inbox.next(Deadline.never(), 'x', abort.signal);
  abort.abort(new Error('stop'));
  await t.rejects(waiting, { message: 'stop' });
  t.same(toCallEvent(message(6, 'peer-left', 'peer', { reason: 'expired' })), { kind: 'left', reason: 'expired' });
  t.same(toCallEvent(message(7, 'bye', 'peer', null)), { kind: 'bye', reason: 'no reason given' });
});

t.test('log lines: ms since start, level tag, fields only when verbose', async (t) => {
  const record = JSON.stringify({ level: 40, t: 1234.4, msg: 'hello', seq: 3 });
  t.equal(renderRecord(record, { color: false, verbose: false }), '  1234 ms  warn: hello\n');
  t.equal(renderRecord(record, { color: false, verbose: true }), '  1234 ms  warn: hello  seq=3\n');
  t.equal(
    renderRecord(JSON.stringify({ level: 30, t: 5, msg: 'x' }), { color: true, verbose: false }),
    '     5 ms  x\n',
    'info is not coloured',
  );
  t.equal(renderRecord('not json', { color: false, verbose: false }), 'not json');
  const info = captureLog('info');
  info.log.debug('hidden at info');
  info.log.info('shown');
  t.same(info.lines.length, 1);
  const debug = captureLog('debug');
  debug.log.info({ token: 's3cret', authorization: 'Bearer x' }, 'registered');
  t.match(debug.lines[0], /registered {2}token=\[redacted\] authorization=\[redacted\]/, 'tokens never reach the log');
});
