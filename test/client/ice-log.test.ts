import t from 'tap';
import {
  candidateForReport,
  CandidateParseError,
  countByType,
  formatCandidate,
  formatCounts,
  formatPair,
  formatPriority,
  parseCandidate,
  splitPriority,
  summarizeGathering,
  type CandidateInfo,
} from '../../client/ice-log.js';
import { selectedPairFromStats, signalledTwin } from '../../client/stats-pair.js';

t.test('parseCandidate: werift host, srflx, relay and browser forms', async (t) => {
  t.same(
    parseCandidate(
      'candidate:32b1715da3b0ef8ba684454eb 1 udp 2116026367 192.0.2.2 48593 typ host generation 0 ufrag a68c',
    ),
    {
      type: 'host',
      protocol: 'udp',
      address: '192.0.2.2',
      port: 48593,
      priority: 2116026367,
      foundation: '32b1715da3b0ef8ba684454eb',
      component: 1,
    },
  );
  t.same(
    parseCandidate(
      'candidate:842163049 1 udp 1677729535 203.0.113.7 40001 typ srflx raddr 10.2.0.2 rport 50000 generation 0 ufrag Xy network-cost 999',
    ),
    {
      type: 'srflx',
      protocol: 'udp',
      address: '203.0.113.7',
      port: 40001,
      priority: 1677729535,
      foundation: '842163049',
      component: 1,
      relatedAddress: '10.2.0.2',
      relatedPort: 50000,
    },
  );
  const relay = parseCandidate(
    'a=candidate:3 1 UDP 16777215 198.51.100.9 50010 typ relay raddr 203.0.113.7 rport 40001',
  );
  t.equal(relay.type, 'relay');
  t.equal(relay.protocol, 'udp', 'transport is case-insensitive and lower-cased');
  t.equal(relay.relatedAddress, '203.0.113.7');
  const tcp = parseCandidate('candidate:1 1 tcp 1518280447 192.0.2.2 9 typ host tcptype active');
  t.equal(tcp.tcpType, 'active');
  t.equal(parseCandidate('candidate:9 1 udp 2122262783 fd00::2 51000 typ host').address, 'fd00::2');
  t.equal(parseCandidate('candidate:5 1 udp 1845501695 192.0.2.9 40000 typ prflx raddr 0.0.0.0 rport 0').type, 'prflx');
});

t.test('parseCandidate refuses what is not a candidate', async (t) => {
  for (const bad of [
    '',
    'candidate:',
    'candidate:1 1 udp 2 1.2.3.4 5',
    'candidate:1 1 udp 2 1.2.3.4 5 type host',
    'candidate:1 1 udp x 1.2.3.4 5 typ host',
    'candidate:1 1 udp 2 1.2.3.4 5 typ mdns',
  ]) {
    t.throws(() => parseCandidate(bad), CandidateParseError, JSON.stringify(bad));
  }
});

t.test('priority split: type preference | local preference | 256 - component', async (t) => {
  t.same(splitPriority(2130706431), { typePreference: 126, localPreference: 65535, componentPart: 255 });
  t.same(splitPriority(2116026367), { typePreference: 126, localPreference: 8191, componentPart: 255 });
  t.same(splitPriority(1694498815), { typePreference: 100, localPreference: 65535, componentPart: 255 });
  t.same(splitPriority(16777215), { typePreference: 0, localPreference: 65535, componentPart: 255 });
  t.same(
    splitPriority(2130706430),
    { typePreference: 126, localPreference: 65535, componentPart: 254 },
    'component 2 (RTCP)',
  );
  for (const p of [0, 1, 2130706431, 4294967295, 1845501695]) {
    const { typePreference, localPreference, componentPart } = splitPriority(p);
    t.equal(typePreference * 2 ** 24 + localPreference * 2 ** 8 + componentPart, p, `${p} recombines`);
  }
  t.equal(formatPriority(2130706431), '126 | 65535 | 255');
});

