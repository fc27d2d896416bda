import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './log.js';
import { backoffMs, errorText, SignalingError, type MailboxMessage, type SignalingClient } from './signaling-client.js';

export interface MailboxOptions {
  /** Stops the loop; the poll in flight is abandoned at once. */
  signal: AbortSignal;
  /** How long each poll may be held by the service. */
  pollTimeoutMs: number;
  log: Logger;
}

/**
 * The peer's mailbox as an async iterator: long-polls forever, acknowledging
 * what it has yielded through the `after` cursor, dropping any seq it has
 * already yielded (delivery is at-least-once), backing off while the service
 * is unreachable or failing, and ending when `signal` aborts. A refusal that
 * retrying cannot fix (401: the token expired or we left) is thrown.
 */
export async function* mailbox(
  client: SignalingClient,
  options: MailboxOptions,
): AsyncGenerator<MailboxMessage, void, undefined> {
  const { signal, log } = options;
  let cursor = 0;
  let failures = 0;
  while (!signal.aborted) {
    let messages: MailboxMessage[];
    try {
      messages = await client.poll(cursor, options.pollTimeoutMs, signal);
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof SignalingError && !error.transient) throw error;
      failures += 1;
      const wait =
        error instanceof SignalingError && error.retryAfterMs !== undefined ? error.retryAfterMs : backoffMs(failures);
      const line = `mailbox poll failed (${errorText(error)}); retrying in ${wait} ms`;
      if (failures === 1) log.warn({ err: errorText(error), waitMs: wait }, line);
      else log.debug({ err: errorText(error), waitMs: wait, failures }, line);
      await sleep(wait, undefined, { signal }).catch(() => undefined);
      continue;
    }
    if (failures > 0) log.info({ failures }, 'mailbox reachable again');
    failures = 0;
    for (const message of messages) {
      if (message.seq <= cursor) continue;
      cursor = message.seq;
      yield message;
      if (signal.aborted) return;
    }
  }
}
