import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import t from 'tap';
import type { RTCDataChannel, RTCPeerConnection as PeerConnection } from 'werift';
import { negotiate, unlessHung, weriftPair } from '../helpers/werift-pair.js';

/**
 * patches/werift+0.24.4+009+wire-counted-pairs.patch: a data packet is counted
 * on the candidate pair it arrived on (its socket and the address it came
 * from). werift counted every data packet that reached the nominated pair's
 * socket on that pair, whatever its source, so a pair's `packetsReceived`
 * said nothing about the path the peer's packets took: the figure the report
 * quotes as what the wire saw on the selected pair.
 */
interface PairStats {
  type: string;
  nominated?: boolean;
  packetsReceived?: number;
  packetsSent?: number;
}

async function nominatedPair(pc: PeerConnection): Promise<PairStats> {
  const stats = [...(await pc.getStats()).values()] as PairStats[];
  const pair = stats.find((s) => s.type === 'candidate-pair' && s.nominated === true);
  if (!pair) throw new Error('no nominated pair');
  return pair;
}

t.test("packets from an address that is not the pair's remote are not counted on it", async (t) => {
  const pair = weriftPair(t);
  const { offerer, answerer, chat } = pair;
  const open = new Promise<void>((resolve) => chat.stateChanged.subscribe((s) => s === 'open' && resolve()));
  const received = new Promise<RTCDataChannel>((resolve) => answerer.onDataChannel.subscribe(resolve));
  await negotiate(pair);
  await unlessHung(open, 30_000, 'the data channel did not open');
  const channel = await received;
  const nominated = answerer.iceTransports[0]?.connection.nominated;
  if (!nominated) throw new Error('the answerer has no nominated pair');
  const { host, port } = nominated.localCandidate;

  // Datagrams that are neither STUN, DTLS nor RTP, from a socket that is no candidate.
  const STRAYS = 50;
  const stray = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  t.teardown(() => stray.close());
  stray.bind(0);
  await once(stray, 'listening');
  const before = (await nominatedPair(answerer)).packetsReceived ?? 0;
  for (let i = 0; i < STRAYS; i++) stray.send(Buffer.from(`stray ${i}`), port, host);
  // Then a round of real data on the pair, as a mark that the strays have all been read.
  const MESSAGES = 20;
  const arrived = new Promise<void>((resolve) => {
    let n = 0;
    channel.onMessage.subscribe(() => ++n === MESSAGES && resolve());
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (let i = 0; i < MESSAGES; i++) chat.send(`message ${i}`);
  await arrived;
  const after = (await nominatedPair(answerer)).packetsReceived ?? 0;

  // SCTP may bundle several messages into one packet: at least one, at most one each (and a few SACKs).
  t.ok(after - before > 0, `the peer's data is counted on the pair (${after - before} packets)`);
  t.ok(
    after - before < STRAYS,
    `the ${STRAYS} stray datagrams are not (${after - before} counted, ${MESSAGES} messages sent)`,
  );
  t.ok(((await nominatedPair(offerer)).packetsSent ?? 0) > 0, 'the sender counts what it sent on its pair');
});
