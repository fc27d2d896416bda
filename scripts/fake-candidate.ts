/**
 * The i-th of many distinct host candidates. All on 127.1.x.y port 9
 * (discard): loopback, so the checks werift sends to them never leave the
 * host, and nothing is expected to listen there. For the hostile-service test
 * (a flood of candidates) and bench/remote-candidates.ts (what each one costs).
 */
export function fakeCandidate(i: number): { candidate: string; sdpMid: string; sdpMLineIndex: number } {
  const address = `127.1.${(i >> 8) & 255}.${(i & 255) + 1}`;
  return {
    candidate: `candidate:${i + 1} 1 udp ${2_130_706_431 - i} ${address} 9 typ host`,
    sdpMid: '0',
    sdpMLineIndex: 0,
  };
}
