/**
 * web/timeline-model.ts: the lanes of the timeline from a report, the page's
 * or bin/client's --json one. This side's marks, the service's, and the other
 * side's timings placed on this side's clock; or this side alone, saying so.
 */
import t from 'tap';
import { timingsSummary } from '../helpers/report-summary.js';
import { emptyReport, type Report } from '../../client/report.js';
import { readOptions } from '../../web/options.js';
import { emptyPageReport, type Mark } from '../../web/page-report.js';
import { isViewableReport, timelineOf } from '../../web/timeline-model.js';

const who = { id: 'offerer', peer: 'answerer', room: 'lab', signalingAddr: 'http://127.0.0.1:8080' };

/** bin/client's report after a call: every step reached. */
function cliReport(role: 'offerer' | 'answerer' = 'offerer'): Report {
  const r = emptyReport({ ...who, role });
  r.timingsMs = {
    registered: 40,
    gatheringComplete: 120,
    iceConnected: 300,
    dtlsConnected: 420,
    dataChannelOpen: 450,
    done: 3500,
  };
  r.ok = true;
  return r;
}

const labels = (marks: readonly Mark[]): string[] => marks.map((m) => m.label);
const at = (marks: readonly Mark[], label: string): number | undefined => marks.find((m) => m.label === label)?.t;

t.test('isViewableReport: a role, ok and timings are enough; anything else is not a report', async (t) => {
  t.ok(isViewableReport(cliReport()), "bin/client's report");
  t.ok(isViewableReport(JSON.parse(JSON.stringify(cliReport()))), 'as read back from --json');
  t.ok(isViewableReport(emptyPageReport(readOptions(new URLSearchParams()), 'http://x')), "the page's report");
  t.ok(isViewableReport({ role: 'answerer', ok: false, timingsMs: {} }));
  for (const value of [
    null,
    undefined,
    'report',
    42,
    [],
    { ok: true, timingsMs: {} },
    { role: 'offerer', ok: 'yes', timingsMs: {} },
    { role: 'offerer', ok: true },
    { role: 'offerer', ok: true, timingsMs: null },
  ])
    t.notOk(isViewableReport(value), JSON.stringify(value) ?? 'undefined');
});

t.test('a CLI report alone: its timings as marks in time order, and the note says the peer sent none', async (t) => {
  const r = cliReport();
  r.timingsMs.iceConnected = 500; // after DTLS on purpose: marks go by time, not by key
  r.timingsMs.done = null; // a step not reached is no mark
  const model = timelineOf(r);
  t.equal(model.lanes.length, 1, 'this side only');
  t.equal(model.lanes[0]?.name, 'this side (offerer)');
  t.same(model.lanes[0]?.marks, [
    { t: 40, label: 'registered' },
    { t: 120, label: 'gathering complete' },
    { t: 420, label: 'DTLS connected' },
    { t: 450, label: 'data channel open' },
    { t: 500, label: 'ICE connected' },
  ]);
  t.equal(model.note, 'answerer sent no report: the timeline shows this side alone');
  const { peer: _peer, ...nameless } = r;
  t.equal(timelineOf(nameless).note, 'the other side sent no report: the timeline shows this side alone');
  t.equal(timelineOf({ ...r, peerReport: null }).lanes.length, 1, 'peerReport null: still alone');
});

t.test('a timing key it has no words for keeps its name', async (t) => {
  const model = timelineOf({ role: 'answerer', ok: false, timingsMs: { registered: 5, natMeasured: 9, odd: 'x' } });
  t.same(labels(model.lanes[0]?.marks ?? []), ['registered', 'natMeasured']);
});

t.test("the page's report: its own events, the service's stamps, the peer placed by its registration", async (t) => {
  const r = emptyPageReport(readOptions(new URLSearchParams('role=offerer')), 'http://x');
  r.events = [
    { t: 12, label: 'registered as offerer in room default; here: nobody' },
    { t: 400, label: 'answerer joined' },
    { t: 410, label: 'offer sent' },
  ];
  r.service = [
    { t: 395, label: 'peer-joined' },
    { t: 520, label: 'answer' },
  ];
  r.peerClock = { offsetMs: 300, how: 'its registration, as the service stamped it' };
  r.peerReport = timingsSummary('answerer', { ...cliReport('answerer').timingsMs, registered: 95, done: null });
  const model = timelineOf(r);
  t.same(
    model.lanes.map((l) => l.name),
    ['this side (offerer)', 'service', 'other side (answerer)'],
  );
  t.same(model.lanes[0]?.marks, r.events, 'the events, not the timings, when there are events');
  t.same(model.lanes[1]?.marks, r.service);
  const peer = model.lanes[2]?.marks ?? [];
  t.equal(at(peer, 'registered'), 395, 'its registration lands where the service stamped it: 95 + 300');
  t.equal(at(peer, 'data channel open'), 750, 'every mark moved by the same offset');
  t.notOk(at(peer, 'done'), 'null timings are no marks');
  t.equal(
    model.note,
    "the other side's timings come from its report, placed on this side's clock by its registration, as the service stamped it",
  );
});

t.test('no stamp to place the peer by: both data channels open at once (within a round trip)', async (t) => {
  const r = cliReport('answerer');
  r.peerReport = timingsSummary('offerer', { registered: 10, iceConnected: 900, dataChannelOpen: 1000, done: 4000 });
  const model = timelineOf(r);
  t.equal(model.lanes.length, 2, 'this side and the other: a CLI report has no service lane');
  const peer = model.lanes[1]?.marks ?? [];
  t.equal(model.lanes[1]?.name, 'other side (offerer)');
  t.equal(at(peer, 'data channel open'), 450, "on our data channel's opening");
  t.equal(at(peer, 'registered'), 10 - 550, 'before ours: the offerer was there first');
  t.match(model.note, /by the data channel opening on both sides at once \(within a round trip\)$/);
});

t.test('no data channel on one side: aligned by ICE connected instead', async (t) => {
  const r = cliReport();
  r.timingsMs.dataChannelOpen = null;
  r.peerReport = timingsSummary('answerer', { registered: 0, iceConnected: 100, dataChannelOpen: null });
  const peer = timelineOf(r).lanes[1]?.marks ?? [];
  t.equal(at(peer, 'ICE connected'), 300, 'on our ICE connected');
  t.equal(at(peer, 'registered'), 200);
});

t.test('nothing both sides reached: the peer on its own clock, and the note says so', async (t) => {
  const r = cliReport();
  r.timingsMs.dataChannelOpen = null;
  r.timingsMs.iceConnected = null;
  r.peerReport = timingsSummary('', { registered: 70, iceConnected: 100 });
  const model = timelineOf(r);
  t.equal(model.lanes[1]?.name, 'other side (answerer)', 'a summary with no role: the role opposite ours');
  t.same(model.lanes[1]?.marks, [
    { t: 70, label: 'registered' },
    { t: 100, label: 'ICE connected' },
  ]);
  t.match(model.note, /on its own clock \(nothing to align it by\)$/);
});

t.test('a page report whose events are empty (it failed at once) shows its timings', async (t) => {
  const r = emptyPageReport(readOptions(new URLSearchParams()), 'http://x');
  r.timingsMs.registered = 33;
  t.same(timelineOf(r).lanes[0]?.marks, [{ t: 33, label: 'registered' }]);
  t.equal(timelineOf(r).lanes.length, 1, 'no service marks: no service lane');
});
