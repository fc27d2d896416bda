import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import t, { type Test } from 'tap';
import { coturnForFile, startCoturn } from '../helpers/coturn.js';
import {
  assertCompleted,
  call,
  newRoom,
  outcomeOf,
  peerArgs,
  startPeer,
  type Outcome,
  serviceWith,
} from './turn-calls.js';

/**
 * When STUN/TURN cannot work, the peer says why: bad TURN credentials,
 * --relay-only with no TURN server, and more ICE server URLs than werift uses.
 */

const SECRET = `secret-${process.pid}`;
const { skip, coturn } = await coturnForFile({ secret: SECRET });

// werift gives up on refused TURN credentials after ~13 s of gathering (docs/WERIFT.md, Gathering).
const WRONG_SECRET_TIMEOUT_S = 30;
/** Process start-up and registration on a loaded machine, on top of --timeout-s. */
const START_SLACK_MS = 10_000;

/**
 * One subtest per side. A side that fails before connecting sends bye with its error code, so the
 * other side fails too (with its own verdict kept) instead of waiting for a call that will not come.
 */
function perSide(
  t: Test,
  outcomes: { offerer: Outcome; answerer: Outcome },
  check: (t: Test, role: string, outcome: Outcome) => void,
): void {
  for (const [role, outcome] of [
    ['offerer', outcomes.offerer],
    ['answerer', outcomes.answerer],
  ] as const) {
    t.test(role, async (t) => check(t, role, outcome));
  }
}

t.test('a wrong TURN secret: the verdict names TURN authentication, exit 4 within --timeout-s', { skip }, async (t) => {
  const server = coturn!;
  const service = await serviceWith(t, ['--turn', server.turnUrl('udp'), '--turn-secret', 'not-the-secret']);
  const { offerer, answerer } = await call(t, service, {
    both: ['--with-turn', '--relay-only'],
    timeoutS: WRONG_SECRET_TIMEOUT_S,
  });
  const check = (t: Test, role: string, outcome: Outcome): void => {
    t.equal(outcome.code, 4, `${role} exits 4`);
    const report = outcome.report;
    t.equal(report?.ok, false, `${role}: report not ok`);
    t.equal(
      report?.error?.code,
      'ice_failed',
      `${role}: ICE failed (not the --timeout-s deadline): ${report?.error?.message}`,
    );
    t.ok(
      outcome.elapsedMs < WRONG_SECRET_TIMEOUT_S * 1000 + START_SLACK_MS,
      `${role} ended within --timeout-s ${WRONG_SECRET_TIMEOUT_S} (+ start-up): ${(outcome.elapsedMs / 1000).toFixed(1)} s`,
    );
    const verdicts = report?.gathering.verdicts ?? [];
    t.ok(
      verdicts.some((v) => /TURN .*authentication failed\?/.test(v)),
      `${role}: the report's verdict names TURN authentication: ${JSON.stringify(verdicts)}`,
    );
    t.match(outcome.stderr, /warn: gathering verdict: .*authentication failed\?/, `${role} prints the verdict`);
    t.equal(report?.candidates.local.filter((c) => c.type === 'relay').length, 0, `${role}: no relay candidate`);
    t.not(report?.timingsMs.gatheringComplete ?? null, null, `${role}: the report keeps when gathering ended`);
  };
  // The answerer's werift fails ICE as soon as its gathering ends with nothing, the offerer's does not:
  // usually the answerer fails first and its bye ends the offerer's wait, but not always.
  perSide(t, { offerer, answerer }, check);
  t.match(
    server.log(),
    /user <\d+:offerer>: incoming packet message processed, error 401/,
    "coturn refused the offerer's credentials (401)",
  );
  t.match(
    server.log(),
    /user <\d+:answerer>: incoming packet message processed, error 401/,
    "coturn refused the answerer's credentials (401)",
  );
});

t.test(
  'TURN refuses the peers (403 Forbidden IP): relay candidates, then exit 4 at --timeout-s',
  { skip },
  async (t) => {
    // coturn without --allow-loopback-peers treats loopback peers as a denied-peer-ip range would.
    const refusing = await startCoturn({ secret: SECRET }, { allowLoopbackPeers: false });
    t.teardown(() => refusing.stop());
    const service = await serviceWith(t, ['--turn', refusing.turnUrl('udp'), '--turn-secret', SECRET]);
    const timeoutS = 12;
    const { offerer, answerer } = await call(t, service, { both: ['--with-turn', '--relay-only'], timeoutS });
    const check = (t: Test, role: string, outcome: Outcome): void => {
      const report = outcome.report;
      t.equal(outcome.code, 4, `${role} exits 4`);
      t.same(
        report?.gathering.verdicts,
        ['every ICE server answered'],
        `${role}: the report keeps the verdict: gathering itself went well`,
      );
      t.ok(
        report?.candidates.local.some((c) => c.type === 'relay'),
        `${role}: the report keeps the relay candidate that was allocated`,
      );
      t.ok(
        ['timeout', 'ice_failed'].includes(report?.error?.code ?? ''),
        `${role}: its deadline, or the peer's, ended it: ${report?.error?.code}: ${report?.error?.message}`,
      );
      t.ok(
        outcome.elapsedMs < timeoutS * 1000 + START_SLACK_MS,
        `${role} ended within --timeout-s ${timeoutS} (+ start-up): ${(outcome.elapsedMs / 1000).toFixed(1)} s`,
      );
    };
    // The answerer's deadline runs from its registration, so it usually times out first.
    perSide(t, { offerer, answerer }, check);
    const timedOut = [offerer, answerer].filter((o) => o.report?.error?.code === 'timeout');
    t.ok(
      timedOut.length > 0,
      'at least one side ran into its own deadline (werift would sit in checking: docs/WERIFT.md, States)',
    );
    for (const o of timedOut)
      t.match(
        o.report?.error?.message ?? '',
        new RegExp(`not connected after ${timeoutS} s .*ICE checking`),
        'the message says ICE never got past checking',
      );
    t.match(
      refusing.log(),
      /CREATE_PERMISSION processed, error 403: Forbidden IP/,
      'coturn refused the permissions: 403 Forbidden IP',
    );
  },
);

