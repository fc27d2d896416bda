import t, { type Test } from 'tap';
import type { RTCPeerConnection as PeerConnection } from 'werift';
import { bothConnected, unlessHung } from '../helpers/werift-pair.js';

/**
 * patches/werift+0.24.4+003+bundle-ice-from-tag.patch: with BUNDLE, the shared
 * transport takes its remote ICE parameters and candidates from the first
 * m-section, not from each section in turn. aiortc's offers give every section
 * its own ufrag and password (and its own candidates) until BUNDLE is agreed;
 * werift used the last section's (and, seeing a second ufrag, restarted ICE
 * halfway through setRemoteDescription), so it checked aiortc's bundled
 * transport with credentials that transport does not have: every call with an
 * aiortc offerer sat in `checking` until the timeout (docs/INTEROP.md).
 */
const { RTCPeerConnection } = await import('werift');

const ufragOf = (section: string): string | undefined => /^a=ice-ufrag:(\S+)/m.exec(section)?.[1];

/** The offer with its second m-section given other ICE credentials, as aiortc lays out its offers. */
function perSectionCredentials(sdp: string): string {
  const [head = '', first = '', ...rest] = sdp.split(/(?=^m=)/m);
  const others = rest.map((section) =>
    section
      .replace(/^a=ice-ufrag:\S+/m, 'a=ice-ufrag:aiortcLike')
      .replace(/^a=ice-pwd:\S+/m, 'a=ice-pwd:aiortcLikeSecondSectionPwd'),
  );
  return [head, first, ...others].join('');
}

function pair(t: Test): { offerer: PeerConnection; answerer: PeerConnection } {
  // max-bundle: otherwise werift's offerer gathers a transport per section and leaves the
  // second one's sockets open after close(), which would keep this test's process alive.
  const offerer = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
  const answerer = new RTCPeerConnection({ iceServers: [] });
  t.teardown(async () => {
    await offerer.close();
    await answerer.close();
  });
  offerer.addTransceiver('audio', { direction: 'sendrecv' });
  offerer.createDataChannel('chat');
  return { offerer, answerer };
}

t.test("the bundled transport keeps the first section's ICE credentials", async (t) => {
  const { offerer, answerer } = pair(t);
  await offerer.setLocalDescription(await offerer.createOffer());
  const sdp = perSectionCredentials(offerer.localDescription!.sdp);
  const sections = sdp.split(/(?=^m=)/m).slice(1);
  t.equal(sections.length, 2, 'audio and the data channel');
  t.not(ufragOf(sections[0]!), ufragOf(sections[1]!), 'the sections carry different credentials');

  await answerer.setRemoteDescription({ type: 'offer', sdp });
  t.equal(answerer.iceTransports.length, 1, 'one bundled transport');
  t.equal(answerer.iceTransports[0]?.connection.remoteUsername, ufragOf(sections[0]!), "the first section's ufrag");
});

t.test('and the call connects on it', async (t) => {
  const { offerer, answerer } = pair(t);
  // Only the first section's candidates, as aiortc: its other sections' transports go once BUNDLE is agreed.
  offerer.onIceCandidate.subscribe((c) => void (c?.sdpMid === '0' && answerer.addIceCandidate(c)));
  answerer.onIceCandidate.subscribe((c) => void (c && offerer.addIceCandidate(c)));
  const both = bothConnected(offerer, answerer);
  await offerer.setLocalDescription(await offerer.createOffer());
  await answerer.setRemoteDescription({ type: 'offer', sdp: perSectionCredentials(offerer.localDescription!.sdp) });
  await answerer.setLocalDescription(await answerer.createAnswer());
  await offerer.setRemoteDescription(answerer.localDescription!);
  // ICE on loopback takes well under a second.
  await t.resolves(unlessHung(both, 30_000, 'not connected'), 'both sides connected');
});
