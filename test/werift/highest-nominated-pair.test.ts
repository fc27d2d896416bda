import t from 'tap';
import type { RTCPeerConnection as PeerConnection } from 'werift';
import { negotiate, weriftPair } from '../helpers/werift-pair.js';

/**
 * patches/werift+0.24.4+012+highest-nominated-pair.patch: when the
 * controlling agent nominates more than one pair, the controlled agent uses
 * the highest-priority one (RFC 8445 §8.1.1). Chromium as the controlling
 * side nominates again when it switches pairs; werift kept the first pair
 * it saw nominated and sent on it while Chromium sent on another, so each side
 * named a different path (seen in test/e2e/page.test.ts with the page as
 * offerer). Here the controlling werift nominates every other pair that
 * worked, as a browser may, and the controlled side must end on the highest.
 */
/** The parts of werift's ICE Connection this drives (its public type does not list them). */
interface Pair {
  state: number;
  nominated: boolean;
  priority: number;
  remoteAddr: [string, number];
  localCandidate: unknown;
  remoteCandidate: { priority: number };
  protocol: { request: (message: unknown, addr: [string, number], key: Buffer, retries: number) => Promise<unknown> };
}
interface Connection {
  checkList: Pair[];
  nominated?: Pair;
  localUsername: string;
  remoteUsername: string;
  remotePassword: string;
  buildRequest: (o: {
    nominate: boolean;
    localUsername: string;
    remoteUsername: string;
    iceControlling: boolean;
    localCandidate: unknown;
  }) => unknown;
}
const SUCCEEDED = 3;

const connectionOf = (pc: PeerConnection): Connection => pc.iceTransports[0]!.connection as unknown as Connection;

t.test('the controlled side sends on the highest-priority pair the controlling side nominated', async (t) => {
  const pair = weriftPair(t);
  const { offerer, answerer } = pair;
  await negotiate(pair);
  await pair.connected;

  const controlling = connectionOf(offerer);
  const others = controlling.checkList.filter((p) => p.state === SUCCEEDED && p !== controlling.nominated);
  if (others.length === 0) {
    t.comment('one pair worked: this host has a single address for ICE, so nothing else can be nominated');
    t.pass('nothing to test on this host');
    return;
  }
  // werift gives every host candidate one priority; a browser's differ. As the controlled side
  // sees them, the pair nominated first gets the lowest, so that a higher one can be nominated.
  const controlled = connectionOf(answerer);
  const first = controlled.nominated;
  if (!first) throw new Error('the controlled side has no nominated pair');
  for (const pair of controlled.checkList) pair.remoteCandidate.priority = pair === first ? 1_000 : 2_000_000;
  // Nominate every other pair that worked, as a browser switching pairs does.
  for (const pair of others) {
    const request = controlling.buildRequest({
      nominate: true,
      localUsername: controlling.localUsername,
      remoteUsername: controlling.remoteUsername,
      iceControlling: true,
      localCandidate: pair.localCandidate,
    });
    await pair.protocol.request(request, pair.remoteAddr, Buffer.from(controlling.remotePassword, 'utf8'), 4);
  }
  // The controlled side's own checks of those pairs (triggered by the nominations) complete them.
  const nominated = (): Pair[] => controlled.checkList.filter((p) => p.nominated && p.state === SUCCEEDED);
  for (let waited = 0; nominated().length < 2 && waited < 5_000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const highest = nominated().reduce((a, b) => (b.priority > a.priority ? b : a));
  t.ok(nominated().length >= 2, `${nominated().length} pairs nominated on the controlled side`);
  t.not(controlled.nominated, first, 'it left the first pair nominated');
  t.equal(controlled.nominated?.priority, highest.priority, 'the pair it sends on is a highest-priority nominated one');
});