t.test(
  '--relay-only without a TURN server: exit 2, from the flags or right after registration',
  { skip },
  async (t) => {
    const fromFlags = await outcomeOf(startPeer(t, ['--role', 'offerer', '--relay-only', '--json']));
    t.equal(fromFlags.code, 2, '--relay-only alone: exit 2');
    t.match(
      fromFlags.stderr,
      /^client: --relay-only needs a TURN server: give --with-turn or --turn with credentials\n/,
      'says why',
    );
    t.equal(fromFlags.report, undefined, 'no report for bad flags');

    // --with-turn, but the service hands out no TURN server (a STUN one only).
    const service = await serviceWith(t, ['--stun', coturn!.stunUrl]);
    const registered = await outcomeOf(
      startPeer(t, ['--role', 'offerer', ...peerArgs(service, newRoom('turn-fail')), '--with-turn', '--relay-only']),
    );
    t.equal(registered.code, 2, '--with-turn --relay-only and no TURN from the service: exit 2');
    t.equal(registered.report?.error?.code, 'no_turn_server', 'error code no_turn_server');
    t.match(
      registered.report?.error?.message ?? '',
      /--relay-only, but neither the service nor --turn gave a TURN server with credentials/,
    );
    t.match(registered.stderr, /registered as offerer/, 'refused after registration');
    t.match(registered.stderr, /left the room/, 'and it left the room');

    // A TURN URL from the service without credentials is no TURN server for werift either.
    const bare = await serviceWith(t, ['--turn', coturn!.turnUrl('udp')]);
    const noCredentials = await outcomeOf(
      startPeer(t, ['--role', 'offerer', ...peerArgs(bare, newRoom('turn-fail')), '--with-turn', '--relay-only']),
    );
    t.equal(noCredentials.code, 2, 'a TURN URL without credentials: exit 2');
    t.match(
      noCredentials.stderr,
      new RegExp(`TURN server ${escape(coturn!.turnUrl('udp'))} has no credentials: werift skips it`),
      'says the entry has no credentials',
    );
  },
);

t.test('more STUN and TURN URLs than werift uses: a warning each, and only the first is used', { skip }, async (t) => {
  const server = coturn!;
  // The first STUN URL never answers and the second would: the warning is the truth, werift asks only the first.
  const silent = createSocket('udp4');
  silent.on('message', () => undefined);
  silent.bind(0, '127.0.0.1');
  await once(silent, 'listening');
  t.teardown(() => silent.close());
  const deadStun = `stun:127.0.0.1:${silent.address().port}`;
  const tcp = server.turnUrl('tcp');
  const udp = server.turnUrl('udp');
  const service = await serviceWith(t, [
    '--stun',
    deadStun,
    '--stun',
    server.stunUrl,
    '--turn',
    tcp,
    '--turn',
    udp,
    '--turn-secret',
    SECRET,
  ]);
  const { offerer, answerer } = await call(t, service, { both: ['--with-turn'] });
  for (const [role, outcome] of [
    ['offerer', offerer],
    ['answerer', answerer],
  ] as const) {
    const report = assertCompleted(t, role, outcome);
    t.match(
      outcome.stderr,
      `warn: werift uses only the first STUN URL (${deadStun}); ignoring ${server.stunUrl}`,
      `${role} warns about the second STUN URL`,
    );
    t.match(
      outcome.stderr,
      `warn: werift uses only the first TURN URL (${tcp}); ignoring ${udp}`,
      `${role} warns about the second TURN URL`,
    );
    t.same(
      report?.gathering.verdicts,
      [`STUN server ${deadStun} did not answer in 5 s`],
      `${role}: only the first STUN server was asked`,
    );
    t.equal(
      report?.candidates.local.filter((c) => c.type === 'srflx').length,
      0,
      `${role}: no srflx from the second STUN server`,
    );
    t.ok(
      report?.candidates.local.some((c) => c.type === 'relay'),
      `${role}: a relay candidate from the first TURN URL`,
    );
    t.match(
      outcome.stderr,
      new RegExp(`local  candidate  relay .* via ${escape(tcp)} \\(tcp\\)`),
      `${role}: relayed over the first TURN URL (tcp)`,
    );
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
