/**
 * Two werift peers in the test's own process, for the tests of the werift
 * patches (test/werift/): made, wired and closed here, so that each test
 * holds only the packets or timers it interferes with.
 */
import type { Test } from 'tap';
import type { RTCDataChannel, RTCPeerConnection } from 'werift';

const werift = await import('werift');

export interface WeriftPair {
  offerer: RTCPeerConnection;
  answerer: RTCPeerConnection;
  /** The offerer's data channel, so that the call has SCTP over DTLS. */
  chat: RTCDataChannel;
  /** Both sides' connection state `connected`; rejects when either says `failed`. */
  connected: Promise<void>;
}

/**
 * An offerer with a data channel and an answerer, closed at the test's end.
 * max-bundle: otherwise werift's offerer gathers a transport per section and
 * leaves the second one's sockets open after close(), which would keep the
 * test's process alive. Candidates trickle unless `trickle` is false (a test
 * that routes them itself).
 */
export function weriftPair(t: Test, options: { trickle?: boolean } = {}): WeriftPair {
  const offerer = new werift.RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
  const answerer = new werift.RTCPeerConnection({ iceServers: [] });
  t.teardown(async () => {
    await offerer.close();
    await answerer.close();
  });
  const chat = offerer.createDataChannel('chat');
  if (options.trickle !== false) {
    offerer.onIceCandidate.subscribe((c) => void (c && answerer.addIceCandidate(c)));
    answerer.onIceCandidate.subscribe((c) => void (c && offerer.addIceCandidate(c)));
  }
  return { offerer, answerer, chat, connected: bothConnected(offerer, answerer) };
}

/** Both connection states `connected`; rejects when either says `failed`. Subscribe before negotiating. */
export function bothConnected(...pcs: RTCPeerConnection[]): Promise<void> {
  const connected = Promise.all(
    pcs.map(
      async (pc) =>
        await new Promise<void>((resolve, reject) => {
          pc.connectionStateChange.subscribe((state) => {
            if (state === 'connected') resolve();
            if (state === 'failed') reject(new Error('failed'));
          });
        }),
    ),
  ).then(() => undefined);
  // A test that stops before connecting must not leave the rejection unhandled.
  connected.catch(() => undefined);
  return connected;
}

/**
 * Offer and answer. `beforeAnswer` runs once both sides have their local
 * description (their transports exist) and before the offerer takes the
 * answer, which starts ICE: where a test puts its hands on either side.
 */
export async function negotiate(pair: WeriftPair, beforeAnswer?: () => void): Promise<void> {
  const { offerer, answerer } = pair;
  await offerer.setLocalDescription(await offerer.createOffer());
  await answerer.setRemoteDescription(offerer.localDescription!);
  await answerer.setLocalDescription(await answerer.createAnswer());
  beforeAnswer?.();
  await offerer.setRemoteDescription(answerer.localDescription!);
}

/** `promise`, or a rejection naming `what` after `ms`: a guard against a hang, not a measure of speed. */
export async function unlessHung<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let guard: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new Error(`${what} in ${ms / 1000} s`)), ms);
  });
  return await Promise.race([promise, hang]).finally(() => clearTimeout(guard));
}