t.test('formatCandidate: the Trickle ICE columns', async (t) => {
  const srflx = parseCandidate('candidate:2 1 udp 1694498815 203.0.113.2 40001 typ srflx raddr 10.2.0.2 rport 50000');
  t.equal(
    formatCandidate('local', srflx, { url: 'stun:stun.example.org:3478' }),
    'local  candidate  srflx  udp  203.0.113.2:40001  priority 100 | 65535 | 255  foundation 2  from 10.2.0.2:50000  via stun:stun.example.org:3478',
  );
  const relay = parseCandidate('candidate:3 1 udp 16777215 198.51.100.9 50010 typ relay raddr 203.0.113.2 rport 40001');
  t.match(
    formatCandidate('local', relay, { url: 'turn:t:3478?transport=tcp', relayProtocol: 'tcp' }),
    /relay {2}udp {2}198\.51\.100\.9:50010 .* via turn:t:3478\?transport=tcp \(tcp\)$/,
  );
  const v6 = parseCandidate('candidate:9 1 udp 2122262783 fd00::2 51000 typ host');
  t.equal(
    formatCandidate('remote', v6),
    'remote candidate  host   udp  [fd00::2]:51000  priority 126 | 32552 | 255  foundation 9',
  );
});

t.test('candidateForReport keeps CLI.md fields, foundation a string', async (t) => {
  const c = parseCandidate('candidate:2 1 udp 1694498815 203.0.113.2 40001 typ srflx raddr 10.2.0.2 rport 50000');
  t.same(candidateForReport(c), {
    type: 'srflx',
    protocol: 'udp',
    address: '203.0.113.2',
    port: 40001,
    relatedAddress: '10.2.0.2',
    relatedPort: 50000,
    priority: 1694498815,
    foundation: '2',
  });
  t.same(Object.keys(candidateForReport(parseCandidate('candidate:1 1 udp 1 10.0.0.1 5 typ host'))), [
    'type',
    'protocol',
    'address',
    'port',
    'priority',
    'foundation',
  ]);
});

const host: CandidateInfo = parseCandidate('candidate:1 1 udp 2130706431 10.0.0.1 5000 typ host');
const srflx: CandidateInfo = parseCandidate(
  'candidate:2 1 udp 1694498815 203.0.113.2 40001 typ srflx raddr 10.0.0.1 rport 5000',
);
const relay: CandidateInfo = parseCandidate(
  'candidate:3 1 udp 16777215 198.51.100.9 50010 typ relay raddr 203.0.113.2 rport 40001',
);
const texts = (s: ReturnType<typeof summarizeGathering>) => s.verdicts.map((v) => v.text);

t.test('verdicts in plain words', async (t) => {
  const stun = 'stun:stun.example.org:3478';
  const turn = 'turn:turn.example.org:3478';
  t.same(texts(summarizeGathering({ stunUrl: undefined, turnUrl: undefined, relayOnly: false }, [host], 20)), [
    'no STUN or TURN server: host candidates only, enough on one network but not across NATs',
  ]);
  t.same(texts(summarizeGathering({ stunUrl: stun, turnUrl: turn, relayOnly: false }, [host, srflx, relay], 300)), [
    'every ICE server answered',
  ]);
  t.same(texts(summarizeGathering({ stunUrl: stun, turnUrl: undefined, relayOnly: false }, [host], 5010)), [
    `STUN server ${stun} did not answer in 5 s`,
  ]);
  t.match(
    texts(summarizeGathering({ stunUrl: stun, turnUrl: undefined, relayOnly: false }, [host], 40))[0],
    /gave no address/,
    'a quick failure is not a 5 s silence',
  );
  t.same(texts(summarizeGathering({ stunUrl: stun, turnUrl: turn, relayOnly: false }, [host, srflx], 12700)), [
    'srflx candidates but no relay: TURN authentication failed?',
  ]);
  t.same(texts(summarizeGathering({ stunUrl: stun, turnUrl: turn, relayOnly: false }, [host], 5000)), [
    'no srflx and no relay: the ICE servers are not reachable',
  ]);
  t.same(texts(summarizeGathering({ stunUrl: undefined, turnUrl: turn, relayOnly: false }, [host], 900)), [
    `TURN server ${turn} gave no relay candidate: unreachable or authentication failed?`,
  ]);
  t.same(texts(summarizeGathering({ stunUrl: undefined, turnUrl: turn, relayOnly: true }, [], 900)), [
    `TURN server ${turn} gave no relay candidate: unreachable or authentication failed?`,
    '--relay-only and no relay candidate: this peer cannot connect',
  ]);
  t.same(texts(summarizeGathering({ stunUrl: undefined, turnUrl: turn, relayOnly: true }, [relay], 90)), [
    'every ICE server answered',
  ]);
  t.same(texts(summarizeGathering({ stunUrl: undefined, turnUrl: undefined, relayOnly: false }, [], 5)), [
    'no host candidates: no usable network interface',
  ]);
  const summary = summarizeGathering({ stunUrl: stun, turnUrl: undefined, relayOnly: false }, [host], 5010);
  t.equal(summary.verdicts[0]?.level, 'warn');
  t.same(summary.counts, { host: 1, srflx: 0, prflx: 0, relay: 0 });
});

