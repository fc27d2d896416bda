import t from 'tap';
import { ClientError, FAILURES } from '../../client/errors.js';
import {
  emptyReport,
  exitCodeOf,
  isOk,
  judgeIncomplete,
  recordFailure,
  summaryLine,
  type Report,
} from '../../client/report.js';

const base = {
  role: 'offerer' as const,
  id: 'offerer',
  peer: 'answerer',
  room: 'default',
  signalingAddr: 'http://127.0.0.1:8080',
};

function completed(): Report {
  const r = emptyReport(base);
  r.dataChannel = { label: 'chat', sent: 5, received: 5, rttMs: { min: 0.9, median: 1.2, max: 2 }, peerDone: true };
  r.audio = {
    codec: 'opus/48000/2',
    sent: { packets: 150, toneHz: 440 },
    received: { packets: 150, lost: 0, jitterMs: 0.3, dominantHz: 660 },
  };
  return r;
}

t.test('the empty report has every field of CLI.md', async (t) => {
  const r = emptyReport(base);
  t.same(Object.keys(r), [
    'ok',
    'role',
    'id',
    'peer',
    'room',
    'signalingAddr',
    'timingsMs',
    'candidates',
    'selectedPair',
    'dataChannel',
    'audio',
    'states',
    'gathering',
    'nat',
    'peerNat',
    'prediction',
    'verdict',
    'pairs',
    'turnErrors',
    'peerReport',
    'joint',
    'error',
  ]);
  t.same(Object.keys(r.timingsMs), [
    'registered',
    'gatheringComplete',
    'iceConnected',
    'dtlsConnected',
    'dataChannelOpen',
    'done',
  ]);
  t.same(r.candidates, { local: [], remote: [] });
  t.equal(r.ok, false);
  t.equal(r.error, null);
});

t.test('ok: every ping and pong, and audio when it is required', async (t) => {
  t.equal(isOk(completed(), { messages: 5, audioRequired: true }), true);
  const short = completed();
  short.dataChannel = { label: 'chat', sent: 5, received: 4, rttMs: null, peerDone: true };
  t.equal(isOk(short, { messages: 5, audioRequired: false }), false, 'a pong missing');
  t.equal(isOk(completed(), { messages: 6, audioRequired: false }), false, 'fewer pings sent than asked');
  const noAudio = completed();
  noAudio.audio = null;
  t.equal(isOk(noAudio, { messages: 5, audioRequired: true }), false, 'audio required, none arrived');
  t.equal(isOk(noAudio, { messages: 5, audioRequired: false }), true, '--audio none (or audio not built): not judged');
  const lossy = completed();
  lossy.audio!.received = { packets: 130, lost: 20, jitterMs: 1, dominantHz: 660 };
  t.equal(isOk(lossy, { messages: 5, audioRequired: true }), false, '13 % loss');
  const brief = completed();
  brief.audio!.received = { packets: 49, lost: 0, jitterMs: 1, dominantHz: 660 };
  t.equal(isOk(brief, { messages: 5, audioRequired: true }), false, 'under one second of audio');
  const failed = completed();
  recordFailure(failed, new ClientError('peer_silent', 'gone'));
  t.equal(isOk(failed, { messages: 5, audioRequired: false }), false, 'an error is never ok');
});

t.test('exit codes follow CLI.md', async (t) => {
  const ok = completed();
  ok.ok = true;
  t.equal(exitCodeOf(ok), 0);
  t.equal(exitCodeOf(completed()), 1, 'not ok without an error: incomplete');
  const expected: Record<string, number> = {
    bad_flags: 2,
    no_turn_server: 2,
    signaling_unreachable: 3,
    signaling_refused: 3,
    signaling_protocol: 3,
    name_taken: 3,
    timeout: 4,
    ice_failed: 4,
    dtls_failed: 4,
    declined: 5,
    peer_left: 1,
    peer_silent: 1,
    incomplete: 1,
    interrupted: 130,
    terminated: 143,
  };
  t.same(Object.keys(FAILURES).sort(), Object.keys(expected).sort());
  for (const [code, exit] of Object.entries(expected)) {
    const r = emptyReport(base);
    recordFailure(r, new ClientError(code as keyof typeof FAILURES, 'x'));
    t.equal(exitCodeOf(r), exit, code);
  }
});

t.test('the first failure wins; later ones are its consequences', async (t) => {
  const r = emptyReport(base);
  recordFailure(r, new ClientError('interrupted', 'SIGINT'));
  recordFailure(r, new ClientError('peer_left', 'the peer saw us go'));
  t.same(r.error, { code: 'interrupted', message: 'SIGINT' });
  const other = emptyReport(base);
  recordFailure(other, new Error('something odd'));
  t.same(other.error, { code: 'incomplete', message: 'something odd' });
});

t.test('summary line for people', async (t) => {
  const ok = completed();
  ok.ok = true;
  ok.selectedPair = {
    local: { type: 'host', protocol: 'udp', address: '10.0.0.1', port: 1 },
    remote: { type: 'srflx', protocol: 'udp', address: '203.0.113.2', port: 2 },
    rttMs: 1,
  };
  t.equal(
    summaryLine(ok),
    'OK: 5/5 pongs, rtt 0.9/1.2/2 ms (min/median/max); audio 150 packets out, 150 in, 0 lost, 660 Hz, via host <-> srflx (exit 0)',
  );
  const failed = emptyReport(base);
  recordFailure(failed, new ClientError('timeout', 'not connected after 30 s'));
  t.equal(summaryLine(failed), 'FAILED: timeout: not connected after 30 s; no data channel (exit 4)');
  t.same(JSON.parse(JSON.stringify(failed)).error, { code: 'timeout', message: 'not connected after 30 s' });
});

t.test('an incomplete call names what it missed, in the summary line and the JSON error', async (t) => {
  const expect = { messages: 5, audioRequired: true };
  const r = completed();
  r.dataChannel = { label: 'chat', sent: 5, received: 3, rttMs: { min: 1, median: 1, max: 1 }, peerDone: false };
  r.audio!.received = { packets: 135, lost: 15, jitterMs: 1, dominantHz: 660 };
  t.equal(isOk(r, expect), false);
  judgeIncomplete(r, expect);
  const words = '3/5 pongs; no done from the peer; audio loss 10.0 % (the limit is under 10 %)';
  t.same(JSON.parse(JSON.stringify(r)).error, { code: 'incomplete', message: words });
  t.equal(
    summaryLine(r),
    `FAILED: incomplete: ${words}; 3/5 pongs, rtt 1/1/1 ms (min/median/max); audio 150 packets out, 135 in, 15 lost, 660 Hz (exit 1)`,
  );
});

t.test('a deadline in the exchange keeps its words after the criteria it cut short', async (t) => {
  const expect = { messages: 5, audioRequired: false };
  const r = completed();
  r.dataChannel!.peerDone = false;
  recordFailure(r, new ClientError('incomplete', "the peer's done did not finish in time"));
  judgeIncomplete(r, expect);
  t.same(r.error, { code: 'incomplete', message: "no done from the peer (the peer's done did not finish in time)" });
  judgeIncomplete(r, expect);
  t.equal(r.error?.message, "no done from the peer (the peer's done did not finish in time)", 'judged once');
});

t.test('other failures keep their own words', async (t) => {
  const r = completed();
  r.dataChannel!.received = 2;
  recordFailure(r, new ClientError('peer_silent', 'the peer went silent for 5 s'));
  judgeIncomplete(r, { messages: 5, audioRequired: false });
  t.same(r.error, { code: 'peer_silent', message: 'the peer went silent for 5 s' });
});
