import t from 'tap';
import type { RTCPeerConnection as PeerConnection } from 'werift';

/**
 * patches/werift+0.24.4+017+ice-check-retransmissions.patch: a connectivity
 * check is sent 7 times (RFC 5389 §7.2.1's Rc), not 5. werift starts its
 * retransmission timer at 50 ms and doubles it, so 5 transmissions gave up on
 * a pair 1.55 s after its first check: a loss burst of a second while ICE
 * checked failed every pair, and werift then sat in `checking` until the
 * CLI's own deadline called a path that had only lost packets for a second a
 * timeout. With 7, a pair survives a burst of up to ~3 s. Here every STUN
 * packet of both sides is dropped for the first 2 s of ICE.
 */
const { RTCPeerConnection } = await import('werift');

const BLACKOUT_MS = 2_000;

interface StunSender {
  sendStun: (message: unknown, addr: unknown) => Promise<void>;
}

t.test(`ICE connects after ${BLACKOUT_MS / 1000} s in which every check was lost`, async (t) => {
  const offerer = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
  const answerer = new RTCPeerConnection({ iceServers: [] });
  t.teardown(async () => {
    await offerer.close();
    await answerer.close();
  });
  offerer.createDataChannel('chat');
  offerer.onIceCandidate.subscribe((c) => void (c && answerer.addIceCandidate(c)));
  answerer.onIceCandidate.subscribe((c) => void (c && offerer.addIceCandidate(c)));
  let dropping = true;
  let dropped = 0;
  /** Every STUN packet this side sends is lost while `dropping`. */
  const blackout = (pc: PeerConnection): void => {
    // werift's Connection keeps its sockets in `protocols`; its public type does not list them.
    const { protocols } = pc.iceTransports[0]!.connection as unknown as { protocols: StunSender[] };
    for (const protocol of protocols) {
      const send = protocol.sendStun.bind(protocol);
      protocol.sendStun = async (...args: Parameters<typeof send>) => {
        if (dropping) {
          dropped++;
          return;
        }
        await send(...args);
      };
    }
  };
  const settled = (pc: PeerConnection): Promise<string> =>
    new Promise((resolve) => {
      pc.connectionStateChange.subscribe((state) => {
        if (state === 'connected' || state === 'failed') resolve(state);
      });
    });
  const both = Promise.all([settled(offerer), settled(answerer)]);

  await offerer.setLocalDescription(await offerer.createOffer());
  blackout(offerer);
  await answerer.setRemoteDescription(offerer.localDescription!);
  await answerer.setLocalDescription(await answerer.createAnswer());
  blackout(answerer);
  const lifted = setTimeout(() => (dropping = false), BLACKOUT_MS);
  t.teardown(() => clearTimeout(lifted));
  await offerer.setRemoteDescription(answerer.localDescription!);

  // Without the patch werift never says failed: it sits in checking. 15 s is far past the 3.2 s of 7 checks.
  let guard: NodeJS.Timeout | undefined;
  const stuck = new Promise<string[]>((resolve) => {
    guard = setTimeout(() => resolve(['still checking after 15 s']), 15_000);
  });
  const states = await Promise.race([both, stuck]).finally(() => clearTimeout(guard));
  t.ok(dropped > 0, `${dropped} STUN packets were lost`);
  t.same(states, ['connected', 'connected'], 'both sides connected once the checks got through');
});
