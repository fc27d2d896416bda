import type { RTCPeerConnection as PeerConnection } from 'werift';

// Shared with bench/remote-candidates.ts, which must not import a test helper.
export { fakeCandidate } from '../../scripts/fake-candidate.js';

/**
 * A real offer for the hostile service to hand the CLI, made by werift in the
 * test's own process (and closed at once: nobody will answer its checks).
 */
export async function makeOffer(): Promise<{ sdp: string; ufrag: string }> {
  const { RTCPeerConnection } = await import('werift');
  const pc: PeerConnection = new RTCPeerConnection({ iceServers: [] });
  pc.createDataChannel('chat');
  await pc.setLocalDescription(await pc.createOffer());
  const sdp = pc.localDescription!.sdp;
  await pc.close();
  return { sdp, ufrag: /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? '' };
}
