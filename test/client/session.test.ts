import t from 'tap';
import { ClientError } from '../../client/errors.js';
import { wirePair } from '../helpers/call-harness.js';

/**
 * The session with two real werift peers in this process, wired directly
 * (no service): what bin/client does between "offer" and "bye".
 */

t.test('two calls connect, exchange every ping, and report what they saw', async (t) => {
  const pair = wirePair();
  const [offerer, answerer] = await pair.outcomes();
  t.same(offerer, { connected: true, error: null });
  t.same(answerer, { connected: true, error: null });
  for (const side of [pair.offerer, pair.answerer]) {
    const { report, lines } = side;
    const role = side.options.role;
    t.same(
      report.dataChannel && {
        sent: report.dataChannel.sent,
        received: report.dataChannel.received,
        label: report.dataChannel.label,
      },
      { sent: 3, received: 3, label: 'chat' },
      `${role}: 3/3`,
    );
    t.ok(
      report.dataChannel?.rttMs &&
        report.dataChannel.rttMs.min <= report.dataChannel.rttMs.median &&
        report.dataChannel.rttMs.median <= report.dataChannel.rttMs.max,
      `${role}: rtt min <= median <= max`,
    );
    t.ok(
      report.candidates.local.some((c) => c.type === 'host' && c.address === '127.0.0.1'),
      `${role}: gathered on loopback when asked`,
    );
    t.ok(report.candidates.remote.length > 0, `${role}: remote candidates recorded`);
    t.ok(report.selectedPair, `${role}: a selected pair from getStats`);
    t.same(
      report.states,
      { gathering: 'complete', ice: 'connected', dtls: 'connected', connection: 'connected' },
      `${role}: states`,
    );
    for (const key of ['gatheringComplete', 'iceConnected', 'dtlsConnected', 'dataChannelOpen', 'done'] as const) {
      t.type(report.timingsMs[key], 'number', `${role}: timing ${key}`);
    }
    t.ok(
      lines.some((l) => /local {2}candidate {2}host /.test(l)),
      `${role}: logs local candidates`,
    );
    t.ok(
      lines.some((l) => /remote candidate {2}host /.test(l)),
      `${role}: logs remote candidates`,
    );
    t.ok(
      lines.some((l) => /priority 126 \| \d+ \| 255/.test(l)),
      `${role}: priority split`,
    );
    t.ok(
      lines.some((l) => /ICE gathering complete in \d+ ms: \d+ host/.test(l)),
      `${role}: gathering summary`,
    );
    t.ok(
      lines.some((l) => /gathering verdict: /.test(l)),
      `${role}: verdict`,
    );
    t.ok(
      lines.some((l) => /selected pair {2}host udp/.test(l)),
      `${role}: selected pair`,
    );
    t.ok(
      lines.some((l) => /DTLS state connected/.test(l)),
      `${role}: DTLS state`,
    );
    t.notOk(
      lines.some((l) => / ms {2}ICE connection state completed/.test(l)),
      `${role}: werift's early "completed" is not shown as a state`,
    );
    t.ok(
      lines.some((l) => /pong 3\/3 received {2}rtt/.test(l)),
      `${role}: pongs with rtt`,
    );
  }
});

t.test('candidates that arrive before the answer are buffered, then applied', async (t) => {
  const pair = wirePair({ holdAnswer: true });
  // Wait until the answerer's candidates (sent after its answer) have reached the offerer.
  while (!pair.offerer.report.candidates.remote.length || pair.offerer.report.states.gathering !== 'complete') {
    await new Promise((r) => setTimeout(r, 20));
  }
  t.equal(pair.offerer.report.states.connection, 'new', 'nothing can connect without the answer');
  pair.releaseAnswer();
  const [offerer, answerer] = await pair.outcomes();
  t.equal(offerer.error, null);
  t.equal(answerer.error, null);
});

t.test('a bye with reason declined ends the call as declined', async (t) => {
  const pair = wirePair({ dropFromAnswerer: (type) => type === 'answer' });
  while (!pair.answerer.call) await new Promise((r) => setTimeout(r, 10));
  pair.offerer.call!.deliver({ kind: 'bye', reason: 'declined' });
  const outcome = await pair.offerer.outcome!;
  t.equal(outcome.connected, false);
  t.type(outcome.error, ClientError);
  t.equal(outcome.error?.code, 'declined');
  pair.answerer.abort.abort(new ClientError('interrupted', 'test over'));
  t.equal((await pair.answerer.outcome!).error?.code, 'interrupted');
});

t.test("the service's 404 for our answer came before the peer's bye: the bye's reason ends the call", async (t) => {
  const byeAfterMs = 50;
  const pair = wirePair({
    answererSendFails: (type) => {
      if (type !== 'answer') return undefined;
      setTimeout(() => pair.answerer.call?.deliver({ kind: 'bye', reason: 'ice_failed' }), byeAfterMs);
      return new ClientError('peer_left', 'offerer is no longer in room r');
    },
  });
  while (!pair.answerer.outcome) await new Promise((r) => setImmediate(r));
  const outcome = await pair.answerer.outcome;
  t.equal(outcome.error?.code, 'ice_failed', 'not peer_left: the answerer will not wait for it to call again');
  t.match(outcome.error?.message, /offerer gave up before the connection was up \(bye: ice_failed\)/);
  pair.offerer.abort.abort(new ClientError('interrupted', 'test over'));
  await pair.offerer.outcome;
});

t.test('a peer that left without a bye stays a peer that left', async (t) => {
  const pair = wirePair({
    answererSendFails: (type) =>
      type === 'answer' ? new ClientError('peer_left', 'offerer is no longer in room r') : undefined,
  });
  while (!pair.answerer.outcome) await new Promise((r) => setImmediate(r));
  const outcome = await pair.answerer.outcome;
  t.equal(outcome.error?.code, 'peer_left');
  pair.offerer.abort.abort(new ClientError('interrupted', 'test over'));
  await pair.offerer.outcome;
});

t.test("no answer: our own deadline, not werift's (which has none)", async (t) => {
  const pair = wirePair({ connectMs: 1500, dropFromAnswerer: (type) => type === 'answer' });
  const outcome = await pair.offerer.outcome!;
  t.equal(outcome.error?.code, 'timeout');
  t.match(outcome.error?.message, /not connected after \d+ s \(waiting for the answer/);
  pair.answerer.abort.abort(new ClientError('interrupted', 'test over'));
  await pair.answerer.outcome;
});

t.test('a peer that vanishes after connecting is noticed by silence', async (t) => {
  // The answerer stops answering pings after its first pong by being aborted hard:
  // its peer connection closes without a bye, as when the process is killed.
  const pair = wirePair({
    offerer: ['--messages', '50', '--interval-ms', '200'],
    answerer: ['--messages', '50', '--interval-ms', '200'],
  });
  while (pair.offerer.report.dataChannel === null && !pair.offerer.lines.some((l) => /pong 1\/50 received/.test(l))) {
    await new Promise((r) => setTimeout(r, 20));
  }
  pair.answerer.abort.abort(new ClientError('interrupted', 'killed'));
  const outcome = await pair.offerer.outcome!;
  t.equal(outcome.connected, true);
  t.ok(
    outcome.error?.code === 'peer_silent' ||
      outcome.error?.code === 'ice_failed' ||
      outcome.error?.code === 'dtls_failed',
    `ended as ${outcome.error?.code}: ${outcome.error?.message}`,
  );
  t.ok((pair.offerer.report.dataChannel?.received ?? 0) >= 1, 'the report keeps what arrived before');
});
