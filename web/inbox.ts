/** The messages the poll delivers, taken one at a time by the call's loop, each with a deadline. */
import type { Arrival } from './clock.js';

export class Inbox {
  private readonly queue: Arrival[] = [];
  private wake: (() => void) | undefined;

  push(arrival: Arrival): void {
    this.queue.push(arrival);
    this.poke();
  }

  /** Wakes a waiting next() without a message (something else changed). */
  poke(): void {
    this.wake?.();
    this.wake = undefined;
  }

  /** The next message, or undefined after `ms` (or a poke). */
  async next(ms: number): Promise<Arrival | undefined> {
    if (this.queue.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = window.setTimeout(resolve, Math.max(0, ms));
        this.wake = () => {
          window.clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.queue.shift();
  }
}
