import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '../signaling/protocol.js';
import { redactUrl } from '../signaling/redact.js';
import type { ClientOptions } from './cli.js';
import { ClientError } from './errors.js';
import type { Logger } from './log.js';
import {
  backoffMs,
  errorText,
  SignalingError,
  SignalingProtocolError,
  SignalingUnreachableError,
  type Registration,
  type SignalingClient,
} from './signaling-client.js';
import { abortReason } from './wait.js';

/** How long an unreachable service is retried (CLI.md: up to 10 s, less with a shorter --timeout-s). */
export const UNREACHABLE_RETRY_MS = 10_000;

/** The least time one registration attempt gets, however little of the retry time is left. */
const MIN_ATTEMPT_MS = 250;

/** Registers, retrying an unreachable or busy service and a name that is still held. */
export async function register(
  signaling: SignalingClient,
  options: ClientOptions,
  log: Logger,
  abort: AbortSignal,
): Promise<Registration> {
  const started = Date.now();
  const unreachableFor = Math.min(UNREACHABLE_RETRY_MS, options.timeoutS * 1000);
  let takenUntil: number | undefined;
  for (let attempt = 1; ; attempt++) {
    if (abort.aborted) throw abortReason(abort);
    try {
      // A service that accepts the connection and never answers must not hold us past our time.
      const timeoutMs = Math.max(MIN_ATTEMPT_MS, started + unreachableFor - Date.now());
      return await signaling.register(
        options.room,
        options.id,
        { role: options.role, agent: 'webrtc-lab client (werift)' },
        { timeoutMs },
      );
    } catch (error) {
      if (abort.aborted) throw abortReason(abort);
      let wait: number;
      if (error instanceof SignalingProtocolError) {
        // Not worth retrying: whatever answers there (a captive portal, another program) is not our service.
        throw new ClientError(
          'signaling_protocol',
          `the service at ${redactUrl(options.signalingAddr)} answered something that is not this protocol (${error.status}, ${error.contentType || 'no content-type'}, ${error.bytes} bytes: ${error.preview})`,
          { cause: error },
        );
      }
      if (error instanceof SignalingUnreachableError || (error instanceof SignalingError && error.transient)) {
        if (Date.now() - started >= unreachableFor) {
          throw new ClientError(
            'signaling_unreachable',
            `${redactUrl(options.signalingAddr)} did not let us register within ${unreachableFor / 1000} s: ${errorText(error)}`,
          );
        }
        wait = backoffMs(attempt);
        const line = `signaling service ${redactUrl(options.signalingAddr)} not answering (${errorText(error)}); retrying`;
        if (attempt === 1) log.warn(line);
        else log.debug(line);
      } else if (error instanceof SignalingError && error.code === ErrorCode.name_taken) {
        const holderLeaseMs = error.retryAfterMs ?? 1000;
        if (takenUntil === undefined) {
          takenUntil = Date.now() + holderLeaseMs + 1000;
          log.warn(
            `the name ${options.id} is held by a live peer in room ${options.room}; its lease ends within ${holderLeaseMs} ms unless it keeps polling: retrying until then`,
          );
        }
        if (Date.now() >= takenUntil) {
          throw new ClientError(
            'name_taken',
            `the name ${options.id} is still held by a live peer in room ${options.room}: choose another --id`,
          );
        }
        wait = Math.min(1000, Math.max(100, takenUntil - Date.now()));
      } else if (error instanceof SignalingError) {
        const hint =
          error.status === 401 ? (options.apiKey ? ' (wrong --api-key?)' : ' (the service needs --api-key)') : '';
        throw new ClientError(
          'signaling_refused',
          `${redactUrl(options.signalingAddr)} refused to register us: ${error.status} ${error.code}: ${error.message}${hint}`,
        );
      } else {
        throw error;
      }
      await sleep(wait, undefined, { signal: abort }).catch(() => undefined);
    }
  }
}
