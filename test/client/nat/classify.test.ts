import t from 'tap';
import { classifyNat, type NatObservations } from '../../../client/nat/classify.js';

const LOCAL = '10.0.0.2';
const A1P1 = '203.0.113.10:3478';
const A1P2 = '203.0.113.10:3479';
const A2P1 = '203.0.113.11:3478';
const A2P2 = '203.0.113.11:3479';
const PUB = '198.51.100.7';

const observe = (over: Partial<NatObservations>): NatObservations => ({
  localAddresses: ['127.0.0.1', LOCAL],
  localPort: 5000,
  destinations: 1,
  bindings: [],
  filtering: null,
  hairpin: null,
  ...over,
});
const answered = (destination: string, mapped: string) => ({ destination, mapped, from: destination });

type Mapping = 'no-nat' | 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';
type Filtering = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';

/** What an RFC 4787 NAT of that kind maps the mapping socket to, per destination. */
function mappedBy(mapping: Mapping, destination: string): string {
  const [address = '', port = ''] = destination.split(':');
  switch (mapping) {
    case 'no-nat':
      return `${LOCAL}:5000`;
    case 'endpoint-independent':
      return `${PUB}:40000`;
    case 'address-dependent':
      return `${PUB}:${40000 + Number(address.split('.')[3])}`;
    case 'address-and-port-dependent':
      return `${PUB}:${40000 + Number(address.split('.')[3]) * 10 + Number(port) - 3478}`;
  }
}

/** The full RFC 5780 run against a NAT of that kind, with `drop` answers lost (a half-answering server). */
function run(mapping: Mapping, filtering: Filtering, drop: ReadonlySet<string>): NatObservations {
  const bindings = [A1P1, A2P1, A2P2, A1P2].map((d) =>
    drop.has(d) ? { destination: d, mapped: null, from: null } : answered(d, mappedBy(mapping, d)),
  );
  const both = filtering === 'endpoint-independent' && !drop.has('changeBoth') ? A2P2 : null;
  const port = filtering !== 'address-and-port-dependent' && !drop.has('changePort') ? A1P2 : null;
  return observe({
    destinations: 1,
    bindings,
    filtering: drop.has(A1P1) ? null : { server: A1P1, otherAddress: A2P2, changeBoth: both, changePort: port },
  });
}

const MAPPINGS: Mapping[] = ['no-nat', 'endpoint-independent', 'address-dependent', 'address-and-port-dependent'];
const FILTERINGS: Filtering[] = ['endpoint-independent', 'address-dependent', 'address-and-port-dependent'];
/** Direct answers a half-answering server may not give. */
const LOSABLE = [A1P1, A2P1, A2P2, A1P2];

t.test('every mapping and filtering is recovered from a complete RFC 5780 run', async (t) => {
  for (const mapping of MAPPINGS) {
    for (const filtering of FILTERINGS) {
      const nat = classifyNat(run(mapping, filtering, new Set()));
      t.equal(nat.mapping, mapping, `${mapping} x ${filtering}: mapping`);
      t.equal(nat.filtering, filtering, `${mapping} x ${filtering}: filtering`);
      t.equal(nat.method, 'rfc5780');
      t.same(nat.notes, [], 'nothing left unknown');
    }
  }
});

