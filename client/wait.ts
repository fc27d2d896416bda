import { performance } from 'node:perf_hooks';

/** A wait ran past its deadline. `what` says what we were waiting for. */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
  constructor(
    readonly what: string,
    readonly afterMs: number,
  ) {
    super(`${what}: no result after ${(afterMs / 1000).toFixed(1)} s`);
  }
}

/** A point in time on the process clock (performance.now()). */
export class Deadline {
  readonly at: number;
  private readonly startedAt = performance.now();

  constructor(ms: number) {
    this.at = this.startedAt + ms;
  }

  static never(): Deadline {
    return new Deadline(Number.POSITIVE_INFINITY);
  }

  remainingMs(): number {
    return Math.max(0, this.at - performance.now());
  }

  /**
   * Settles like `promise`, or rejects with DeadlineError at the deadline, or
   * with the signal's reason when it aborts. The timer and the abort listener
   * are removed either way.
   */
  race<T>(promise: Promise<T>, what: string, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const remaining = this.remainingMs();
      const timer = Number.isFinite(remaining)
        ? setTimeout(() => {
            cleanup();
            reject(new DeadlineError(what, performance.now() - this.startedAt));
          }, remaining)
        : undefined;
      const onAbort = (): void => {
        cleanup();
        reject(abortReason(signal));
      };
      const cleanup = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          cleanup();
          resolve(value);
        },
        (error: unknown) => {
          cleanup();
          reject(toError(error, what));
        },
      );
    });
  }
}

export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error(typeof reason === 'string' ? reason : 'aborted');
}

/** werift rejects some promises with strings or undefined: always hand on an Error. */
export function toError(reason: unknown, context: string): Error {
  if (reason instanceof Error) return reason;
  return new Error(`${context}: ${typeof reason === 'string' ? reason : (JSON.stringify(reason) ?? 'unknown error')}`);
}

/** Awaits a werift promise, turning a non-Error rejection into an Error that says what failed. */
export async function settle<T>(promise: Promise<T>, context: string): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw toError(error, context);
  }
}

/** A settle-once promise whose resolve/reject can be handed to handlers. */
export class Latch<T = void> {
  readonly promise: Promise<T>;
  settled = false;
  resolve!: (value: T) => void;
  reject!: (error: Error) => void;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = (value) => {
        if (this.settled) return;
        this.settled = true;
        resolve(value);
      };
      this.reject = (error) => {
        if (this.settled) return;
        this.settled = true;
        reject(error);
      };
    });
    // A latch nobody awaits must not crash the process when it is rejected.
    this.promise.catch(() => undefined);
  }
}

/** Something to undo later: an event subscription, a timer, a listener. */
export type Disposer = () => void;

/** Collects disposers and runs each exactly once. */
export class Disposables {
  private readonly disposers: Disposer[] = [];

  add(disposer: Disposer): void {
    this.disposers.push(disposer);
  }

  /** For werift `Event.subscribe()` results. */
  subscription(sub: { unSubscribe: () => void }): void {
    this.add(() => sub.unSubscribe());
  }

  interval(fn: () => void, ms: number): void {
    const timer = setInterval(fn, ms);
    this.add(() => clearInterval(timer));
  }

  dispose(): void {
    for (const dispose of this.disposers.splice(0).reverse()) {
      try {
        dispose();
      } catch {
        // Disposing must go on: one failing unsubscribe should not leak the rest.
      }
    }
  }
}
