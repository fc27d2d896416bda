import type * as WeriftModule from 'werift';
import type { AudioHooks } from './audio/types.js';
import type { ClientOptions } from './cli.js';
import type { ClientError } from './errors.js';
import type { IceServerPlan } from './ice-servers.js';
import type { Logger } from './log.js';
import type { CallNatHooks } from './nat/call-nat.js';
import type { Report } from './report.js';
import type { Deadline } from './wait.js';

// What a call is given, and what it comes back with (client/session.ts).

export type Werift = typeof WeriftModule;

export interface CallSetup {
  werift: Werift;
  options: ClientOptions;
  plan: IceServerPlan;
  /** Extra host addresses to gather on (werift skips loopback by default). */
  hostAddresses: string[] | undefined;
  /** The offer, when we are the answerer. */
  offer?: { type: 'offer'; sdp: string };
  /** Sends a message to the peer through the service, in order. */
  signal: (type: 'offer' | 'answer' | 'candidate' | 'bye', data: unknown) => Promise<void>;
  audio: AudioHooks;
  report: Report;
  log: Logger;
  /** Not connected by then: give up (werift has no ICE failure timeout: docs/WERIFT.md, States). */
  connectDeadline: Deadline;
  /** Aborts the call (SIGINT, SIGTERM). */
  abort: AbortSignal;
  /** The verdict's hooks (client/nat/call-nat.ts). */
  nat?: CallNatHooks;
}

export interface CallOutcome {
  /** Did the peer connection reach "connected"? */
  connected: boolean;
  error: ClientError | null;
}
