import { performance } from 'node:perf_hooks';
import type { RTCIceCandidate, RTCPeerConnection } from 'werift';
import type { ClientOptions } from './cli.js';
import { ClientError } from './errors.js';
import {
  candidateForReport,
  formatCandidate,
  formatCounts,
  formatPair,
  parseCandidate,
  summarizeGathering,
  type CandidateInfo,
} from './ice-log.js';
import { selectedPairFromStats, signalledTwin, type SelectedPair } from './stats-pair.js';
import type { IceServerPlan } from './ice-servers.js';
import type { Logger } from './log.js';
import type { Report } from './report.js';
import { Deadline, type Disposables, Latch, toError } from './wait.js';

/**
 * What one call's log and report say about ICE: every candidate, the
 * gathering summary and verdict, ICE, DTLS and connection states, the
 * selected pair. It watches; the Call decides. Failures it sees (ICE or DTLS
 * failed) go to `fail`, "connected" to `onConnected`.
 */
export class IceWatch {
  private gatheringStartedAt = performance.now();
  private readonly localCandidates: CandidateInfo[] = [];
  private connected = false;
  /** Resolves when gathering has ended and its verdict is in the report. */
  readonly gatheringDone = new Latch();

  constructor(
    private readonly ctx: {
      options: ClientOptions;
      plan: IceServerPlan;
      report: Report;
      log: Logger;
      disposables: Disposables;
      fail: (error: ClientError) => void;
      onConnected: () => void;
    },
  ) {}

  /** Subscribes to the peer connection's gathering, ICE and connection states. */
  observe(pc: RTCPeerConnection): void {
    const { disposables } = this.ctx;
    disposables.subscription(pc.iceGatheringStateChange.subscribe((state) => this.onGatheringState(state)));
    disposables.subscription(pc.iceConnectionStateChange.subscribe((state) => this.onIceState(state)));
    disposables.subscription(pc.connectionStateChange.subscribe((state) => this.onConnectionState(state)));
  }

  /** The DTLS transport exists once the offer is created or the offer applied. */
  observeDtls(pc: RTCPeerConnection): void {
    const dtls = pc.dtlsTransports[0];
    if (!dtls) return;
    this.ctx.disposables.subscription(
      dtls.onStateChange.subscribe((state) => {
        const { log, report } = this.ctx;
        report.states.dtls = state;
        log.info(`DTLS state ${state}`);
        if (state === 'connected') report.timingsMs.dtlsConnected ??= now();
        if (state === 'failed') this.ctx.fail(new ClientError('dtls_failed', 'DTLS handshake failed'));
      }),
    );
  }

  gatheringStarted(): void {
    this.gatheringStartedAt = performance.now();
  }

  /** Logs and records a local candidate; says whether it may be signalled (`--only`). */
  localCandidate(candidate: RTCIceCandidate): boolean {
    const { log, options, plan, report } = this.ctx;
    let info: CandidateInfo;
    try {
      info = parseCandidate(candidate.candidate);
    } catch (error) {
      log.warn(`local candidate not understood: ${toError(error, 'parse').message}`);
      return true;
    }
    this.localCandidates.push(info);
    report.candidates.local.push(candidateForReport(info));
    const source =
      info.type === 'srflx'
        ? { url: plan.stunUrl }
        : info.type === 'relay'
          ? { url: plan.turnUrl, relayProtocol: plan.turnRelayProtocol }
          : {};
    const signalled = options.only === undefined || info.type === options.only;
    log.info(
      { candidate: candidate.candidate },
      formatCandidate('local', info, source) + (signalled ? '' : `  (not signalled: --only ${options.only})`),
    );
    return signalled;
  }

  /** Logs and records a candidate the peer sent (`null`: its end of candidates). */
  remoteCandidate(text: string | null): void {
    const { log, report } = this.ctx;
    if (text === null) {
      log.info('remote end of candidates');
      return;
    }
    if (text === '') return;
    try {
      const info = parseCandidate(text);
      report.candidates.remote.push(candidateForReport(info));
      log.info({ candidate: text }, formatCandidate('remote', info));
    } catch (error) {
      log.warn({ candidate: text }, `remote candidate not understood: ${toError(error, 'parse').message}`);
    }
  }

  /**
   * werift's answerer starts its ICE checks and DTLS only when its gathering has
   * ended (setLocalDescription calls connect() after gatherCandidates()), so a
   * silent STUN server or bad TURN credentials hold the whole call. Say so.
   */
  explainSlowGathering(): void {
    const timer = setTimeout(() => {
      if (this.ctx.report.states.gathering === 'complete') return;
      this.ctx.log.info(
        'werift (answering) starts ICE checks and DTLS only once gathering has finished: waiting for the ICE servers to answer or time out (5 s for STUN, ~13 s for TURN)',
      );
    }, 1_000);
    this.ctx.disposables.add(() => clearTimeout(timer));
  }

