import t, { type Test } from 'tap';
import type { Report } from '../../client/report.js';
import { coturnForFile, startCoturn, type Coturn } from '../helpers/coturn.js';
import { assertCompleted, call, describeCandidate, pairTypes, type Outcome, serviceWith } from './turn-calls.js';

/**
 * Relayed calls through a real coturn (UDP and TCP to the server), with the
 * credentials the signaling service mints from coturn's shared secret, and
 * with fixed credentials. Each side's selected pair must be relay <-> relay:
 * the bytes went through coturn, not around it.
 */

const SECRET = `secret-${process.pid}`;
const TTL_S = 600;

const { skip, coturn } = await coturnForFile({ secret: SECRET });

/** Every local candidate signalled, every remote one received, and the selected pair: relay only, on coturn's relay ports. */
function assertRelayed(
  t: Test,
  role: string,
  report: Report | undefined,
  server: Coturn,
  opts: { relayOnly: boolean },
): void {
  if (!report) return;
  t.same(
    pairTypes(report),
    ['relay', 'relay'],
    `${role}: selected pair relay <-> relay (${describeCandidate(report.selectedPair?.local)} <-> ${describeCandidate(report.selectedPair?.remote)})`,
  );
  const local = report.selectedPair?.local;
  t.ok(
    local &&
      local.address === '127.0.0.1' &&
      local.port >= server.relayPorts.min &&
      local.port <= server.relayPorts.max,
    `${role}: the local relay address is one of this coturn's relay ports (${server.relayPorts.min}-${server.relayPorts.max})`,
  );
  t.ok(
    report.candidates.remote.length > 0 && report.candidates.remote.every((c) => c.type === 'relay'),
    `${role}: the peer signalled relay candidates only`,
  );
  if (opts.relayOnly)
    t.ok(
      report.candidates.local.every((c) => c.type === 'relay'),
      `${role}: relay-only gathers relay candidates only`,
    );
  for (const c of report.candidates.local.filter((c) => c.type === 'relay')) {
    t.ok(
      c.relatedAddress !== undefined && c.relatedPort !== undefined,
      `${role}: relay candidate ${c.address}:${c.port} has its related address`,
    );
  }
  t.same(report.gathering.verdicts, ['every ICE server answered'], `${role}: gathering verdict`);
}

/** coturn allocated for this peer with the credentials the service minted: `<expiry>:<peer>`, expiry within the TTL. */
function assertMintedAllocation(t: Test, server: Coturn, peer: string): void {
  const line = new RegExp(`username=<(\\d+):${peer}>`).exec(server.log());
  t.ok(line, `coturn opened a session for user <expiry>:${peer}`);
  const expiry = Number(line?.[1]);
  const now = Date.now() / 1000;
  t.ok(
    expiry > now && expiry <= now + TTL_S + 60,
    `the credential expires within --turn-ttl-s ${TTL_S} (in ${Math.round(expiry - now)} s)`,
  );
  t.match(
    server.log(),
    new RegExp(`user <\\d+:${peer}>: incoming packet ALLOCATE processed, success`),
    `coturn accepted ${peer}'s allocation`,
  );
}

t.test(
  'relay-only, credentials minted by the service from the shared secret: relay <-> relay, the exchange completes',
  { skip },
  async (t) => {
    const server = coturn!;
    const service = await serviceWith(t, [
      '--turn',
      server.turnUrl('udp'),
      '--turn-secret',
      SECRET,
      '--turn-ttl-s',
      String(TTL_S),
    ]);
    const { offerer, answerer } = await call(t, service, { both: ['--with-turn', '--relay-only'] });
    for (const [role, outcome] of [
      ['offerer', offerer],
      ['answerer', answerer],
    ] as const) {
      const report = assertCompleted(t, role, outcome);
      assertRelayed(t, role, report, server, { relayOnly: true });
      t.match(
        outcome.stderr,
        new RegExp(`ICE servers: TURN ${escape(server.turnUrl('udp'))} \\(udp\\)`),
        `${role} names the TURN server it uses`,
      );
      t.match(
        outcome.stderr,
        new RegExp(
          `local  candidate  relay  udp  127\\.0\\.0\\.1:\\d+ .* from 127\\.0\\.0\\.1:\\d+  via ${escape(server.turnUrl('udp'))} \\(udp\\)`,
        ),
        `${role} prints its relay candidate with the server URL and relay protocol`,
      );
      t.match(
        outcome.stderr,
        /selected pair {2}relay udp 127\.0\.0\.1:\d+ {2}<-> {2}relay udp 127\.0\.0\.1:\d+/,
        `${role} prints the relayed pair`,
      );
      assertMintedAllocation(t, server, role);
    }
  },
);

