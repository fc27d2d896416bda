import { setImmediate as tick } from 'node:timers/promises';
import t from 'tap';
import { MAX_REMOTE_CANDIDATES } from '../../client/candidate-cap.js';
import { PeerInbox } from '../../client/peer-inbox.js';
import type { PeerEvent } from '../../client/peer-messages.js';
import { captureLog } from '../helpers/call-harness.js';

const candidate = (seq: number, data: unknown = { candidate: `candidate:${seq} 1 udp 1 127.1.0.1 9 typ host` }) => ({
  seq,
  type: 'candidate',
  from: 'peer',
  ts: 0,
  data,
});

t.test('a call takes the first MAX_REMOTE_CANDIDATES candidates; the end of candidates always passes', async (t) => {
  const { log, lines } = captureLog('info');
  const inbox = new PeerInbox(log);
  const got: PeerEvent[] = [];
  inbox.attach({ deliver: (e) => got.push(e) }, 'peer');
  for (let seq = 1; seq <= 1_000; seq++) inbox.push(candidate(seq));
  inbox.push(candidate(1_001, null));
  t.equal(got.length, MAX_REMOTE_CANDIDATES + 1);
  t.same(got.at(-1), { kind: 'candidate', data: null }, 'the end of candidates went through');
  await tick();
  const said = lines.filter((l) => l.includes('candidates in this call'));
  t.equal(said.length, 1, 'said once, after the batch');
  t.match(said[0], `ignored ${1_000 - MAX_REMOTE_CANDIDATES} of them`);

  inbox.push(candidate(1_002));
  inbox.detach();
  const later = lines.filter((l) => l.includes('candidates in this call'));
  t.equal(later.length, 2, 'more dropped later: one more line when the call ends');
  t.match(later[1], `ignored 1 of them (${1_000 - MAX_REMOTE_CANDIDATES + 1} in all)`);

  // The next call starts from zero.
  inbox.attach({ deliver: (e) => got.push(e) }, 'peer');
  inbox.push(candidate(1_003));
  t.equal(got.length, MAX_REMOTE_CANDIDATES + 2);
  inbox.detach();
});

t.test('a smaller cap can be given', async (t) => {
  const { log } = captureLog('info');
  const inbox = new PeerInbox(log, 2);
  const got: PeerEvent[] = [];
  inbox.attach({ deliver: (e) => got.push(e) }, 'peer');
  for (let seq = 1; seq <= 5; seq++) inbox.push(candidate(seq));
  t.equal(got.length, 2);
  inbox.detach();
});