t.test('with any direct answers lost, a finding is right or unknown: never a guess', async (t) => {
  let cases = 0;
  let unknowns = 0;
  for (const mapping of MAPPINGS) {
    for (const filtering of FILTERINGS) {
      for (let mask = 0; mask < 1 << LOSABLE.length; mask++) {
        const drop = new Set(LOSABLE.filter((_, i) => mask & (1 << i)));
        const nat = classifyNat(run(mapping, filtering, drop));
        cases++;
        if (nat.mapping !== mapping || nat.filtering !== filtering) unknowns++;
        if (nat.mapping !== mapping && nat.mapping !== 'unknown')
          t.fail(`${mapping} x ${filtering}, lost ${[...drop].join(' ')}: mapping ${nat.mapping}`);
        if (nat.filtering !== filtering && nat.filtering !== 'unknown')
          t.fail(`${mapping} x ${filtering}, lost ${[...drop].join(' ')}: filtering ${nat.filtering}`);
        if ((nat.mapping === 'unknown' || nat.filtering === 'unknown') && nat.notes.length === 0)
          t.fail(`${mapping} x ${filtering}, lost ${[...drop].join(' ')}: unknown without a reason`);
      }
    }
  }
  t.equal(cases, 12 * 16);
  t.ok(unknowns > 0 && unknowns < cases, `${unknowns} of ${cases} runs leave something unknown`);
});

t.test('a lost CHANGE-REQUEST answer reads as stricter filtering, and leaves the mapping alone', async (t) => {
  // RFC 5780 cannot tell a lost answer from a filtered one (the resends make loss unlikely).
  for (const mapping of MAPPINGS) {
    const nat = classifyNat(run(mapping, 'endpoint-independent', new Set(['changeBoth'])));
    t.equal(nat.mapping, mapping);
    t.equal(nat.filtering, 'address-dependent');
    const both = classifyNat(run(mapping, 'endpoint-independent', new Set(['changeBoth', 'changePort'])));
    t.equal(both.filtering, 'address-and-port-dependent');
  }
});

t.test('mapping from plain servers: two servers, two ports, one answer', async (t) => {
  const cases: Array<[string, NatObservations['bindings'], string, string]> = [
    [
      'two servers, one mapping',
      [answered(A1P1, `${PUB}:1`), answered(A2P1, `${PUB}:1`)],
      'endpoint-independent',
      'two-servers',
    ],
    ['two servers, two mappings', [answered(A1P1, `${PUB}:1`), answered(A2P1, `${PUB}:2`)], 'unknown', 'two-servers'],
    [
      'two ports, two mappings',
      [answered(A1P1, `${PUB}:1`), answered(A1P2, `${PUB}:2`)],
      'address-and-port-dependent',
      'two-ports',
    ],
    ['two ports, one mapping', [answered(A1P1, `${PUB}:1`), answered(A1P2, `${PUB}:1`)], 'unknown', 'two-ports'],
    ['one answer', [answered(A1P1, `${PUB}:1`)], 'unknown', 'none'],
    ['one answer, our own address', [answered(A1P1, `${LOCAL}:5000`)], 'no-nat', 'none'],
    [
      'our own address but another port',
      [answered(A1P1, `${LOCAL}:5001`), answered(A2P1, `${LOCAL}:5001`)],
      'endpoint-independent',
      'two-servers',
    ],
    [
      'one server sees us, another a NAT',
      [answered(A1P1, `${LOCAL}:5000`), answered(A2P1, `${PUB}:1`)],
      'unknown',
      'two-servers',
    ],
  ];
  for (const [name, bindings, mapping, method] of cases) {
    const nat = classifyNat(observe({ destinations: 2, bindings }));
    t.equal(nat.mapping, mapping, `${name}: mapping`);
    t.equal(nat.method, method, `${name}: method`);
    t.equal(nat.filtering, 'unknown', `${name}: no RFC 5780 server, no filtering`);
    t.match(nat.notes.join(' '), /RFC 5780/, `${name}: says what filtering needs`);
    if (mapping === 'unknown') t.ok(nat.notes.length >= 2, `${name}: says why the mapping is unknown`);
  }
  t.same(
    classifyNat(observe({ destinations: 2, bindings: [answered(A1P1, `${PUB}:1`), answered(A2P1, `${PUB}:1`)] }))
      .publicAddresses,
    [
      { destination: A1P1, mapped: `${PUB}:1` },
      { destination: A2P1, mapped: `${PUB}:1` },
    ],
  );
});

