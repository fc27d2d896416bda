import { performance } from 'node:perf_hooks';
import type {
  RTCDataChannel,
  RTCIceCandidate,
  RTCPeerConnection,
  RTCRtpTransceiver,
  RTCSessionDescription,
} from 'werift';
import { OPUS, type AudioHooks } from './audio/types.js';
import type { ClientOptions } from './cli.js';
import { routeCandidate } from './candidate-route.js';
import { ChatExchange } from './datachannel.js';
import { EarlyMessages } from './early-messages.js';
import { dataAcknowledged } from './sctp-drain.js';
import { ClientError } from './errors.js';
import { IceWatch } from './ice-watch.js';
import type { IceServerPlan } from './ice-servers.js';
import type { Logger } from './log.js';
import type { CallNatHooks } from './nat/call-nat.js';
import type { Report } from './report.js';
import type * as WeriftModule from 'werift';
import { Deadline, DeadlineError, Disposables, Latch, toError, settle } from './wait.js';

export type Werift = typeof WeriftModule;

/** What the peer sent us through the service during this call. */
export type PeerEvent =
  | { kind: 'answer'; data: unknown }
  | { kind: 'candidate'; data: unknown }
  | { kind: 'bye'; reason: string }
  | { kind: 'left'; reason: string };

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
  /** Not connected by then: give up (werift has no ICE failure timeout, trap 4). */
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

/** 5 s without a chat message or an RTP packet ends the call (CLI.md). */
export const SILENCE_LIMIT_MS = 5_000;
/** After the peer's bye, how long its last data-channel messages may take to arrive. */
const PEER_GONE_GRACE_MS = 1_000;
/** A bye with one of these reasons before connecting: the peer failed and will not call again. */
const GAVE_UP: ReadonlySet<string> = new Set(['ice_failed', 'dtls_failed', 'timeout']);
/** After our bye, how long we wait for the peer's before closing anyway. */
const LINGER_MS = 2_000;

/**
 * One call: one RTCPeerConnection from configuration to close, in the order
 * of pion's pion-to-pion example. Messages from the peer arrive through
 * `deliver()` while `run()` walks the steps.
 */
export class Call {
  private readonly disposables = new Disposables();
  private readonly remoteCandidates: unknown[] = [];
  private remoteUfrag: string | undefined;
  private remoteDescriptionSet = false;
  private readonly answer = new Latch<{ type: 'answer'; sdp: string }>();
  /** Rejects with the first reason the call cannot go on. */
  private readonly failure = new Latch<never>();
  private readonly connected = new Latch();
  private readonly peerBye = new Latch();
  private exchangeComplete = false;
  /** The peer hung up with a failure as its bye's reason: the peer-left that follows changes nothing. */
  private peerGaveUp = false;
  private isConnected = false;
  private lastSignOfLife = 0;
  private pc: RTCPeerConnection | undefined;
  /** setLocalDescription, which resolves when gathering ends and ICE has been started. */
  private settingLocal: Promise<unknown> | undefined;
  private readonly ice: IceWatch;

  constructor(private readonly setup: CallSetup) {
    this.ice = new IceWatch({
      ...setup,
      disposables: this.disposables,
      fail: (error) => this.fail(error),
      onConnected: () => {
        this.isConnected = true;
        this.connected.resolve();
      },
    });
  }