t.test(
  'relay-only over TURN/TCP (?transport=tcp): relay <-> relay, the exchange completes, coturn saw TCP clients',
  { skip },
  async (t) => {
    const server = coturn!;
    const url = server.turnUrl('tcp');
    const service = await serviceWith(t, ['--turn', url, '--turn-secret', SECRET, '--turn-ttl-s', String(TTL_S)]);
    const { offerer, answerer } = await call(t, service, { both: ['--with-turn', '--relay-only'] });
    for (const [role, outcome] of [
      ['offerer', offerer],
      ['answerer', answerer],
    ] as const) {
      const report = assertCompleted(t, role, outcome);
      assertRelayed(t, role, report, server, { relayOnly: true });
      t.match(
        outcome.stderr,
        new RegExp(`ICE servers: TURN ${escape(url)} \\(tcp\\)`),
        `${role} says the relay protocol is tcp`,
      );
      t.match(
        outcome.stderr,
        new RegExp(`local  candidate  relay  udp .* via ${escape(url)} \\(tcp\\)`),
        `${role}: the relay candidate is reached over tcp`,
      );
      // The peers have left: coturn logs the end of each session with its user and the client's address,
      // which it logged as a TCP connection when it was accepted. (The reason for the end varies:
      // "TCP connection closed by client", or a reset when the process exited first.) Earlier calls on
      // this coturn, and each side's own TURN check (client/nat/turn-check.ts), which frees its
      // allocation at once, end sessions of the same user too: one of this role's must be a TCP client.
      const client = await tcpSessionOf(server, role);
      t.ok(client, `coturn: ${role}'s session came over TCP from ${client ?? 'none'}`);
    }
  },
);

t.test(
  '--only relay (without --relay-only): each side signals its relay candidates only and the call goes relay <-> relay',
  { skip },
  async (t) => {
    const server = coturn!;
    const service = await serviceWith(t, [
      '--turn',
      server.turnUrl('udp'),
      '--turn-secret',
      SECRET,
      '--turn-ttl-s',
      String(TTL_S),
    ]);
    const { offerer, answerer } = await call(t, service, { both: ['--with-turn', '--only', 'relay'] });
    for (const [role, outcome] of [
      ['offerer', offerer],
      ['answerer', answerer],
    ] as const) {
      const report = assertCompleted(t, role, outcome);
      assertRelayed(t, role, report, server, { relayOnly: false });
      t.ok(
        report?.candidates.local.some((c) => c.type === 'host'),
        `${role}: host candidates are still gathered`,
      );
      t.match(
        outcome.stderr,
        /local {2}candidate {2}host .*\(not signalled: --only relay\)/,
        `${role} says which candidates it keeps back`,
      );
    }
  },
);

t.test(
  'fixed TURN credentials: the service hands out --turn-username/--turn-password, or the peer brings its own --turn',
  { skip },
  async (t) => {
    const fixed = await startCoturn({ username: 'lab', password: 'lab-password' });
    t.teardown(() => fixed.stop());
    const url = fixed.turnUrl('udp');
    const service = await serviceWith(t, ['--turn', url, '--turn-username', 'lab', '--turn-password', 'lab-password']);
    const { offerer, answerer } = await call(t, service, {
      offerer: ['--with-turn', '--relay-only'],
      // Without --with-turn the service's entry is dropped: the peer's own flags are what it uses.
      answerer: ['--turn', url, '--turn-username', 'lab', '--turn-password', 'lab-password', '--relay-only'],
    });
    const results: Array<[string, Outcome]> = [
      ['offerer (service credentials)', offerer],
      ['answerer (--turn flags)', answerer],
    ];
    for (const [role, outcome] of results) {
      const report = assertCompleted(t, role, outcome);
      assertRelayed(t, role, report, fixed, { relayOnly: true });
    }
    t.match(
      answerer.stderr,
      /the service offered 1 TURN URL; not used without --with-turn/,
      'the answerer says it dropped the service entry',
    );
    t.match(
      fixed.log(),
      /user <lab>: incoming packet ALLOCATE processed, success/,
      'coturn allocated for the fixed user',
    );
  },
);

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The client address of a session of `role` that coturn accepted over TCP, once one has ended; undefined after 20 s. */
async function tcpSessionOf(server: Coturn, role: string): Promise<string | undefined> {
  const closed = new RegExp(`closed \\(2nd stage\\), user <\\d+:${role}> .*remote (127\\.0\\.0\\.1:\\d+)`);
  for (let waited = 0; waited < 20_000; waited += 200) {
    const log = server.log();
    const lines = log.split('\n');
    for (const line of lines) {
      const client = closed.exec(line)?.[1];
      if (client !== undefined && log.includes(`tcp or tls connected to: ${client}`)) return client;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}