t.test('counts', async (t) => {
  const counts = countByType([host, host, srflx, relay]);
  t.same(counts, { host: 2, srflx: 1, prflx: 0, relay: 1 });
  t.equal(formatCounts(counts), '2 host, 1 srflx, 1 relay');
  t.equal(formatCounts({ host: 1, srflx: 0, prflx: 2, relay: 0 }), '1 host, 0 srflx, 2 prflx, 0 relay');
});

t.test('selected pair from getStats: the transport names it', async (t) => {
  const stats = [
    { type: 'transport', id: 'T', selectedCandidatePairId: 'P2' },
    {
      type: 'candidate-pair',
      id: 'P1',
      localCandidateId: 'L1',
      remoteCandidateId: 'R1',
      nominated: true,
      currentRoundTripTime: 0.5,
    },
    {
      type: 'candidate-pair',
      id: 'P2',
      localCandidateId: 'L2',
      remoteCandidateId: 'R1',
      nominated: true,
      currentRoundTripTime: 0.00142,
    },
    {
      type: 'local-candidate',
      id: 'L1',
      address: 'fd00::2',
      port: 1,
      protocol: 'udp',
      candidateType: 'host',
      priority: 1,
      foundation: 'a',
    },
    {
      type: 'local-candidate',
      id: 'L2',
      address: '10.0.0.1',
      port: 5000,
      protocol: 'udp',
      candidateType: 'host',
      priority: 2130706431,
      foundation: '1',
    },
    {
      type: 'remote-candidate',
      id: 'R1',
      address: '203.0.113.2',
      port: 40001,
      protocol: 'udp',
      candidateType: 'srflx',
      relatedAddress: '10.2.0.2',
      relatedPort: 50000,
      priority: 1694498815,
      foundation: '2',
    },
  ];
  const pair = selectedPairFromStats(stats);
  t.same(pair, {
    local: { type: 'host', protocol: 'udp', address: '10.0.0.1', port: 5000, priority: 2130706431, foundation: '1' },
    remote: {
      type: 'srflx',
      protocol: 'udp',
      address: '203.0.113.2',
      port: 40001,
      relatedAddress: '10.2.0.2',
      relatedPort: 50000,
      priority: 1694498815,
      foundation: '2',
    },
    rttMs: 1.4,
  });
  t.equal(selectedPairFromStats([{ type: 'transport', id: 'T' }]), null, 'no selected pair yet');
  const noRtt = selectedPairFromStats(
    stats.map((s) => (s.id === 'P2' ? { ...s, currentRoundTripTime: undefined } : s)),
  );
  t.equal(noRtt?.rttMs, null);
  if (pair)
    t.equal(
      formatPair(pair.local, pair.remote, pair.rttMs),
      'selected pair  host udp 10.0.0.1:5000  <->  srflx udp 203.0.113.2:40001  rtt 1.4 ms',
    );
});

t.test('a prflx remote is the signalled candidate with the same transport address, once signalled', async (t) => {
  const prflx = { type: 'prflx', protocol: 'udp', address: '192.0.2.2', port: 40000, priority: 1853824767 } as const;
  const host = { type: 'host', protocol: 'udp', address: '192.0.2.2', port: 40000, priority: 2130706431 } as const;
  const other = { type: 'host', protocol: 'udp', address: '192.0.2.2', port: 40001, priority: 2130706431 } as const;
  const tcp = { type: 'host', protocol: 'tcp', address: '192.0.2.2', port: 40000, priority: 2130706431 } as const;
  t.same(signalledTwin(prflx, [other, tcp, host]), host, 'the signalled twin replaces it');
  t.same(signalledTwin(prflx, [other, tcp]), prflx, 'no twin: packets came from an address the peer never named');
  t.same(signalledTwin(host, [other]), host, 'a signalled remote is kept as it is');
});
