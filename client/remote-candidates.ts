import type { RTCPeerConnection } from 'werift';
import { routeCandidate, type CandidateInit } from './candidate-route.js';
import type { IceWatch } from './ice-watch.js';
import type { Logger } from './log.js';
import { isCandidateInit } from './peer-messages.js';
import { settle, toError } from './wait.js';

/**
 * The peer's candidates for one call, on their way into werift: checked,
 * recorded, held until the remote description is set, those of an earlier
 * call dropped, each routed to its media section. `null` is the peer's end of
 * candidates.
 */
export class RemoteCandidates {
  private readonly buffered: (CandidateInit | null)[] = [];
  private remoteUfrag: string | undefined;
  private remoteDescriptionSet = false;

  constructor(
    private readonly log: Logger,
    private readonly ice: IceWatch,
    /** The call's connection, until it closes. */
    private readonly pc: () => RTCPeerConnection | undefined,
  ) {}

  /** A candidate message from the peer. */
  receive(data: unknown): void {
    if (data !== null && !isCandidateInit(data)) {
      this.log.warn({ data }, 'ignored a malformed candidate message');
      return;
    }
    this.ice.remoteCandidate(data === null ? null : data.candidate);
    // Buffered until the remote description is set: werift would too, but this way it is ours to see.
    if (this.remoteDescriptionSet) void this.add(data);
    else this.buffered.push(data);
  }

  /** The remote description `sdp` is set: the candidates held so far go in. */
  async described(sdp: string): Promise<void> {
    this.remoteUfrag = /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
    this.remoteDescriptionSet = true;
    for (const candidate of this.buffered.splice(0)) await this.add(candidate);
  }

  private async add(data: CandidateInit | null): Promise<void> {
    const pc = this.pc();
    if (!pc) return;
    if (data !== null) {
      const ufrag = data.usernameFragment;
      if (typeof ufrag === 'string' && this.remoteUfrag !== undefined && ufrag !== this.remoteUfrag) {
        this.log.debug({ ufrag }, 'dropped a candidate of an earlier call');
        return;
      }
    }
    try {
      // An empty or unknown sdpMid (pion's) is routed by index, as browsers do.
      const routed = data === null ? null : routeCandidate(data, pc.remoteDescription?.sdp);
      await settle(pc.addIceCandidate(routed), 'addIceCandidate');
    } catch (error) {
      this.log.warn(`addIceCandidate failed: ${toError(error, 'addIceCandidate').message}`);
    }
  }
}
