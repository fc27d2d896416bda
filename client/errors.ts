/**
 * Why a run ended badly: a stable code (the report's `error.code`), the exit
 * code CLI.md gives it, and a sentence for people. Callers branch on `code`.
 */
export const FAILURES = {
  bad_flags: { exit: 2, summary: 'bad flags or arguments' },
  no_turn_server: { exit: 2, summary: '--relay-only without a TURN server' },
  signaling_unreachable: { exit: 3, summary: 'the signaling service was unreachable' },
  signaling_refused: { exit: 3, summary: 'the signaling service refused us' },
  signaling_protocol: { exit: 3, summary: 'the signaling service answered something that is not this protocol' },
  name_taken: { exit: 3, summary: 'another live peer holds our name' },
  timeout: { exit: 4, summary: 'not connected before --timeout-s' },
  ice_failed: { exit: 4, summary: 'ICE failed' },
  dtls_failed: { exit: 4, summary: 'DTLS failed' },
  declined: { exit: 5, summary: 'the other side declined the call' },
  peer_left: { exit: 1, summary: 'the peer left before the exchange completed' },
  peer_silent: { exit: 1, summary: 'the peer went silent' },
  incomplete: { exit: 1, summary: 'the exchange was incomplete' },
  interrupted: { exit: 130, summary: 'interrupted' },
  terminated: { exit: 143, summary: 'terminated' },
} as const satisfies Record<string, { exit: number; summary: string }>;

export type FailureCode = keyof typeof FAILURES;

export class ClientError extends Error {
  override name = 'ClientError';
  constructor(
    readonly code: FailureCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The abort reasons main() uses for signals. */
export const interrupted = (signal: NodeJS.Signals): ClientError =>
  signal === 'SIGINT'
    ? new ClientError('interrupted', 'interrupted (SIGINT): leaving the room')
    : new ClientError('terminated', `terminated (${signal}): leaving the room`);
