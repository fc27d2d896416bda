import type { Logger } from './log.js';

/**
 * The most remote candidates one call accepts. werift's work per added
 * candidate grows with the candidates it already has (it re-sorts the whole
 * checklist and re-serialises the remote SDP each time): measured on this
 * project's machines (bench/remote-candidates.ts), the first 200 cost ~30 ms
 * in all, while 3,000 cost ~2.3 s and 10,000 ~30 s, with the event loop
 * blocked, so no deadline can fire. A real peer has a handful: one host
 * candidate per interface and protocol, a srflx per STUN server, a relay per
 * TURN server and protocol; even a host with many interfaces and both IP
 * versions stays well under 50. 200 leaves room for that four times over.
 */
export const MAX_REMOTE_CANDIDATES = 200;

/**
 * Counts one call's remote candidates and refuses those past the cap. The end
 * of candidates (null) always passes. Dropping is said once, with the count,
 * after the batch that overflowed has been read (a single poll can carry
 * thousands); more dropped later are counted in one line when the call ends.
 */
export class CandidateCap {
  private admitted = 0;
  private dropped = 0;
  private told = 0;
  private telling = false;

  constructor(
    private readonly log: Logger,
    private readonly from: string,
    readonly limit = MAX_REMOTE_CANDIDATES,
  ) {}

  /** Whether this candidate may go to the call. */
  admit(data: unknown): boolean {
    if (data === null) return true;
    if (this.admitted < this.limit) {
      this.admitted += 1;
      return true;
    }
    this.dropped += 1;
    if (this.told === 0 && !this.telling) {
      this.telling = true;
      setImmediate(() => this.tell());
    }
    return false;
  }

  /** The call ended: says what was dropped since the last line, if anything. */
  close(): void {
    if (this.dropped > this.told) this.tell();
  }

  private tell(): void {
    this.telling = false;
    const fresh = this.dropped - this.told;
    this.told = this.dropped;
    this.log.warn(
      { dropped: fresh, limit: this.limit },
      `${this.from} sent more than ${this.limit} candidates in this call: ignored ${fresh} of them${this.told > fresh ? ` (${this.told} in all)` : ''}`,
    );
  }
}