  /**
   * The pair that carries traffic, from getStats() (docs/WERIFT.md, The selected pair), into
   * the report; logged when it is new or has changed. After the exchange (`final`), what the
   * wire saw on it: the data packets sent on the pair and those that arrived on its socket
   * from its remote address, and a warning when data came in on another pair.
   */
  async selectedPair(pc: RTCPeerConnection, final = false): Promise<void> {
    const { log, report } = this.ctx;
    try {
      const stats = await new Deadline(2_000).race(pc.getStats(), 'getStats');
      const seen = selectedPairFromStats(stats.values());
      if (!seen) return;
      const pair = { ...seen, remote: signalledTwin(seen.remote, report.candidates.remote) };
      const previous = report.selectedPair;
      report.selectedPair = { ...pair, rttMs: pair.rttMs ?? previous?.rttMs ?? null };
      const path = (p: Pick<SelectedPair, 'local' | 'remote'>): string =>
        [p.local, p.remote].map((c) => `${c.type} ${c.protocol} ${c.address}:${c.port}`).join(' ');
      if (!previous || path(previous) !== path(pair)) {
        log.info({ pair }, formatPair(pair.local, pair.remote, pair.rttMs));
      }
      if (final) this.wireSeen(pair);
    } catch (error) {
      log.debug(`getStats failed: ${toError(error, 'getStats').message}`);
    }
  }

  private wireSeen(pair: SelectedPair): void {
    const { log } = this.ctx;
    const { packetsSent, packetsReceived, packetsElsewhere } = pair;
    if (packetsSent === undefined || packetsReceived === undefined) return;
    log.info(
      { packetsSent, packetsReceived, packetsElsewhere },
      `on the wire: ${packetsSent} data packets sent on the selected pair, ${packetsReceived} received on it from ${pair.remote.address}:${pair.remote.port}`,
    );
    if (packetsReceived === 0)
      log.warn('no data packet arrived on the selected pair: the path named is not the one the packets took');
    if ((packetsElsewhere ?? 0) > 0) {
      log.warn(
        `${packetsElsewhere} data packets arrived on other candidate pairs than the selected one: the peer also sent on another path`,
      );
    }
  }

  private onGatheringState(state: string): void {
    const { log, report, plan, options } = this.ctx;
    report.states.gathering = state;
    if (state !== 'complete') {
      log.info(state === 'gathering' ? 'ICE gathering started' : `ICE gathering state ${state}`);
      return;
    }
    const elapsed = Math.round(performance.now() - this.gatheringStartedAt);
    report.timingsMs.gatheringComplete = now();
    const summary = summarizeGathering(
      { stunUrl: plan.stunUrl, turnUrl: plan.turnUrl, relayOnly: options.relayOnly },
      this.localCandidates,
      elapsed,
    );
    report.gathering = { elapsedMs: elapsed, verdicts: summary.verdicts.map((v) => v.text) };
    log.info(
      { counts: summary.counts, elapsedMs: elapsed },
      `ICE gathering complete in ${elapsed} ms: ${formatCounts(summary.counts)}`,
    );
    for (const verdict of summary.verdicts)
      log[verdict.level]({ verdict: verdict.text }, `gathering verdict: ${verdict.text}`);
    this.gatheringDone.resolve();
    // Nothing to signal is nothing to connect with: say so now, not at --timeout-s
    // (werift may sit in checking: docs/WERIFT.md, States) nor after the peer has given up first.
    const { counts } = summary;
    if ((options.only !== undefined ? counts[options.only] : counts.host + counts.srflx + counts.relay) === 0) {
      const why = summary.verdicts.find((v) => v.level === 'warn')?.text ?? 'none gathered';
      this.ctx.fail(
        new ClientError(
          'ice_failed',
          `no ${options.only !== undefined ? `${options.only} ` : ''}candidate to connect with: ${why}`,
        ),
      );
    }
  }

  private onIceState(state: string): void {
    const { log, report } = this.ctx;
    if (state === 'completed' && !this.connected && report.states.ice !== 'connected') {
      // werift says "completed" when gathering ends, before any check succeeded (docs/WERIFT.md, States).
      log.debug('ICE connection state completed (werift: gathering finished; ignored)');
      return;
    }
    report.states.ice = state;
    log.info(`ICE connection state ${state}`);
    if (state === 'connected') report.timingsMs.iceConnected ??= now();
    if (state === 'failed') this.ctx.fail(new ClientError('ice_failed', 'ICE failed: no candidate pair worked'));
  }

  private onConnectionState(state: string): void {
    const { log, report } = this.ctx;
    report.states.connection = state;
    log.info(`connection state ${state}`);
    if (state === 'connected') {
      this.connected = true;
      this.ctx.onConnected();
    } else if (state === 'failed') {
      this.ctx.fail(
        report.states.ice === 'connected'
          ? new ClientError('dtls_failed', 'DTLS failed')
          : new ClientError('ice_failed', 'ICE failed'),
      );
    }
  }
}

function now(): number {
  return Math.round(performance.now());
}
