import { isIP } from 'node:net';
import { ErrorCode } from '../signaling/protocol.js';
import { createAudio } from './audio/lazy-audio.js';
import type { ClientOptions } from './cli.js';
import { ClientError } from './errors.js';
import type { IceServerPlan } from './ice-servers.js';
import type { Logger } from './log.js';
import { CallNat } from './nat/call-nat.js';
import type { NatExchange } from './nat/exchange.js';
import type { PeerInbox } from './peer-inbox.js';
import { recordFailure, type Report } from './report.js';
import type { Werift } from './call-setup.js';
import { Call } from './session.js';
import { SignalingError, type SignalingClient } from './signaling-client.js';
import type { Deadline } from './wait.js';

/** Builds and runs one Call with everything a call shares with the next. */
export class CallFactory {
  /** Whether `ok` needs audio: the audio hooks say (false until client/audio lands). */
  audioRequired = false;

  constructor(
    private readonly options: ClientOptions,
    private readonly plan: IceServerPlan,
    private readonly werift: Werift,
    private readonly signaling: SignalingClient,
    private readonly log: Logger,
    private readonly abort: AbortSignal,
    private readonly nat: NatExchange,
  ) {}

  async run(report: Report, inbox: PeerInbox, connectDeadline: Deadline, offer?: { type: 'offer'; sdp: string }) {
    const { options, log } = this;
    const audio = createAudio(options, log);
    this.audioRequired = audio.required;
    const nat = new CallNat({
      report,
      options,
      plan: this.plan,
      codec: Promise.resolve(this.werift),
      exchange: this.nat,
      send: (type, data) => this.send(type, data),
      expect: () => ({ messages: options.messages, audioRequired: audio.required }),
      log,
    });
    const call = new Call({
      werift: this.werift,
      options,
      plan: this.plan,
      hostAddresses: loopbackHostAddresses(options.signalingAddr, log),
      ...(offer ? { offer } : {}),
      signal: (type, data) => this.send(type, data),
      audio,
      report,
      log,
      connectDeadline,
      abort: this.abort,
      nat,
    });
    inbox.attach(call, options.peer);
    this.nat.callStarted(report, (data) => this.send('nat', data));
    try {
      const outcome = await call.run();
      if (outcome.error) recordFailure(report, outcome.error);
      await nat.finish(outcome.error?.code === 'peer_left' || outcome.error?.code === 'declined', connectDeadline);
      return outcome;
    } finally {
      this.nat.callEnded();
      inbox.detach();
    }
  }

  private async send(type: string, data: unknown): Promise<void> {
    const { options, log } = this;
    log.debug({ to: options.peer, type, data }, `signal ${type} -> ${options.peer}`);
    try {
      await this.signaling.send(options.peer, type, data);
    } catch (error) {
      if (error instanceof SignalingError && error.code === ErrorCode.peer_not_found) {
        throw new ClientError('peer_left', `${options.peer} is no longer in room ${options.room}`);
      }
      throw error;
    }
  }
}

/**
 * werift gathers no loopback candidates (docs/WERIFT.md, Gathering). When the service is on
 * loopback the peers are on this host, so 127.0.0.1 is worth offering: it
 * makes the demo work on a machine whose only interface is lo.
 */
function loopbackHostAddresses(signalingAddr: string, log: Logger): string[] | undefined {
  const host = new URL(signalingAddr).hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';
  if (!loopback) return undefined;
  log.debug('the service is on loopback: gathering on 127.0.0.1 too');
  return ['127.0.0.1'];
}
