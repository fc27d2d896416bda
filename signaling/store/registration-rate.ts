/**
 * The in-memory registration rate: a token bucket per client address,
 * `rate` registrations per second, burst the same. Only registrations that
 * succeed take a token. A bucket that has filled up again is forgotten, so
 * the map holds only addresses seen within about a second.
 */
import { TokenBucket } from './rate-limiter.js';

export class RegistrationRate {
  private readonly buckets = new Map<string, TokenBucket>();

  /** @param rate per second per address; 0 for no limit. */
  constructor(private readonly rate: number) {}

  /** Whole seconds until `client` may register, or 0 when it may now. */
  retryAfterS(client: string | undefined, now: number): number {
    if (this.rate === 0 || client === undefined) return 0;
    return this.buckets.get(client)?.retryAfterS(now) ?? 0;
  }

  take(client: string | undefined, now: number): void {
    if (this.rate === 0 || client === undefined) return;
    let bucket = this.buckets.get(client);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.rate, now);
      this.buckets.set(client, bucket);
    }
    bucket.take(now);
  }

  /** Forgets the buckets that are full again. */
  prune(now: number): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.full(now)) this.buckets.delete(client);
    }
  }
}
