import { ClientError } from './errors.js';
import type { Report } from './report.js';
import { DeadlineError, toError } from './wait.js';

/**
 * A bye with one of these reasons before connecting: the peer failed and will
 * not call again. We send the same reasons when we fail that way.
 */
export const GAVE_UP: ReadonlySet<string> = new Set(['ice_failed', 'dtls_failed', 'timeout']);

/** Where the call stood when it ended. */
export interface CallState {
  connected: boolean;
  timeoutS: number;
  states: Report['states'];
}

/** Maps whatever ended the call to a ClientError (first reason wins). */
export function classifyFailure(error: unknown, call: CallState): ClientError {
  if (error instanceof ClientError) return error;
  if (error instanceof DeadlineError) {
    const { states } = call;
    if (!call.connected) {
      return new ClientError(
        'timeout',
        `not connected after ${call.timeoutS} s (${error.what}; ICE ${states.ice}, DTLS ${states.dtls})`,
      );
    }
    return new ClientError('incomplete', `${error.what} did not finish in time`);
  }
  return new ClientError(call.connected ? 'incomplete' : 'ice_failed', toError(error, 'call').message, {
    cause: error,
  });
}
