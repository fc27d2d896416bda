/**
 * web/page-report.ts: the page's report is bin/client's (client/report.ts)
 * plus the timeline's fields; judge() gives it the CLI's verdict and the
 * `report` summary the peer's joint line reads; pageNat() says a browser
 * measured nothing, and why.
 */
import t from 'tap';
import { Compile } from 'typebox/compile';
import { emptyReport } from '../../client/report.js';
import { NatMessage, ReportSummary } from '../../signaling/protocol.js';
import { readOptions } from '../../web/options.js';
import { emptyPageReport, judge, pageNat, type PageReport } from '../../web/page-report.js';

const options = readOptions(new URLSearchParams('role=offerer&room=lab&messages=3'));
const expect = { messages: 3, audioRequired: true };
const host = (address: string, port: number) => ({
  type: 'host' as const,
  protocol: 'udp' as const,
  address,
  port,
  priority: 2_130_706_431,
  foundation: 'f1',
});

function completed(): PageReport {
  const r = emptyPageReport(options, 'http://127.0.0.1:8080');
  r.candidates = { local: [host('192.0.2.2', 5000)], remote: [host('192.0.2.3', 6000)] };
  r.selectedPair = { local: host('192.0.2.2', 5000), remote: host('192.0.2.3', 6000), rttMs: 1.5 };
  r.dataChannel = { label: 'chat', sent: 3, received: 3, rttMs: { min: 1, median: 2, max: 3 }, peerDone: true };
  r.audio = {
    codec: 'opus/48000/2',
    sent: { packets: 150, toneHz: 550 },
    received: { packets: 150, lost: 0, jitterMs: 0.4, dominantHz: 660 },
  };
  return r;
}

t.test("the empty page report: bin/client's fields in its order, then the timeline's", async (t) => {
  const r = emptyPageReport(options, 'http://127.0.0.1:8080');
  const cli = emptyReport({ ...options, signalingAddr: 'http://127.0.0.1:8080' });
  const keys = Object.keys(r);
  t.same(
    keys.filter((k) => k in cli),
    Object.keys(cli),
    "every field of bin/client's report, in its order",
  );
  t.same(
    keys.filter((k) => !(k in cli)),
    ['stack', 'events', 'service', 'peerClock'],
  );
  const { stack, events, service, peerClock, ...shared } = r;
  t.same(shared, cli, 'with the same empty values');
  t.same({ stack, events, service, peerClock }, { stack: 'browser', events: [], service: [], peerClock: null });
  t.match(r, { role: 'offerer', id: 'offerer', peer: 'answerer', room: 'lab' });
});

t.test('judge: a complete call is ok, with a verdict; its summary is a valid `report` message', async (t) => {
  const r = completed();
  const summary = judge(r, expect, false);
  t.equal(r.ok, true);
  t.equal(r.error, null);
  t.match(r.verdict, { path: { local: 'host', remote: 'host', relayedBy: null }, explanation: String });
  t.ok(Compile(ReportSummary).Check(summary), 'the summary passes the protocol schema');
  t.same(summary.candidates.local, [{ type: 'host', protocol: 'udp', address: '192.0.2.2', port: 5000 }], 'brief');
  t.same(summary.selectedPair, {
    local: { type: 'host', protocol: 'udp', address: '192.0.2.2', port: 5000 },
    remote: { type: 'host', protocol: 'udp', address: '192.0.2.3', port: 6000 },
  });
  t.same(summary.timingsMs, r.timingsMs);
  t.not(summary.timingsMs, r.timingsMs, 'a copy, not the live object');
  t.match(summary, { role: 'offerer', ok: true, error: null, verdict: r.verdict });
});

t.test("judge: what was missed, in bin/client's words", async (t) => {
  const r = completed();
  if (r.dataChannel) r.dataChannel.received = 2;
  if (r.audio) r.audio.received.packets = 0;
  const summary = judge(r, expect, false);
  t.equal(r.ok, false);
  t.same(r.error, { code: 'incomplete', message: '2/3 pongs; no audio received' });
  t.same(summary.error, r.error);
  t.equal(summary.selectedPair?.local.address, '192.0.2.2');

  const quiet = completed();
  if (quiet.audio) quiet.audio.received.packets = 0;
  judge(quiet, { messages: 3, audioRequired: false }, false);
  t.equal(quiet.ok, true, 'audio=none: no audio needed');
});

t.test('judge: an earlier failure stands, and no pair means no path', async (t) => {
  const r = emptyPageReport(options, 'http://x');
  r.error = { code: 'ice_failed', message: 'ICE failed after 30 s' };
  const summary = judge(r, expect, true);
  t.equal(r.ok, false);
  t.same(r.error, { code: 'ice_failed', message: 'ICE failed after 30 s' });
  t.equal(r.verdict?.path, null);
  t.equal(summary.selectedPair, null);
  t.ok(Compile(ReportSummary).Check(summary));
});

t.test('pageNat: nothing measured, method none, and why', async (t) => {
  const plain = pageNat(false, false);
  t.ok(Compile(NatMessage).Check(plain), 'a valid `nat` message');
  t.match(plain, { mapping: 'unknown', filtering: 'unknown', hairpin: null, method: 'none', asked: 0, turn: null });
  t.same(plain.notes, ['a browser page cannot send STUN requests of its own']);
  t.match(pageNat(true, true), { turn: 'udp', relayOnly: true });
});
