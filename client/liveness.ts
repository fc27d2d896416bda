import { performance } from 'node:perf_hooks';
import { ClientError } from './errors.js';
import type { Disposables } from './wait.js';

/** 5 s without a chat message or an RTP packet ends the call (CLI.md). */
export const SILENCE_LIMIT_MS = 5_000;

/** Ends a call whose peer has gone silent before the exchange completed. */
export class Liveness {
  private lastSignOfLife = 0;

  constructor(
    private readonly call: {
      peer: string;
      /** Has the exchange completed? Then silence is expected. */
      complete: () => boolean;
      fail: (error: ClientError) => void;
    },
  ) {}

  /** A chat message or an RTP packet from the peer. */
  signOfLife(): void {
    this.lastSignOfLife = performance.now();
  }

  /** Counts silence from now on, checking twice a second. */
  watch(disposables: Disposables): void {
    this.signOfLife();
    disposables.interval(() => this.check(), 500);
  }

  private check(): void {
    const silentMs = performance.now() - this.lastSignOfLife;
    if (silentMs > SILENCE_LIMIT_MS && !this.call.complete()) {
      this.call.fail(
        new ClientError(
          'peer_silent',
          `nothing from ${this.call.peer} for ${(silentMs / 1000).toFixed(1)} s: it is gone`,
        ),
      );
    }
  }
}
