import { performance } from 'node:perf_hooks';
import type { RTCIceCandidate, RTCPeerConnection, RTCRtpTransceiver, RTCSessionDescription } from 'werift';
import { OPUS } from './audio/types.js';
import { classifyFailure, GAVE_UP } from './call-failure.js';
import type { CallOutcome, CallSetup } from './call-setup.js';
import { ChatOpening } from './chat-opening.js';
import { ChatExchange } from './datachannel.js';
import { ClientError } from './errors.js';
import { IceWatch } from './ice-watch.js';
import { Liveness, SILENCE_LIMIT_MS } from './liveness.js';
import { newPeerConnection } from './peer-connection.js';
import { PeerDeparture } from './peer-departure.js';
import { isAnswer, type PeerEvent } from './peer-messages.js';
import { RemoteCandidates } from './remote-candidates.js';
import { dataAcknowledged } from './sctp-drain.js';
import { Deadline, Disposables, Latch, toError, settle } from './wait.js';

/** After our bye, how long we wait for the peer's before closing anyway. */
const LINGER_MS = 2_000;

/**
 * One call: one RTCPeerConnection from configuration to close, in the order
 * of pion's pion-to-pion example. Messages from the peer arrive through
 * `deliver()` while `run()` walks the steps.
 */
export class Call {
  private readonly disposables = new Disposables();
  private readonly answer = new Latch<{ type: 'answer'; sdp: string }>();
  /** Rejects with the first reason the call cannot go on. */
  private readonly failure = new Latch<never>();
  private readonly connected = new Latch();
  private readonly peerBye = new Latch();
  private exchangeComplete = false;
  private isConnected = false;
  private pc: RTCPeerConnection | undefined;
  /** setLocalDescription, which resolves when gathering ends and ICE has been started. */
  private settingLocal: Promise<unknown> | undefined;
  private readonly ice: IceWatch;
  private readonly remoteCandidates: RemoteCandidates;
  private readonly departure: PeerDeparture;
  private readonly liveness: Liveness;

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
    this.remoteCandidates = new RemoteCandidates(setup.log, this.ice, () => this.pc);
    this.departure = new PeerDeparture({
      peer: setup.options.peer,
      connected: () => this.isConnected,
      complete: () => this.exchangeComplete,
      gatheringDone: this.ice.gatheringDone.promise,
      fail: (error) => this.fail(error),
      disposables: this.disposables,
    });
    this.liveness = new Liveness({
      peer: setup.options.peer,
      complete: () => this.exchangeComplete,
      fail: (error) => this.fail(error),
    });
  }

  async run(): Promise<CallOutcome> {
    try {
      await this.walk();
      return { connected: this.isConnected, error: null };
    } catch (error) {
      let failure = classifyFailure(error, {
        connected: this.isConnected,
        timeoutS: this.setup.options.timeoutS,
        states: this.setup.report.states,
      });
      if (failure.code === 'peer_left' && !this.isConnected)
        failure = await this.departure.whyGone(failure, this.peerBye.promise, this.setup.connectDeadline);
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

    // 1. Configuration: our ICE servers, never werift's default; bundle explicit (docs/WERIFT.md, Gathering and Media).
    const pc = newPeerConnection(werift, options, plan, this.setup.hostAddresses);
    this.pc = pc;
    this.setup.nat?.attach(pc);

    // 2. Handlers: every ICE step is logged and recorded; our candidates trickle to the peer.
    this.ice.observe(pc);
    this.disposables.subscription(pc.onIceCandidate.subscribe((candidate) => this.onLocalCandidate(candidate)));
    this.disposables.subscription(
      pc.onTrack.subscribe((track) => {
        this.disposables.subscription(
          track.onReceiveRtp.subscribe((rtp) => {
            this.liveness.signOfLife();
            audio.onRtp(rtp);
          }),
        );
      }),
    );
    // The peer's first messages can come before we listen (chat-opening.ts).
    const chat = new ChatOpening(pc, this.disposables);

    // 3. Offer or answer. The SDP goes out as createOffer/createAnswer made it:
    //    setLocalDescription resolves only when gathering ends (docs/WERIFT.md, Gathering).
    const track = new werift.MediaStreamTrack({ kind: 'audio' });
    let transceiver: RTCRtpTransceiver;
    if (isOfferer) {
      transceiver = pc.addTransceiver(track, { direction: 'sendrecv' });
      chat.create(pc);
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

    // 4. Wait for ICE and DTLS, with a deadline of our own (docs/WERIFT.md, States).
    await this.until(this.connected.promise, this.setup.connectDeadline, 'connecting');
    await this.ice.selectedPair(pc);
    const channel = await this.until(chat.open.promise, new Deadline(10_000), 'opening the data channel');
    report.timingsMs.dataChannelOpen = now();
    log.info({ label: channel.label }, `data channel ${channel.label} open`);

    // 5. The exchange: pings both ways, audio, each side's done; a silent peer ends it.
    const exchange = new ChatExchange({
      messages: options.messages,
      intervalMs: options.intervalMs,
      log,
      onSignOfLife: () => this.liveness.signOfLife(),
    });
    this.disposables.add(() => exchange.stop());
    exchange.start(chat.view(channel));
    this.disposables.subscription(
      channel.stateChanged.subscribe((state) => {
        if (state === 'closed' && !this.exchangeComplete) this.departure.gone('closed the data channel');
      }),
    );
    await this.until(audio.load?.() ?? Promise.resolve(), new Deadline(20_000), 'loading the audio stack');
    // Silence is counted from here: while the audio stack loaded, it was we who were busy.
    this.liveness.watch(this.disposables);
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
    await this.ice.selectedPair(pc, true);

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
    await this.remoteCandidates.described(description.sdp);
  }

  private onLocalCandidate(candidate: RTCIceCandidate | undefined): void {
    if (!candidate) void this.send('candidate', null);
    else if (this.ice.localCandidate(candidate)) void this.send('candidate', candidate.toJSON());
  }

  private send(type: 'candidate', data: unknown): Promise<void> {
    return this.setup.signal(type, data).catch((error: unknown) => {
      this.setup.log.warn(`could not signal a ${type}: ${toError(error, type).message}`);
    });
  }

  /** A message from the peer, routed here by the mailbox loop. */
  deliver(event: PeerEvent): void {
    switch (event.kind) {
      case 'answer':
        if (isAnswer(event.data)) this.answer.resolve(event.data);
        else this.setup.log.warn('ignored an answer without an SDP');
        return;
      case 'candidate':
        this.remoteCandidates.receive(event.data);
        return;
      case 'bye':
      case 'left':
        this.peerBye.resolve();
        this.departure.said(event);
        return;
    }
  }

  private fail(error: ClientError): void {
    if (!this.failure.settled) this.setup.log.debug({ code: error.code }, `call ends: ${error.message}`);
    this.failure.reject(error);
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

function now(): number {
  return Math.round(performance.now());
}
