import t from 'tap';
import { routeCandidate } from '../../client/candidate-route.js';

/** An offer laid out like pion's and browsers': audio first, then the data channel, one BUNDLE group. */
const sdp = (bundle = '0 1'): string =>
  [
    'v=0',
    'o=- 1 2 IN IP4 0.0.0.0',
    's=-',
    't=0 0',
    `a=group:BUNDLE ${bundle}`,
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'c=IN IP4 0.0.0.0',
    'a=mid:0',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    'a=mid:1',
    '',
  ].join('\r\n');

const candidate = 'candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host';

t.test('a mid the description has is kept as it is', async (t) => {
  const init = { candidate, sdpMid: '1', sdpMLineIndex: 0 };
  t.equal(routeCandidate(init, sdp()), init);
});

t.test("pion's empty sdpMid falls back to sdpMLineIndex", async (t) => {
  // Exactly what pion v3's ICECandidate.ToJSON() marshals.
  const pion = { candidate, sdpMid: '', sdpMLineIndex: 0, usernameFragment: null };
  t.same(routeCandidate(pion, sdp()), { candidate, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null });
  t.same(routeCandidate({ candidate, sdpMid: '', sdpMLineIndex: 1 }, sdp()), {
    candidate,
    sdpMid: '1',
    sdpMLineIndex: 1,
  });
});

t.test('an unknown sdpMid falls back to sdpMLineIndex', async (t) => {
  t.same(routeCandidate({ candidate, sdpMid: 'audio', sdpMLineIndex: 1 }, sdp()), {
    candidate,
    sdpMid: '1',
    sdpMLineIndex: 1,
  });
});

t.test('neither usable: the first bundled media section', async (t) => {
  for (const init of [
    { candidate },
    { candidate, sdpMid: null, sdpMLineIndex: null },
    { candidate, sdpMid: '', sdpMLineIndex: 7 },
    { candidate, sdpMid: 'x', sdpMLineIndex: -1 },
    { candidate, sdpMid: '', sdpMLineIndex: 0.5 },
  ]) {
    t.same(routeCandidate(init, sdp()), { ...init, sdpMid: '0', sdpMLineIndex: 0 }, JSON.stringify(init));
    t.same(routeCandidate(init, sdp('1 0')), { ...init, sdpMid: '1', sdpMLineIndex: 1 }, 'BUNDLE names mid 1 first');
  }
  t.same(
    routeCandidate({ candidate }, sdp('9')),
    { candidate, sdpMid: '0', sdpMLineIndex: 0 },
    'a BUNDLE group naming no section: the first section',
  );
});

t.test('no remote description, or one without media: left to werift', async (t) => {
  const init = { candidate, sdpMid: '' };
  t.equal(routeCandidate(init, undefined), init);
  t.equal(routeCandidate(init, 'v=0\r\ns=-\r\n'), init);
});

t.test("werift refuses pion's candidate as sent, and takes it once routed", async (t) => {
  const { RTCPeerConnection } = await import('werift');
  const offerer = new RTCPeerConnection({ iceServers: [] });
  const answerer = new RTCPeerConnection({ iceServers: [] });
  t.teardown(async () => {
    await offerer.close();
    await answerer.close();
  });
  offerer.addTransceiver('audio', { direction: 'sendrecv' });
  offerer.createDataChannel('chat');
  await offerer.setLocalDescription(await offerer.createOffer());
  await answerer.setRemoteDescription(offerer.localDescription!);
  const remoteSdp = answerer.remoteDescription?.sdp;

  const pion = { candidate, sdpMid: '', sdpMLineIndex: 0, usernameFragment: null };
  await t.rejects(answerer.addIceCandidate(pion), /Media section for sdpMid was not found/, 'the bug, as sent');
  await t.resolves(answerer.addIceCandidate(routeCandidate(pion, remoteSdp)), 'routed by index');
  await t.resolves(
    answerer.addIceCandidate(routeCandidate({ candidate: candidate.replace('50000', '50001') }, remoteSdp)),
    'no mid, no index: the first bundled section',
  );
  t.match(
    answerer.remoteDescription?.sdp,
    /127\.0\.0\.1 50000 typ host/,
    'the candidate reached the remote description',
  );
});
