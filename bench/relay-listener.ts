/**
 * A peer's receive loop, the way a real client runs it: one poll held at all
 * times, the next one asked for as soon as the last one answers.
 */
import type { RelayPeer } from './relay-client.js';

export interface Listener {
  /** Never resolves; rejects when a poll fails (a stopped loop stays pending). */
  readonly failure: Promise<never>;
  stop: () => Promise<void>;
}

export function listen(peer: RelayPeer, onData: (data: unknown) => void, holdMs = 30_000): Listener {
  const controller = new AbortController();
  const done = (async () => {
    while (!controller.signal.aborted) {
      let batch: unknown[];
      try {
        batch = await peer.receive(holdMs, controller.signal);
      } catch (error) {
        if (controller.signal.aborted) return;
        throw new Error(`${peer.name}: poll failed`, { cause: error });
      }
      for (const data of batch) onData(data);
    }
  })();
  const failure = done.then(() => new Promise<never>(() => {}));
  failure.catch(() => {}); // surfaced through within(), never as an unhandled rejection
  return {
    failure,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

/** A promise that rejects with the first error reported to `fail`. */
export function failureSink(): { failure: Promise<never>; fail: (error: unknown) => void } {
  let fail: (error: unknown) => void = () => {};
  const failure = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failure.catch(() => {});
  return { failure, fail };
}

/** Resolves with work, unless one of the failures rejects first or ms pass. */
export async function within<T>(
  work: Promise<T>,
  failures: ReadonlyArray<Promise<never>>,
  ms: number,
  what: string,
): Promise<T> {
  work.catch(() => {}); // a lost race must not become an unhandled rejection
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout, ...failures]);
  } finally {
    clearTimeout(timer);
  }
}
