/**
 * web/clock.ts: the service's clock placed on the page's by the quickest
 * relay, and the peer's placed on it by its registration as the service
 * stamped it; then drawn by timeline-model.ts where the service saw it.
 */
import t from 'tap';
import { timingsSummary } from '../helpers/report-summary.js';
import type { Message } from '../../signaling/protocol.js';
import { peerClock, serverOffset, type Arrival } from '../../web/clock.js';
import { timelineOf } from '../../web/timeline-model.js';

/** The service's clock runs this far ahead of the page's performance.now(). */
const SERVER_AHEAD = 1_700_000_000_000;
/** performance.now() when the call began. */
const T0 = 2_000;

let seq = 0;
/** A message the service stamped at `ts` (server clock) that the page got `delay` ms later. */
function arrival(type: string, from: string, ts: number, delay: number): Arrival {
  const message: Message = { seq: ++seq, type, from, ts, data: null };
  return { message, at: ts - SERVER_AHEAD + delay };
}

const server = (ours: number): number => SERVER_AHEAD + T0 + ours;

t.test('serverOffset: the quickest relay is nearest to no delay', async (t) => {
  const arrivals = [
    arrival('peer-joined', 'answerer', server(400), 30),
    arrival('answer', 'answerer', server(700), 4),
    arrival('candidate', 'answerer', server(710), 250),
  ];
  t.equal(serverOffset(arrivals), SERVER_AHEAD - 4, 'within the quickest delay of the truth');
  t.equal(serverOffset(arrivals.slice(2)), SERVER_AHEAD - 250, 'one slow message: off by its delay');
  t.equal(serverOffset([]), 0, 'nothing arrived: no offset');
  // No service mark lands after the page got it.
  for (const a of arrivals)
    t.ok(a.message.ts - serverOffset(arrivals) <= a.at, `${a.message.type} not after it arrived`);
});

t.test("peerClock: the peer's start on our clock, from the service's stamp of its registration", async (t) => {
  // The answerer registered 400 ms into our call; on its own clock that was 150 ms into its run.
  const arrivals = [arrival('peer-joined', 'answerer', server(400), 2), arrival('answer', 'answerer', server(900), 2)];
  const clock = peerClock(
    timingsSummary('answerer', { registered: 150, dataChannelOpen: 700 }),
    arrivals,
    T0,
    'answerer',
  );
  t.same(clock, { offsetMs: 400 + 2 - 150, how: 'its registration, as the service stamped it' });

  // Drawn: its registration lands on the service's peer-joined mark (to within the quickest relay).
  const model = timelineOf({
    role: 'offerer',
    peer: 'answerer',
    ok: true,
    timingsMs: { registered: 10 },
    peerReport: timingsSummary('answerer', { registered: 150, dataChannelOpen: 700 }),
    peerClock: clock,
    service: arrivals.map((a) => ({
      t: Math.round(a.message.ts - serverOffset(arrivals) - T0),
      label: a.message.type,
    })),
  });
  const [, service, peer] = model.lanes;
  const joined = service?.marks.find((m) => m.label === 'peer-joined')?.t;
  t.equal(joined, 402);
  t.equal(peer?.marks.find((m) => m.label === 'registered')?.t, joined, 'registered where the service saw it');
  t.equal(peer?.marks.find((m) => m.label === 'data channel open')?.t, 952);
});

t.test('peerClock: null when there is nothing to place the peer by', async (t) => {
  const joined = [arrival('peer-joined', 'answerer', server(400), 2)];
  t.equal(peerClock(null, joined, T0, 'answerer'), null, 'no report from the peer');
  t.equal(
    peerClock(timingsSummary('answerer', { registered: null }), joined, T0, 'answerer'),
    null,
    'its report has no registration time',
  );
  t.equal(
    peerClock(
      timingsSummary('answerer', { registered: 150 }),
      [arrival('offer', 'answerer', server(400), 2)],
      T0,
      'answerer',
    ),
    null,
    'the peer was there first: no peer-joined to go by',
  );
  t.equal(
    peerClock(
      timingsSummary('answerer', { registered: 150 }),
      [arrival('peer-joined', 'someone-else', server(400), 2)],
      T0,
      'answerer',
    ),
    null,
    "another peer's arrival is not this one's",
  );
});
