/**
 * The ICE side of the call as the CLI prints it: every local candidate as it
 * is gathered and every remote one as it is added (parsed and its priority
 * split by client/ice-log.ts), the gathering verdict in the CLI's words, and
 * the gathering, ICE, DTLS and connection states with their timings.
 */
import { ClientError } from '../client/errors.js';
import {
  candidateForReport,
  parseCandidate,
  summarizeGathering,
  type CandidateInfo,
  type GatheringSetup,
} from '../client/ice-log.js';
import type { CallView } from './call-view.js';
import type { PageReport } from './page-report.js';

export class IceWatch {
  onLocal: (candidate: RTCIceCandidateInit | null) => void = () => undefined;
  onConnected: () => void = () => undefined;
  onFailed: (error: ClientError) => void = () => undefined;
  private readonly locals: CandidateInfo[] = [];
  private gatheringStarted: number | undefined;
  private dtlsWatched = false;

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly report: PageReport,
    private readonly now: () => number,
    private readonly view: CallView,
    private readonly setup: GatheringSetup,
  ) {
    pc.addEventListener('icecandidate', (event) => this.local(event));
    pc.addEventListener('icegatheringstatechange', () => this.gathering());
    pc.addEventListener('iceconnectionstatechange', () => this.ice());
    pc.addEventListener('connectionstatechange', () => this.connection());
  }

  /** A remote candidate: in the table, in the report, then to the browser. */
  async addRemote(candidate: RTCIceCandidateInit): Promise<void> {
    const info = this.row('remote', candidate.candidate ?? '', undefined);
    if (info) this.report.candidates.remote.push(candidateForReport(info));
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (error) {
      this.view.line(`addIceCandidate failed: ${String(error)}`, 'warn');
    }
  }

  private local(event: RTCPeerConnectionIceEvent): void {
    const candidate = event.candidate;
    if (!candidate) {
      this.onLocal(null);
      return;
    }
    if (!candidate.candidate) return;
    // Chromium names the server on the candidate (newer) or on the event (older).
    const url = (candidate as { url?: string | null }).url ?? (event as { url?: string | null }).url ?? undefined;
    const info = this.row('local', candidate.candidate, url ?? undefined);
    if (info) {
      this.locals.push(info);
      this.report.candidates.local.push(candidateForReport(info));
    }
    this.onLocal(candidate.toJSON());
  }

  private row(side: 'local' | 'remote', raw: string, url: string | undefined): CandidateInfo | null {
    let info: CandidateInfo | null = null;
    try {
      info = parseCandidate(raw);
    } catch {
      this.view.line(`${side} candidate that does not parse: ${raw}`, 'warn');
    }
    const t = this.now();
    this.report.events.push({ t, label: `${side} ${info?.type ?? '?'}` });
    this.view.candidate({ t, side, info, raw, url });
    return info;
  }

  private gathering(): void {
    const state = this.pc.iceGatheringState;
    this.report.states.gathering = state;
    this.view.state('gathering', state);
    this.mark(`gathering ${state}`);
    if (state === 'gathering') this.gatheringStarted = this.now();
    if (state !== 'complete') return;
    this.report.timingsMs.gatheringComplete = this.now();
    const elapsed = this.now() - (this.gatheringStarted ?? 0);
    const summary = summarizeGathering(this.setup, this.locals, elapsed);
    this.report.gathering = { elapsedMs: elapsed, verdicts: summary.verdicts.map((v) => v.text) };
    for (const v of summary.verdicts) this.view.line(`gathering: ${v.text}`, v.level);
  }

  private ice(): void {
    const state = this.pc.iceConnectionState;
    this.report.states.ice = state;
    this.view.state('ice', state);
    this.mark(`ICE ${state}`);
    this.watchDtls();
    if ((state === 'connected' || state === 'completed') && this.report.timingsMs.iceConnected === null) {
      this.report.timingsMs.iceConnected = this.now();
      this.onConnected();
    }
    if (state === 'failed') this.onFailed(new ClientError('ice_failed', 'ICE failed: no candidate pair worked'));
  }

  private connection(): void {
    const state = this.pc.connectionState;
    this.report.states.connection = state;
    this.view.state('connection', state);
    this.mark(`connection ${state}`);
    this.watchDtls();
  }

  /** The DTLS transport exists once a description is set; it is watched from the first state change on. */
  private watchDtls(): void {
    if (this.dtlsWatched) return;
    const dtls = this.pc.getTransceivers()[0]?.sender.transport ?? this.pc.sctp?.transport;
    if (!dtls) return;
    this.dtlsWatched = true;
    const changed = (): void => {
      this.report.states.dtls = dtls.state;
      this.view.state('dtls', dtls.state);
      this.mark(`DTLS ${dtls.state}`);
      if (dtls.state === 'connected' && this.report.timingsMs.dtlsConnected === null)
        this.report.timingsMs.dtlsConnected = this.now();
      if (dtls.state === 'failed') this.onFailed(new ClientError('dtls_failed', 'DTLS failed'));
    };
    dtls.addEventListener('statechange', changed);
    if (dtls.state !== 'new') changed();
  }

  private mark(label: string): void {
    const t = this.now();
    this.report.events.push({ t, label });
    this.view.line(`${String(t).padStart(6)} ms  ${label}`);
  }
}
