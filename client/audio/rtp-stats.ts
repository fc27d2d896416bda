/**
 * Receive statistics of one RTP stream, the RFC 3550 way: extended sequence
 * numbers across the 16-bit wrap (A.1), loss as expected minus received (A.3),
 * interarrival jitter with the 1/16 gain (A.8). A jump of the sequence number
 * (more than 3000 ahead or 100 behind) confirmed by the next packet is taken
 * as the source restarting its numbering, as A.1 does, and counting goes on
 * from there. Arrival times are passed in, so the arithmetic is testable with
 * crafted sequences.
 */

export interface RtpStatsSnapshot {
  /** Distinct packets received (duplicates not counted). */
  packets: number;
  /** Expected minus received; late packets that fill a gap take it back. */
  lost: number;
  /** Packets that arrived after a higher sequence number. */
  reordered: number;
  duplicates: number;
  /** Not counted: too old to place, or a stray packet far off the sequence. */
  discarded: number;
  /** Times the sender's sequence numbering jumped and counting restarted from the jump. */
  restarts: number;
  /** Interarrival jitter in milliseconds. */
  jitterMs: number;
  expected: number;
  highestSequence: number | undefined;
}

/** How far back duplicates can be recognised, in packets (~20 s of 20 ms audio). */
const WINDOW = 1024;
/** RFC 3550 A.1's limits: further ahead or behind than this is a jump, not loss or reordering. */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

export class RtpStats {
  private readonly clockRate: number;
  private base: number | undefined; // extended sequence number of the first packet of this run
  private highest = 0; // extended
  private expectedBefore = 0; // packets expected in runs before the last restart
  private received = 0;
  private reordered = 0;
  private duplicates = 0;
  private discarded = 0;
  private restarts = 0;
  private badSequence: number | undefined;
  private readonly seen = new Float64Array(WINDOW).fill(-1);
  private jitter = 0; // in timestamp units
  private lastTransit: number | undefined;

  constructor(clockRate = 48_000) {
    this.clockRate = clockRate;
  }

  /**
   * One packet: its 16-bit sequence number, its 32-bit RTP timestamp, and when it
   * arrived (ms, any monotonic origin). Returns what it was, for logging.
   */
  record(sequence: number, timestamp: number, arrivalMs: number): 'new' | 'reordered' | 'duplicate' | 'late' {
    let extended: number;
    if (this.base === undefined) {
      extended = this.startRun(sequence);
    } else {
      // Signed distance from the highest so far, modulo 2^16: a packet just
      // past the wrap is ahead, one from before the highest is behind.
      const delta = ((((sequence - this.highest) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
      extended = this.highest + delta;
      if (delta > MAX_DROPOUT || delta < -MAX_MISORDER) {
        // A stray packet, or the sender renumbering: only the next packet can tell.
        if ((sequence & 0xffff) !== this.badSequence) {
          this.badSequence = (sequence + 1) & 0xffff;
          this.discarded++;
          return 'late';
        }
        this.expectedBefore += this.highest - (this.base ?? this.highest) + 1;
        this.restarts++;
        extended = this.startRun(sequence);
      } else if (extended < this.base) {
        this.discarded++;
        return 'late';
      }
    }
    const slot = extended % WINDOW;
    if (this.seen[slot] === extended) {
      this.duplicates++;
      return 'duplicate';
    }
    this.seen[slot] = extended;
    this.received++;
    this.updateJitter(timestamp, arrivalMs);
    if (extended < this.highest) {
      this.reordered++;
      return 'reordered';
    }
    this.highest = extended;
    return 'new';
  }

  /** Begin counting at this packet: the first one, or the first after a confirmed jump. */
  private startRun(sequence: number): number {
    const extended = sequence & 0xffff;
    this.base = extended;
    this.highest = extended;
    this.badSequence = undefined;
    this.seen.fill(-1);
    // The new numbering may come with a new timestamp base: no transit to compare with.
    this.lastTransit = undefined;
    return extended;
  }

  private updateJitter(timestamp: number, arrivalMs: number): void {
    // Transit in timestamp units; its absolute value is meaningless (clocks are
    // unrelated), only its change between packets is used. The RTP timestamp is
    // taken as a signed 32-bit difference from the previous one to survive the wrap.
    const arrival = (arrivalMs * this.clockRate) / 1000;
    const transit = arrival - timestamp;
    if (this.lastTransit !== undefined) {
      let d = transit - this.lastTransit;
      // Undo a 2^32 wrap of the RTP timestamp between the two packets.
      if (d > 2 ** 31) d -= 2 ** 32;
      else if (d < -(2 ** 31)) d += 2 ** 32;
      this.jitter += (Math.abs(d) - this.jitter) / 16;
    }
    this.lastTransit = transit;
  }

  snapshot(): RtpStatsSnapshot {
    const expected = this.expectedBefore + (this.base === undefined ? 0 : this.highest - this.base + 1);
    return {
      packets: this.received,
      lost: Math.max(0, expected - this.received),
      reordered: this.reordered,
      duplicates: this.duplicates,
      discarded: this.discarded,
      restarts: this.restarts,
      jitterMs: (this.jitter * 1000) / this.clockRate,
      expected,
      highestSequence: this.base === undefined ? undefined : this.highest & 0xffff,
    };
  }
}
