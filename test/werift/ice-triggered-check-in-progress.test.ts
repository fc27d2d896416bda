import t from 'tap';
import type { RTCPeerConnection as PeerConnection } from 'werift';
import { bothConnected, unlessHung } from '../helpers/werift-pair.js';

/**
 * patches/werift+0.24.4+016+ice-triggered-check-in-progress.patch: a check
 * that arrives for a pair whose own check is still in progress makes a new
 * check at once (RFC 8445 §7.3.1.4). werift made one only for a Waiting or
 * Failed pair. So when our checks were all lost before the path opened (a
 * TURN permission or a NAT binding that the peer's first packet creates) and
 * the peer's check came while our transaction waited out its last timeout,
 * nothing checked the pair again: the peer's check succeeded, ours failed,
 * and the controlling side, with no pair of its own that worked, never
 * nominated (the NAT lab's udpblock × easy cell once ended so).
 *
 * Here the offerer's packets are lost until the answerer has sent a check
 * (the peer's packet opens the path, as a permission does), and the answerer
 * learns the offerer's candidates only once every first check of the offerer
 * has made its last transmission.
 */
const { RTCIceCandidate } = await import('werift');

/** The parts of werift's ICE Connection this drives (its public type does not list them). */
interface Transaction {
  tries: number;
  triesMax: number;
}
interface Protocol {
  sendStun: (message: { messageClass: number }, addr: unknown) => Promise<void>;
  transactions: Record<string, Transaction>;
}
const REQUEST = 0;

const protocolsOf = (pc: PeerConnection): Protocol[] =>
  (pc.iceTransports[0]!.connection as unknown as { protocols: Protocol[] }).protocols;

t.test('a check that arrives while ours waits out its last timeout makes a new check', async (t) => {
  const offerer = new (await import('werift')).RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
  const answerer = new (await import('werift')).RTCPeerConnection({ iceServers: [] });
  t.teardown(async () => {
    await offerer.close();
    await answerer.close();
  });
  offerer.createDataChannel('chat');
  answerer.onIceCandidate.subscribe((c) => void (c && offerer.addIceCandidate(c)));
  const connected = bothConnected(offerer, answerer);

  await offerer.setLocalDescription(await offerer.createOffer());
  const offer = offerer.localDescription!;
  const candidateLines = offer.sdp.split('\r\n').filter((line) => line.startsWith('a=candidate:'));
  t.ok(candidateLines.length > 0, 'the offer carries its host candidates');
  // The answerer starts without them: it checks nothing until they are released.
  const bare = offer.sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
    .join('\r\n');
  await answerer.setRemoteDescription({ type: 'offer', sdp: bare });
  await answerer.setLocalDescription(await answerer.createAnswer());

  let open = false;
  let lost = 0;
  for (const protocol of protocolsOf(offerer)) {
    const send = protocol.sendStun.bind(protocol);
    protocol.sendStun = async (message, addr) => {
      if (!open) {
        lost++;
        return;
      }
      await send(message, addr);
    };
  }
  for (const protocol of protocolsOf(answerer)) {
    const send = protocol.sendStun.bind(protocol);
    protocol.sendStun = async (message, addr) => {
      if (message.messageClass === REQUEST) open = true;
      await send(message, addr);
    };
  }

  await offerer.setRemoteDescription(answerer.localDescription!);
  // Wait until the offerer's first checks are all in their last wait: every transmission spent.
  const inLastWait = (): boolean => {
    const transactions = protocolsOf(offerer).flatMap((p) => Object.values(p.transactions));
    return transactions.length > 0 && transactions.every((x) => x.tries === x.triesMax - 1);
  };
  await unlessHung(
    new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (!inLastWait()) return;
        clearInterval(timer);
        resolve();
      }, 5);
    }),
    15_000,
    "the offerer's checks never reached their last transmission",
  );
  for (const line of candidateLines) {
    await answerer.addIceCandidate(new RTCIceCandidate({ candidate: line.slice(2), sdpMid: '0', sdpMLineIndex: 0 }));
  }

  t.ok(lost > 0, `${lost} of the offerer's STUN packets were lost before the answerer's first check`);
  // Without the patch werift never says failed: the offerer sits in checking with every pair failed.
  await unlessHung(connected, 15_000, 'not connected');
  t.pass('both sides connected');
});