  /** A message from the peer, routed here by the mailbox loop. */
  deliver(event: PeerEvent): void {
    const { log } = this.setup;
    switch (event.kind) {
      case 'answer':
        if (isDescription(event.data, 'answer')) this.answer.resolve(event.data);
        else log.warn('ignored an answer without an SDP');
        return;
      case 'candidate':
        this.onRemoteCandidate(event.data);
        return;
      case 'bye':
      case 'left':
        this.peerBye.resolve();
        if (this.exchangeComplete || this.peerGaveUp) return;
        if (event.kind === 'bye' && GAVE_UP.has(event.reason) && !this.isConnected) {
          // It will not call back. Our own verdict is worth keeping: our gathering ends on its own (<= ~13 s).
          this.peerGaveUp = true;
          const error = new ClientError(
            'ice_failed',
            `${this.setup.options.peer} gave up before the connection was up (bye: ${event.reason})`,
          );
          void this.ice.gatheringDone.promise.then(() => this.fail(error));
          return;
        }
        if (event.kind === 'bye' && event.reason === 'declined') {
          this.fail(new ClientError('declined', `${this.setup.options.peer} declined the call`));
          return;
        }
        this.onPeerGone(event.kind === 'bye' ? `hung up (bye: ${event.reason})` : `left the room (${event.reason})`);
        return;
    }
  }

  /**
   * The peer hung up or left. Before the connection is up the call is over.
   * After it, its last chat messages may still be on their way (the bye takes
   * the service, they take SCTP): give them a moment before calling it a failure.
   */
  private onPeerGone(how: string): void {
    const { peer } = this.setup.options;
    if (!this.isConnected) {
      this.fail(new ClientError('peer_left', `${peer} ${how} before the connection was up`));
      return;
    }
    const grace = setTimeout(() => {
      if (!this.exchangeComplete)
        this.fail(new ClientError('peer_left', `${peer} ${how} before the exchange completed`));
    }, PEER_GONE_GRACE_MS);
    this.disposables.add(() => clearTimeout(grace));
  }

  async run(): Promise<CallOutcome> {
    try {
      await this.walk();
      return { connected: this.isConnected, error: null };
    } catch (error) {
      const failure = this.classify(error);
      if (GAVE_UP.has(failure.code) && !this.isConnected) {
        // Tell the peer why we hang up, so that it does not wait for us to call again.
        await this.setup.nat?.beforeBye(failure);
        await new Deadline(2_000)
          .race(this.setup.signal('bye', { reason: failure.code }), 'bye')
          .catch(() => undefined);
      }
      return { connected: this.isConnected, error: failure };
    } finally {
      this.disposables.dispose();
      await this.setup.audio.stop();
      await this.close();
    }
  }

