/**
 * A token bucket: `rate` tokens per second, burst the same. Only accepted
 * requests take a token, so refused ones do not use up rate.
 *
 * Tokens are counted in thousandths, as whole numbers: with whole-millisecond
 * clocks a refill adds `elapsed * rate` thousandths exactly, so this bucket and
 * the Redis store's (redis-lua.ts) reach the same decision at every instant,
 * however the refills fall, and no float drift lets 0.3 + 0.7 fall short of 1.
 */
export class TokenBucket {
  private milli: number;
  private updatedAt: number;

  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.milli = rate * 1000;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.milli = Math.min(this.rate * 1000, this.milli + Math.round(elapsed * this.rate));
    this.updatedAt = now;
  }

  /** Whole seconds until a token is available, or 0 when one is. */
  retryAfterS(now: number): number {
    this.refill(now);
    if (this.milli >= 1000) return 0;
    return Math.max(1, Math.ceil((1000 - this.milli) / (1000 * this.rate)));
  }

  /** Whether the bucket has refilled to its burst, i.e. is as good as new. */
  full(now: number): boolean {
    this.refill(now);
    return this.milli >= this.rate * 1000;
  }

  take(now: number): void {
    this.refill(now);
    this.milli -= 1000;
  }
}
