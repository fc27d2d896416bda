/** A remote candidate as the peer signalled it (an RTCIceCandidateInit). */
export interface CandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/**
 * Names, for werift, the media section of the remote description a remote
 * candidate belongs to, as browsers do. werift takes any string `sdpMid` as
 * a mid to look up and refuses the candidate when no section has it; but
 * pion v3's `ICECandidate.ToJSON()` sends `sdpMid: ""` with `sdpMLineIndex: 0`
 * for every candidate, so all of them were refused and ICE failed at once
 * (docs/INTEROP.md). Chromium treats an empty mid as absent and goes by the
 * index. So: a mid the description has is kept; an empty or unknown one falls
 * back to `sdpMLineIndex`; a candidate with neither usable goes to the first
 * bundled media section (the one whose transport every bundled section uses).
 * The routed candidate carries the section's own mid and index.
 */
export function routeCandidate<T extends CandidateInit>(init: T, remoteSdp: string | undefined): T {
  if (remoteSdp === undefined) return init;
  const sections = mediaSections(remoteSdp);
  if (sections.length === 0) return init;
  if (typeof init.sdpMid === 'string' && init.sdpMid !== '' && sections.some((s) => s.mid === init.sdpMid)) return init;
  const index = init.sdpMLineIndex;
  const byIndex = typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < sections.length;
  const target = byIndex ? index : firstBundled(remoteSdp, sections);
  const mid = sections[target]?.mid;
  return { ...init, sdpMid: mid ?? null, sdpMLineIndex: target };
}

interface MediaSection {
  mid: string | undefined;
}

function mediaSections(sdp: string): MediaSection[] {
  return sdp
    .split(/\r?\n(?=m=)/)
    .slice(1)
    .map((section) => ({ mid: /^a=mid:(\S+)/m.exec(section)?.[1] }));
}

/** The index of the first mid of the first BUNDLE group, or 0 without one. */
function firstBundled(sdp: string, sections: MediaSection[]): number {
  const first = /^a=group:BUNDLE[ \t]+(\S+)/m.exec(sdp)?.[1];
  const index = first === undefined ? -1 : sections.findIndex((s) => s.mid === first);
  return index < 0 ? 0 : index;
}
