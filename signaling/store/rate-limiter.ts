/**
 * A token bucket per sender: `rate` messages per second, burst the same.
 * Only accepted sends take a token, so refused sends do not use up rate.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.tokens = rate;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.rate, this.tokens + (elapsed * this.rate) / 1000);
    this.updatedAt = now;
  }

  /** Whole seconds until a token is available, or 0 when one is. */
  retryAfterS(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - this.tokens) / this.rate));
  }

  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }
}
