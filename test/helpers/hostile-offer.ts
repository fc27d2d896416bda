import type { RTCPeerConnection as PeerConnection } from 'werift';

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

/**
 * The i-th of many distinct host candidates. All on 127.1.x.y port 9
 * (discard): loopback, so the checks werift sends to them never leave the
 * host, and nothing is expected to listen there.
 */
export function fakeCandidate(i: number): { candidate: string; sdpMid: string; sdpMLineIndex: number } {
  const address = `127.1.${(i >> 8) & 255}.${(i & 255) + 1}`;
  return {
    candidate: `candidate:${i + 1} 1 udp ${2_130_706_431 - i} ${address} 9 typ host`,
    sdpMid: '0',
    sdpMLineIndex: 0,
  };
}
