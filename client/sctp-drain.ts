import { setTimeout as sleep } from 'node:timers/promises';
import type { RTCPeerConnection } from 'werift';

/** werift's SCTP association: what it has not sent yet, and what the peer has not acknowledged. */
interface SctpQueues {
  outboundQueue: readonly unknown[];
  /** Private in werift's types, a plain field at run time. */
  sentQueue?: readonly unknown[];
}

/**
 * Waits until the peer's SCTP has acknowledged every data-channel message we
 * sent, or `ms` have passed; says which. werift's close sends an ABORT and
 * drops whatever is unacknowledged, so a side that hangs up right after its
 * last message loses that message whenever the path lost its first copy: on
 * a lossy path the peer then missed our `done` (docs/WERIFT.md).
 */
export async function dataAcknowledged(pc: RTCPeerConnection, ms: number): Promise<boolean> {
  const sctp = pc.sctpTransport?.sctp as unknown as SctpQueues | undefined;
  if (!sctp) return true;
  const pending = (): number => sctp.outboundQueue.length + (sctp.sentQueue?.length ?? 0);
  const deadline = performance.now() + ms;
  while (pending() > 0) {
    if (performance.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}
