import t from 'tap';
import { buildPionPeer } from '../../scripts/pion-peer.js';
import { startService } from '../helpers/processes.js';
import { EXCHANGE, interopCall, peerArgs, runPeerProgram, type StartPeer } from './harness.js';

/**
 * pion v3 (Debian's Go sources, built offline by scripts/pion-peer.ts) against
 * bin/client, both ways, and against itself: the pair the loss benchmark uses
 * as its anchor. pion signals its candidates exactly as ToJSON() makes them
 * (sdpMid "", sdpMLineIndex 0): before client/candidate-route.ts, bin/client
 * refused every one of them.
 */
const built = await buildPionPeer();
if ('skip' in built) {
  t.test('pion against bin/client', { skip: `pion: ${built.skip}` }, () => undefined);
} else {
  const service = await startService();
  t.teardown(() => service.stop());
  const pion: StartPeer = (call) => runPeerProgram(built.path, peerArgs(call));

  t.test('pion offers, bin/client answers', (t) => interopCall(t, service, pion, 'offerer'));
  t.test('bin/client offers, pion answers', (t) => interopCall(t, service, pion, 'answerer'));

  t.test('a pion offerer calls a pion answerer', async (t) => {
    const call = { signalingAddr: service.url, room: `pion-pair-${process.pid}` };
    const [offerer, answerer] = await Promise.all([
      pion({ ...call, role: 'offerer' }),
      pion({ ...call, role: 'answerer' }),
    ]);
    for (const side of [offerer, answerer]) {
      t.equal(side.code, 0, `${side.report?.role ?? 'a side'} exits 0`, { log: side.log });
      t.equal(side.report?.dataChannel.received, EXCHANGE.messages, 'every ping got its pong');
      t.equal(side.report?.dataChannel.peerDone, true, "the other's done arrived");
      t.ok((side.report?.audio.received.decoded ?? 0) >= 50, 'a second of audio decoded');
    }
  });
}