  private async walk(): Promise<void> {
    const { werift, options, plan, report, log, audio, abort } = this.setup;
    const isOfferer = options.role === 'offerer';
    if (abort.aborted) this.onAbort();
    abort.addEventListener('abort', this.onAbort, { once: true });
    this.disposables.add(() => abort.removeEventListener('abort', this.onAbort));

    // 1. Configuration: our ICE servers, never werift's default (trap 2); bundle explicit (trap 12).
    const pc = new werift.RTCPeerConnection({
      iceServers: plan.iceServers,
      iceTransportPolicy: options.relayOnly ? 'relay' : 'all',
      bundlePolicy: 'max-bundle',
      iceAdditionalHostAddresses: this.setup.hostAddresses,
      iceFilterCandidatePair: options.only ? onlyPairsFrom(localTypeFor(options.only)) : undefined,
      codecs: {
        audio: [
          new werift.RTCRtpCodecParameters({
            mimeType: OPUS.mimeType,
            clockRate: OPUS.clockRate,
            channels: OPUS.channels,
          }),
        ],
      },
    });
    this.pc = pc;
    this.setup.nat?.attach(pc);

    // 2. Handlers: every ICE step is logged and recorded; our candidates trickle to the peer.
    this.ice.observe(pc);
    this.disposables.subscription(pc.onIceCandidate.subscribe((candidate) => this.onLocalCandidate(candidate)));
    this.disposables.subscription(
      pc.onTrack.subscribe((track) => {
        this.disposables.subscription(
          track.onReceiveRtp.subscribe((rtp) => {
            this.signOfLife();
            audio.onRtp(rtp);
          }),
        );
      }),
    );
    const channelOpen = new Latch<RTCDataChannel>();
    // The peer's first messages can come before we listen (early-messages.ts).
    const early = new EarlyMessages();
    this.disposables.add(() => early.dispose());
    this.disposables.subscription(
      pc.onDataChannel.subscribe((channel) => {
        if (channel.label !== 'chat') return;
        early.watch(channel);
        channelOpen.resolve(channel);
      }),
    );

    // 3. Offer or answer. The SDP goes out as createOffer/createAnswer made it:
    //    setLocalDescription resolves only when gathering ends (trap 1).
    const track = new werift.MediaStreamTrack({ kind: 'audio' });
    let transceiver: RTCRtpTransceiver;
    if (isOfferer) {
      transceiver = pc.addTransceiver(track, { direction: 'sendrecv' });
      const chat = pc.createDataChannel('chat');
      early.watch(chat);
      this.disposables.subscription(
        chat.stateChanged.subscribe((state) => {
          if (state === 'open') channelOpen.resolve(chat);
        }),
      );
      const offer = await settle(pc.createOffer(), 'createOffer');
      this.ice.observeDtls(pc);
      const sent = this.setup.signal('offer', { type: offer.type, sdp: offer.sdp });
      this.setLocal(pc, offer);
      await this.until(sent, this.setup.connectDeadline, 'sending the offer');
      log.info(`offer sent to ${options.peer}; waiting for the answer`);
      const answer = await this.until(this.answer.promise, this.setup.connectDeadline, 'waiting for the answer');
      log.info('answer received');
      await this.setRemote(pc, answer);
    } else {
      const offer = this.setup.offer;
      if (!offer) throw new Error('an answerer call needs the offer');
      await this.setRemote(pc, offer);
      const found = pc.getTransceivers().find((t) => t.kind === 'audio');
      if (found) {
        found.setDirection('sendrecv');
        await settle(found.sender.replaceTrack(track), 'replaceTrack');
        transceiver = found;
      } else {
        log.warn('the offer has no audio section: audio stays off');
        transceiver = pc.addTransceiver(track, { direction: 'sendrecv' });
      }
      const answer = await settle(pc.createAnswer(), 'createAnswer');
      this.ice.observeDtls(pc);
      const sent = this.setup.signal('answer', { type: answer.type, sdp: answer.sdp });
      this.setLocal(pc, answer);
      await this.until(sent, this.setup.connectDeadline, 'sending the answer');
      log.info(`answer sent to ${options.peer}`);
      this.ice.explainSlowGathering();
    }

    // 4. Wait for ICE and DTLS, with a deadline of our own (trap 4).
    await this.until(this.connected.promise, this.setup.connectDeadline, 'connecting');
    await this.ice.selectedPair(pc);
    const channel = await this.until(channelOpen.promise, new Deadline(10_000), 'opening the data channel');
    report.timingsMs.dataChannelOpen = now();
    log.info({ label: channel.label }, `data channel ${channel.label} open`);

    // 5. The exchange: pings both ways, audio, each side's done; a silent peer ends it.
    const exchange = new ChatExchange({
      messages: options.messages,
      intervalMs: options.intervalMs,
      log,
      onSignOfLife: () => this.signOfLife(),
    });
    this.disposables.add(() => exchange.stop());
    exchange.start(early.view(channel));
    this.disposables.subscription(
      channel.stateChanged.subscribe((state) => {
        if (state === 'closed' && !this.exchangeComplete) this.onPeerGone('closed the data channel');
      }),
    );
    await this.until(audio.load?.() ?? Promise.resolve(), new Deadline(20_000), 'loading the audio stack');
    // Silence is counted from here: while the audio stack loaded, it was we who were busy.
    this.signOfLife();
    this.disposables.interval(() => this.checkLiveness(), 500);
    exchange.sendPings();
    const codec = transceiver.sender.codec;
    const audioPlayed = audio.start({ track, payloadType: codec?.payloadType ?? 96, codec: OPUS.name });
    const exchangeDeadline = new Deadline(
      options.messages * options.intervalMs + options.durationS * 1000 + options.timeoutS * 1000,
    );
    try {
      await this.until(Promise.all([exchange.pingsAnswered.promise, audioPlayed]), exchangeDeadline, 'the exchange');
      exchange.sendDone();
      log.info('our pings are answered and our audio has played: done sent');
      await this.until(exchange.peerDone.promise, exchangeDeadline, "the peer's done");
    } finally {
      report.dataChannel = exchange.report('chat');
      await audio.stop();
      report.audio = audio.report();
    }
    this.exchangeComplete = true;
    report.timingsMs.done = now();
    await this.ice.selectedPair(pc);

    // 6. Hang up: once the peer has our last messages (our done may wait for a retransmission),
    //    our report summary, bye through the service, then give the peer a moment to read them.
    if (!(await dataAcknowledged(pc, SILENCE_LIMIT_MS))) log.debug('hanging up with chat messages unacknowledged');
    await this.setup.nat?.beforeBye(null);
    await new Deadline(LINGER_MS)
      .race(this.setup.signal('bye', { reason: 'done' }), 'sending bye')
      .catch((error: unknown) => log.warn(`could not send bye: ${toError(error, 'bye').message}`));
    await new Deadline(LINGER_MS).race(this.peerBye.promise, "the peer's bye").catch(() => undefined);
  }

