import t from 'tap';
import { expectationFor } from '../../natlab/expectation.js';

// natlab/expectation.ts: what each cell of the matrix must show.

t.test('expectations of the matrix', async (t) => {
  t.equal(expectationFor({ answerer: 'easy', offerer: 'easy', mode: 'default' }).path, 'direct');
  t.equal(expectationFor({ answerer: 'none', offerer: 'none', mode: 'default' }).path, 'host');
  t.equal(expectationFor({ answerer: 'full', offerer: 'hard', mode: 'default' }).path, 'direct');
  t.equal(expectationFor({ answerer: 'easy', offerer: 'hard', mode: 'default' }).path, 'relay');
  t.equal(expectationFor({ answerer: 'hard', offerer: 'hard', mode: 'default' }).path, 'relay');
  t.same(expectationFor({ answerer: 'udpblock', offerer: 'easy', mode: 'default' }).tcpRelayOn, ['answerer']);
  t.same(expectationFor({ answerer: 'easy', offerer: 'easy', mode: 'relay-only' }).relayOn, ['answerer', 'offerer']);
  t.equal(expectationFor({ answerer: 'hard', offerer: 'hard', mode: 'no-turn' }).connected, false);
});
