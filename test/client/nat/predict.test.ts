import t from 'tap';
import { directWorks, predict } from '../../../client/nat/predict.js';
import type { NatMessage } from '../../../signaling/protocol.js';

/** The NAT lab's five behaviours as the measurement reports them (docs/NATLAB.md), behind router `n`. */
function lab(behaviour: string, n: number, turn: NatMessage['turn'] = null): NatMessage {
  const pub = `203.0.113.${100 + n}`;
  const seen = (ports: number[]) =>
    ports.map((port, i) => ({ destination: `203.0.113.${10 + (i % 2)}:${3478 + (i >> 1)}`, mapped: `${pub}:${port}` }));
  const base = { hairpin: false, method: 'rfc5780' as const, notes: [], asked: 1, turn, relayOnly: false };
  switch (behaviour) {
    case 'none':
      return { ...base, mapping: 'no-nat', filtering: 'endpoint-independent', publicAddresses: seen([5000, 5000]) };
    case 'easy':
      return {
        ...base,
        mapping: 'endpoint-independent',
        filtering: 'address-and-port-dependent',
        publicAddresses: seen([5000, 5000]),
      };
    case 'hard':
      return {
        ...base,
        mapping: 'address-and-port-dependent',
        filtering: 'address-and-port-dependent',
        publicAddresses: seen([1, 2, 3, 4]),
      };
    case 'full':
      return {
        ...base,
        mapping: 'endpoint-independent',
        filtering: 'endpoint-independent',
        publicAddresses: seen([5000, 5000]),
      };
    case 'udpblock':
      return {
        ...base,
        mapping: 'unknown',
        filtering: 'unknown',
        hairpin: null,
        method: 'none',
        publicAddresses: [],
        notes: ['the STUN destination did not answer'],
      };
    default:
      throw new Error(behaviour);
  }
}

const BEHAVIOURS = ['none', 'easy', 'hard', 'full', 'udpblock'];
/** docs/NATLAB.md's matrix: which pairs connect without a relay. */
const DIRECT: Record<string, boolean> = {
  'none:none': true,
  'none:easy': true,
  'none:hard': true,
  'none:full': true,
  'easy:easy': true,
  'easy:hard': false,
  'easy:full': true,
  'hard:hard': false,
  'hard:full': true,
  'full:full': true,
};
const expectDirect = (a: string, b: string): boolean => DIRECT[`${a}:${b}`] ?? DIRECT[`${b}:${a}`] ?? false;

t.test("all 5 x 5 lab behaviours, without TURN, with one side's, with both", async (t) => {
  for (const a of BEHAVIOURS) {
    for (const b of BEHAVIOURS) {
      for (const turns of [
        [null, null],
        ['udp', null],
        ['udp', 'tcp'],
      ] as const) {
        const p = predict(lab(a, 1, turns[0]), lab(b, 2, turns[1]));
        const name = `${a} x ${b}, TURN ${turns.join('/')}`;
        t.equal(p.direct, expectDirect(a, b) ? 'likely' : 'unlikely', `${name}: ${p.reason}`);
        if (p.direct === 'unlikely') {
          if (a === 'udpblock' || b === 'udpblock') t.match(p.reason, /UDP looks blocked/, name);
          else t.match(p.reason, /hole punching cannot work, only a relay can/, name);
          if (turns[0] === null && turns[1] === null)
            t.match(p.reason, /the call will fail/, `${name}: no relay at all`);
        }
      }
    }
  }
});

t.test("UDP blocked: the words depend on the blocked side's TURN transport", async (t) => {
  t.match(
    predict(lab('udpblock', 1, 'tcp'), lab('easy', 2)).reason,
    /this side got no answer from any of its 1 STUN destination: .* and it has TURN over tcp/,
  );
  t.match(
    predict(lab('easy', 1, 'udp'), lab('udpblock', 2, 'udp')).reason,
    /the peer .* its TURN server is over UDP too, so the call will fail/,
  );
  t.match(predict(lab('easy', 1), lab('udpblock', 2, null)).reason, /it has no TURN server, so the call will fail/);
});

t.test('the reason names both behaviours in words', async (t) => {
  const p = predict(lab('hard', 1, 'udp'), lab('easy', 2));
  t.match(
    p.reason,
    /^this side maps address-and-port-dependently \(4 destinations saw 4 ports\) and filters by address and port; the peer maps endpoint-independently and filters by address and port: hole punching cannot work, only a relay can; relay available: this side's \(TURN over udp\)$/,
  );
  t.match(predict(lab('full', 1), lab('hard', 2)).reason, /this side keeps its mapping and lets in any port/);
});

t.test('unknowns: predicted only when every possibility agrees', async (t) => {
  const unknownFiltering = { ...lab('easy', 1), filtering: 'unknown' as const };
  t.equal(
    predict(unknownFiltering, lab('easy', 2)).direct,
    'likely',
    'two stable mappings punch through whatever the filtering',
  );
  const unsure = predict(unknownFiltering, lab('hard', 2));
  t.equal(unsure.direct, 'unknown', 'against a symmetric NAT the filtering decides');
  t.match(unsure.reason, /unknown: this side's filtering/);
  const varies = { ...lab('hard', 1), mapping: 'unknown' as const, method: 'two-servers' as const };
  t.equal(
    predict(varies, lab('easy', 2)).direct,
    'unlikely',
    'two servers saw two ports: not stable, even if the kind is unknown',
  );
  t.match(predict(varies, lab('easy', 2)).reason, /maps per destination \(4 destinations saw 4 ports\)/);
  const oneAnswer = {
    ...lab('easy', 1),
    mapping: 'unknown' as const,
    filtering: 'unknown' as const,
    publicAddresses: lab('easy', 1).publicAddresses.slice(0, 1),
  };
  t.equal(predict(oneAnswer, lab('hard', 2)).direct, 'unknown');
  t.equal(predict(lab('easy', 1), null).direct, 'unknown');
  t.match(predict(lab('easy', 1), null).reason, /the peer sent no NAT measurement/);
});

t.test('--relay-only on either side: relay, whatever the NATs', async (t) => {
  t.same(predict({ ...lab('none', 1), relayOnly: true }, lab('none', 2)).direct, 'unlikely');
  t.match(predict(lab('none', 1), { ...lab('none', 2), relayOnly: true }).reason, /the peer runs with --relay-only/);
});

t.test('both behind one NAT: hairpinning decides', async (t) => {
  const same = (hairpin: boolean | null): NatMessage => ({ ...lab('easy', 1), hairpin });
  t.equal(predict(same(true), same(true)).direct, 'likely');
  t.match(predict(same(true), same(true)).reason, /same NAT \(public address 203.0.113.101\), which hairpins/);
  t.equal(predict(same(false), same(false)).direct, 'unknown');
  t.match(predict(same(false), same(false)).reason, /does not hairpin: only host candidates on a shared network/);
  t.equal(predict(same(null), same(true)).direct, 'unknown');
});

t.test('the rule itself: stable x stable, stable and open x unstable, else no', async (t) => {
  const f = ['endpoint-independent', 'address-dependent', 'address-and-port-dependent'] as const;
  for (const fa of f) {
    for (const fb of f) {
      t.equal(directWorks({ stable: true, filtering: fa }, { stable: true, filtering: fb }), true);
      t.equal(directWorks({ stable: false, filtering: fa }, { stable: false, filtering: fb }), false);
      t.equal(
        directWorks({ stable: true, filtering: fa }, { stable: false, filtering: fb }),
        fa !== 'address-and-port-dependent',
      );
    }
  }
});