  /** Waits for `promise`, but no longer than `deadline`, and not once the call has failed. */
  private until<T>(promise: Promise<T>, deadline: Deadline, what: string): Promise<T> {
    return deadline.race(Promise.race([promise, this.failure.promise]), what);
  }

  private readonly onAbort = (): void => {
    const reason: unknown = this.setup.abort.reason;
    this.fail(reason instanceof ClientError ? reason : new ClientError('interrupted', 'interrupted'));
  };

  private setLocal(pc: RTCPeerConnection, description: RTCSessionDescription): void {
    this.ice.gatheringStarted();
    this.settingLocal = pc.setLocalDescription(description).catch((error: unknown) => {
      this.fail(
        new ClientError('ice_failed', `setLocalDescription failed: ${toError(error, 'setLocalDescription').message}`),
      );
    });
  }

  private async setRemote(
    pc: RTCPeerConnection,
    description: { type: 'offer' | 'answer'; sdp: string },
  ): Promise<void> {
    await settle(pc.setRemoteDescription(description), `setRemoteDescription(${description.type})`);
    this.remoteUfrag = /^a=ice-ufrag:(\S+)/m.exec(description.sdp)?.[1];
    this.remoteDescriptionSet = true;
    for (const candidate of this.remoteCandidates.splice(0)) await this.addRemoteCandidate(candidate);
  }

  private onRemoteCandidate(data: unknown): void {
    if (data !== null && !isCandidateInit(data)) {
      this.setup.log.warn({ data }, 'ignored a malformed candidate message');
      return;
    }
    this.ice.remoteCandidate(data === null ? null : data.candidate);
    // Buffered until the remote description is set: werift would too, but this way it is ours to see.
    if (this.remoteDescriptionSet) void this.addRemoteCandidate(data);
    else this.remoteCandidates.push(data);
  }

  private async addRemoteCandidate(data: unknown): Promise<void> {
    const pc = this.pc;
    if (!pc) return;
    if (data !== null && isCandidateInit(data)) {
      const ufrag = data.usernameFragment;
      if (typeof ufrag === 'string' && this.remoteUfrag !== undefined && ufrag !== this.remoteUfrag) {
        this.setup.log.debug({ ufrag }, 'dropped a candidate of an earlier call');
        return;
      }
    }
    try {
      // An empty or unknown sdpMid (pion's) is routed by index, as browsers do.
      const routed = data === null ? null : routeCandidate(data as RTCIceCandidateInitLike, pc.remoteDescription?.sdp);
      await settle(pc.addIceCandidate(routed), 'addIceCandidate');
    } catch (error) {
      this.setup.log.warn(`addIceCandidate failed: ${toError(error, 'addIceCandidate').message}`);
    }
  }

