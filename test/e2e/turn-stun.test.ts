import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import t, { type Test } from 'tap';
import type { Report } from '../../client/report.js';
import { coturnForFile } from '../helpers/coturn.js';
import { stunBinding } from '../helpers/stun-binding.js';
import { assertCompleted, call, describeCandidate, pairTypes, serviceWith } from './turn-calls.js';

/**
 * STUN through a real coturn: server-reflexive candidates, a STUN server that
 * never answers, and a call over srflx candidates alone.
 *
 * On loopback there is no NAT: coturn sees each peer's packets come from the
 * very address and port the peer sent from, so a srflx candidate is the host
 * candidate it was asked from (its related address). werift asks from every
 * host socket, the one on eth0 too, and each socket is bound to its
 * candidate's address (patches/), so that one's packets to 127.0.0.1 leave
 * from eth0's address.
 */

const { skip, coturn } = await coturnForFile({ secret: `secret-${process.pid}` });

/** Each srflx candidate has a related address, and that is one of the side's own host candidates (same port: no NAT). */
function assertSrflx(t: Test, role: string, report: Report | undefined): void {
  if (!report) return;
  const local = report.candidates.local;
  const srflx = local.filter((c) => c.type === 'srflx');
  t.ok(srflx.length > 0, `${role}: srflx candidates gathered (${srflx.length})`);
  for (const c of srflx) {
    const base = local.find((h) => h.type === 'host' && h.address === c.relatedAddress && h.port === c.relatedPort);
    t.ok(
      base,
      `${role}: srflx ${c.address}:${c.port} is related to its host candidate ${c.relatedAddress}:${c.relatedPort}`,
    );
    t.same(
      [c.address, c.port],
      [c.relatedAddress, c.relatedPort],
      `${role}: coturn on loopback reflects the address and port it was asked from`,
    );
    t.equal(c.port, c.relatedPort, `${role}: no NAT, so the reflexive port is the host port`);
  }
}

t.test(
  'STUN from coturn: srflx candidates are gathered, printed with their related address and signalled',
  { skip },
  async (t) => {
    const server = coturn!;
    // What coturn itself answers a binding from loopback: the address a srflx candidate will carry.
    const mapped = await stunBinding(server.port, 10_000);
    t.equal(mapped.address, '127.0.0.1', 'coturn maps a loopback client to 127.0.0.1');
    const service = await serviceWith(t, ['--stun', server.stunUrl]);
    const { offerer, answerer } = await call(t, service, {});
    const reports = {
      offerer: assertCompleted(t, 'offerer', offerer),
      answerer: assertCompleted(t, 'answerer', answerer),
    };
    for (const [role, outcome, other] of [
      ['offerer', offerer, reports.answerer],
      ['answerer', answerer, reports.offerer],
    ] as const) {
      const report = reports[role];
      assertSrflx(t, role, report);
      t.match(
        outcome.stderr,
        new RegExp(`ICE servers: STUN ${escape(server.stunUrl)}\\n`),
        `${role} names the STUN server`,
      );
      t.match(
        outcome.stderr,
        new RegExp(
          `local  candidate  srflx  udp  127\\.0\\.0\\.1:(\\d+)  priority 100 \\| \\d+ \\| 255  foundation \\S+  from 127\\.0\\.0\\.1:\\1  via ${escape(server.stunUrl)}\\n`,
        ),
        `${role} prints a srflx candidate with its related address and the server`,
      );
      t.match(
        outcome.stderr,
        /remote candidate {2}srflx {2}udp {2}127\.0\.0\.1:\d+ .* from \S+:\d+/,
        `${role} prints the peer's srflx candidates with their related address`,
      );
      t.same(report?.gathering.verdicts, ['every ICE server answered'], `${role}: gathering verdict`);
      const theirs = other?.candidates.local
        .filter((c) => c.type === 'srflx')
        .map((c) => `${c.address}:${c.port} from ${c.relatedAddress}:${c.relatedPort}`)
        .sort();
      const received = report?.candidates.remote
        .filter((c) => c.type === 'srflx')
        .map((c) => `${c.address}:${c.port} from ${c.relatedAddress}:${c.relatedPort}`)
        .sort();
      t.same(received, theirs, `${role} received the peer's srflx candidates, related addresses included`);
    }
  },
);

t.test(
  'a STUN server that never answers: the verdict names it, the call connects on host candidates',
  { skip },
  async (t) => {
    // A loopback UDP port that reads and drops every packet: no answer, no ICMP error.
    const silent = createSocket('udp4');
    let asked = 0;
    silent.on('message', () => asked++);
    silent.bind(0, '127.0.0.1');
    await once(silent, 'listening');
    t.teardown(() => silent.close());
    const url = `stun:127.0.0.1:${silent.address().port}`;
    const service = await serviceWith(t, ['--stun', url]);
    const { offerer, answerer } = await call(t, service, {});
    for (const [role, outcome] of [
      ['offerer', offerer],
      ['answerer', answerer],
    ] as const) {
      const report = assertCompleted(t, role, outcome);
      const verdict = `STUN server ${url} did not answer in 5 s`;
      t.same(report?.gathering.verdicts, [verdict], `${role}: the verdict names the silent server`);
      t.match(outcome.stderr, `warn: gathering verdict: ${verdict}`, `${role} prints the verdict`);
      t.equal(report?.candidates.local.filter((c) => c.type === 'srflx').length, 0, `${role}: no srflx candidate`);
      const types = pairTypes(report);
      t.ok(
        types && types[0] === 'host' && ['host', 'prflx'].includes(types[1]),
        `${role}: connected on host candidates (${describeCandidate(report?.selectedPair?.local)} <-> ${describeCandidate(report?.selectedPair?.remote)})`,
      );
    }
    t.ok(asked > 0, `the silent server was asked (${asked} binding requests dropped)`);
  },
);

t.test('--only srflx: each side signals its srflx candidates only and the call goes over them', { skip }, async (t) => {
  const server = coturn!;
  const service = await serviceWith(t, ['--stun', server.stunUrl]);
  // A short deadline: when this path fails, the offerer waits that long for the answerer to call back.
  const { offerer, answerer } = await call(t, service, { both: ['--only', 'srflx'], timeoutS: 30 });
  const reports = {
    offerer: assertCompleted(t, 'offerer', offerer),
    answerer: assertCompleted(t, 'answerer', answerer),
  };
  for (const [role, outcome] of [
    ['offerer', offerer],
    ['answerer', answerer],
  ] as const) {
    const report = reports[role];
    t.match(
      outcome.stderr,
      /local {2}candidate {2}host .*\(not signalled: --only srflx\)/,
      `${role} keeps its host candidates back`,
    );
    if (!report) continue;
    assertSrflx(t, role, report);
    const remote = report.candidates.remote;
    t.ok(
      remote.length > 0 && remote.every((c) => c.type === 'srflx'),
      `${role}: the peer signalled srflx candidates only`,
    );
    // A pair's local side is the srflx candidate's base, a host candidate (RFC 8445 6.1.2.4); its remote
    // side is the peer's srflx, or the same address learnt as prflx when the peer's check came first.
    const pair = report.selectedPair;
    t.equal(
      pair?.local.type,
      'host',
      `${role}: the local side of the pair is the srflx candidate's base (${describeCandidate(pair?.local)})`,
    );
    t.ok(
      pair &&
        remote.some((c) => c.address === pair.remote.address && c.port === pair.remote.port) &&
        ['srflx', 'prflx'].includes(pair.remote.type),
      `${role}: the remote side is one of the peer's srflx addresses (${describeCandidate(pair?.remote)})`,
    );
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