t.test('a lying server: answers from the wrong address are not used', async (t) => {
  const nat = classifyNat(
    observe({
      destinations: 2,
      bindings: [answered(A1P1, `${PUB}:1`), { destination: A2P1, mapped: `${PUB}:2`, from: A1P1 }],
    }),
  );
  t.equal(nat.mapping, 'unknown', 'one usable answer is not enough');
  t.match(nat.notes[0], `${A2P1} answered from ${A1P1}: its answer is not used`);
  t.same(nat.publicAddresses, [{ destination: A1P1, mapped: `${PUB}:1` }]);

  const complete = [A1P1, A2P1, A2P2, A1P2].map((d) => answered(d, `${PUB}:1`));
  const ignoresChange = classifyNat(
    observe({
      bindings: complete,
      filtering: { server: A1P1, otherAddress: A2P2, changeBoth: A1P1, changePort: A1P1 },
    }),
  );
  t.equal(ignoresChange.filtering, 'unknown', 'a CHANGE-REQUEST answered from the primary address proves nothing');
  t.match(ignoresChange.notes.join(' '), /asked to answer from 203.0.113.11:3479 and answered from 203.0.113.10:3478/);
  const portFromElsewhere = classifyNat(
    observe({
      bindings: complete,
      filtering: { server: A1P1, otherAddress: A2P2, changeBoth: null, changePort: A2P1 },
    }),
  );
  t.equal(portFromElsewhere.filtering, 'unknown');
  t.match(portFromElsewhere.notes.join(' '), /does not honour CHANGE-REQUEST/);
});

t.test('a half-answering server: an OTHER-ADDRESS that does not answer', async (t) => {
  const nat = classifyNat(
    observe({
      bindings: [
        answered(A1P1, `${PUB}:1`),
        { destination: A2P1, mapped: null, from: null },
        { destination: A2P2, mapped: null, from: null },
        answered(A1P2, `${PUB}:1`),
      ],
      filtering: { server: A1P1, otherAddress: A2P2, changeBoth: null, changePort: null },
    }),
  );
  t.equal(nat.filtering, 'unknown', 'silence from a silent address is not filtering');
  t.match(nat.notes.join(' '), /OTHER-ADDRESS 203.0.113.11:3479 of 203.0.113.10:3478 did not answer/);
  t.equal(nat.mapping, 'unknown', 'two ports of one address alike: address dependence untested');
  t.equal(nat.method, 'two-ports', 'the alternate never answered: not an RFC 5780 measurement');

  for (const otherAddress of [A1P2, A2P1, 'nonsense']) {
    const bogus = classifyNat(
      observe({
        bindings: [answered(A1P1, `${PUB}:1`)],
        filtering: { server: A1P1, otherAddress, changeBoth: null, changePort: null },
      }),
    );
    t.equal(bogus.filtering, 'unknown', `OTHER-ADDRESS ${otherAddress}`);
    t.match(bogus.notes.join(' '), /not another address and port/);
  }
});

t.test('nothing to ask, nothing answered', async (t) => {
  const none = classifyNat(observe({ destinations: 0 }));
  t.same(
    { mapping: none.mapping, filtering: none.filtering, hairpin: none.hairpin, method: none.method },
    { mapping: 'unknown', filtering: 'unknown', hairpin: null, method: 'none' },
  );
  t.match(none.notes, [/no STUN server to ask/]);
  const silent = classifyNat(observe({ destinations: 3, bindings: [{ destination: A1P1, mapped: null, from: null }] }));
  t.match(silent.notes, [/none of the 3 STUN destinations answered/]);
  t.equal(
    classifyNat(observe({ destinations: 1 })).notes[0],
    'the STUN destination did not answer: UDP to them is blocked, or they are down',
  );
});

t.test('hairpin is reported as measured', async (t) => {
  for (const hairpin of [true, false, null]) t.equal(classifyNat(observe({ hairpin })).hairpin, hairpin);
});