  private onLocalCandidate(candidate: RTCIceCandidate | undefined): void {
    if (!candidate) void this.send('candidate', null);
    else if (this.ice.localCandidate(candidate)) void this.send('candidate', candidate.toJSON());
  }

  private signOfLife(): void {
    this.lastSignOfLife = performance.now();
  }

  private checkLiveness(): void {
    const silentMs = performance.now() - this.lastSignOfLife;
    if (silentMs > SILENCE_LIMIT_MS && !this.exchangeComplete) {
      this.fail(
        new ClientError(
          'peer_silent',
          `nothing from ${this.setup.options.peer} for ${(silentMs / 1000).toFixed(1)} s: it is gone`,
        ),
      );
    }
  }

  private send(type: 'candidate', data: unknown): Promise<void> {
    return this.setup.signal(type, data).catch((error: unknown) => {
      this.setup.log.warn(`could not signal a ${type}: ${toError(error, type).message}`);
    });
  }

  private fail(error: ClientError): void {
    if (!this.failure.settled) this.setup.log.debug({ code: error.code }, `call ends: ${error.message}`);
    this.failure.reject(error);
  }

  /** Maps whatever ended the call to a ClientError (first reason wins). */
  private classify(error: unknown): ClientError {
    if (error instanceof ClientError) return error;
    if (error instanceof DeadlineError) {
      const { states } = this.setup.report;
      if (!this.isConnected) {
        return new ClientError(
          'timeout',
          `not connected after ${this.setup.options.timeoutS} s (${error.what}; ICE ${states.ice}, DTLS ${states.dtls})`,
        );
      }
      return new ClientError('incomplete', `${error.what} did not finish in time`);
    }
    return new ClientError(this.isConnected ? 'incomplete' : 'ice_failed', toError(error, 'call').message, {
      cause: error,
    });
  }

  private async close(): Promise<void> {
    const pc = this.pc;
    this.pc = undefined;
    if (!pc) return;
    // werift starts ICE when setLocalDescription's gathering ends, even on a closed
    // connection, and its checks then loop forever: let it get there first.
    await new Deadline(2_000).race(this.settingLocal ?? Promise.resolve(), 'gathering').catch(() => undefined);
    await this.setup.nat?.beforeClose();
    await new Deadline(2_000).race(pc.close(), 'closing the peer connection').catch((error: unknown) => {
      this.setup.log.debug(`close: ${toError(error, 'close').message}`);
    });
  }
}

interface RTCIceCandidateInitLike {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

function isCandidateInit(data: unknown): data is RTCIceCandidateInitLike {
  return typeof data === 'object' && data !== null && typeof (data as { candidate?: unknown }).candidate === 'string';
}

function isDescription<T extends 'offer' | 'answer'>(data: unknown, type: T): data is { type: T; sdp: string } {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as { type?: unknown; sdp?: unknown };
  return d.type === type && typeof d.sdp === 'string';
}

export function isOffer(data: unknown): data is { type: 'offer'; sdp: string } {
  return isDescription(data, 'offer');
}

/**
 * The local candidate type of the pairs that test `--only`'s path. A srflx
 * candidate is never the local side of a pair: its checks go out from its
 * base, the host socket (RFC 8445 6.1.2.4). So host and srflx paths both pair
 * from host candidates (which one is tested depends on what is signalled);
 * relay paths pair from relay candidates.
 */
export function localTypeFor(only: NonNullable<ClientOptions['only']>): 'host' | 'relay' {
  return only === 'relay' ? 'relay' : 'host';
}

function onlyPairsFrom(type: 'host' | 'relay') {
  return (pair: { localCandidate: { type: string } }): boolean => pair.localCandidate.type === type;
}

function now(): number {
  return Math.round(performance.now());
}
