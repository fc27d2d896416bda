import type { RTCPeerConnection } from 'werift';
import type { ReportSummary } from '../../signaling/protocol.js';
import type { ClientOptions } from '../cli.js';
import type { Report } from '../report.js';
import type { IceServerPlan } from '../ice-servers.js';
import type { Logger } from '../log.js';
import { shortfalls, type Expectation } from '../verdict.js';
import type { Deadline } from '../wait.js';
import type { NatExchange } from './exchange.js';
import { jointLine } from './joint.js';
import { MAX_PAIRS, pairsFromStats } from './pairs.js';
import { checkTurn, turnTarget, type TurnCodec } from './turn-check.js';
import { expiryWords, formatTurnError } from './turn-errors.js';
import { judgeCall } from './verdict.js';

/** What client/session.ts calls on its way: small hooks, so that the call's walk stays as it reads. */
export interface CallNatHooks {
  /** The peer connection exists: watch its gathering. */
  attach(pc: RTCPeerConnection): void;
  /** Just before a bye: judge the call and send our `report` summary (`error`: why the call failed). */
  beforeBye(error: { code: string; message: string } | null): Promise<void>;
  /** Just before the peer connection closes: the last look at its candidate pairs. */
  beforeClose(): Promise<void>;
}

/** How long the peer's `report` may take after our call ended (it sends it before its bye). */
const PEER_REPORT_WAIT_MS = 2_500;
const SEND_WAIT_MS = 1_000;

/**
 * One call's verdict: a TURN allocation of our own when werift makes its
 * own (werift logs the refusal's code only at debug level), the candidate
 * pairs' checks before the connection closes, the verdict, the `report`
 * message before our bye, and the joint line once the peer's has come.
 */
export class CallNat implements CallNatHooks {
  private pc: RTCPeerConnection | undefined;
  private turnCheck: Promise<void> = Promise.resolve();
  private credential: string | undefined;
  private summary: ReportSummary | undefined;

  constructor(
    private readonly ctx: {
      report: Report;
      options: Pick<ClientOptions, 'role' | 'peer' | 'messages'>;
      plan: IceServerPlan;
      codec: Promise<TurnCodec>;
      exchange: NatExchange;
      send: (type: 'report', data: ReportSummary) => Promise<void>;
      expect: () => Expectation;
      log: Logger;
    },
  ) {}

  attach(pc: RTCPeerConnection): void {
    this.pc = pc;
    const subscription = pc.iceGatheringStateChange.subscribe((state) => {
      if (state !== 'gathering') return;
      subscription.unSubscribe();
      this.startTurnCheck();
    });
  }

  async beforeBye(error: { code: string; message: string } | null): Promise<void> {
    await this.snapshot();
    await bounded(this.turnCheck, 3_500);
    this.judge(error);
    await this.sendSummary();
  }

  async beforeClose(): Promise<void> {
    if (this.summary === undefined) await this.snapshot();
  }

  /**
   * After the call: judged and sent if no bye did it, then the joint line
   * (the peer's report waited for a moment, unless the peer has left; for a
   * peer not heard from yet, only while `deadline` lasts).
   */
  async finish(peerGone: boolean, deadline: Deadline): Promise<void> {
    const { report, exchange, log, options } = this.ctx;
    if (this.summary === undefined) {
      await bounded(this.turnCheck, 3_500);
      this.judge(report.error);
      await this.sendSummary();
    }
    const own = this.summary;
    if (!own) return;
    const waitMs =
      peerGone || exchange.peerSkipsNat
        ? 0
        : exchange.peerSpeaksNat
          ? PEER_REPORT_WAIT_MS
          : Math.min(PEER_REPORT_WAIT_MS, deadline.remainingMs());
    const peer = await exchange.peerReport(waitMs);
    report.peerReport = peer;
    const line = jointLine(own, peer, options.peer);
    report.joint = line;
    if (own.ok && (peer?.ok ?? true)) log.info({ joint: line }, line);
    else log.warn({ joint: line }, line);
  }

  private startTurnCheck(): void {
    const target = turnTarget(this.ctx.plan);
    if (!target) return;
    this.credential = expiryWords(target.username, Date.now());
    this.turnCheck = this.ctx.codec
      .then((codec) => checkTurn(target, codec))
      .then((refused) => {
        if (!refused) return;
        this.ctx.report.turnErrors.push(refused);
        this.ctx.log.warn({ turnError: refused }, `TURN refused: ${formatTurnError(refused)}`);
      })
      .catch(() => undefined);
  }

  private async snapshot(): Promise<void> {
    const pc = this.pc;
    if (!pc) return;
    try {
      const stats = await bounded(pc.getStats(), 1_000);
      if (stats) this.ctx.report.pairs = pairsFromStats(stats.values());
    } catch {
      // A closed connection has no stats: keep the last look.
    }
  }

  private judge(error: { code: string; message: string } | null): void {
    const { report, plan, options } = this.ctx;
    const failure = error ?? report.error;
    const ok = failure === null && shortfalls(report, this.ctx.expect()).length === 0;
    const selected = report.selectedPair;
    report.verdict = judgeCall({
      role: options.role,
      ok,
      error: failure
        ? { code: failure.code, message: failure.message }
        : ok
          ? null
          : { code: 'incomplete', message: shortfalls(report, this.ctx.expect()).join('; ') },
      selectedPair: selected,
      relayProtocol: plan.turnRelayProtocol,
      candidates: report.candidates,
      pairs: report.pairs,
      prediction: report.prediction,
      turnErrors: report.turnErrors,
      credential: this.credential,
      hadTurn: plan.turnUrl !== undefined,
    });
    this.ctx.log.info({ verdict: report.verdict }, `verdict: ${report.verdict.explanation}`);
    this.summary = {
      role: options.role,
      ok,
      error: failure ? { code: failure.code, message: failure.message } : null,
      timingsMs: { ...report.timingsMs },
      candidates: {
        local: report.candidates.local.slice(0, 30).map(brief),
        remote: report.candidates.remote.slice(0, 30).map(brief),
      },
      selectedPair: selected ? { local: brief(selected.local), remote: brief(selected.remote) } : null,
      pairs: report.pairs.slice(0, MAX_PAIRS),
      nat: report.nat,
      prediction: report.prediction,
      verdict: report.verdict,
      turnErrors: report.turnErrors,
    };
  }

  private async sendSummary(): Promise<void> {
    const summary = this.summary;
    if (!summary) return;
    try {
      await bounded(this.ctx.send('report', summary), SEND_WAIT_MS);
    } catch (error) {
      this.ctx.log.debug(`could not send our report: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function brief(c: { type: string; protocol: string; address: string; port: number }) {
  return { type: c.type, protocol: c.protocol, address: c.address, port: c.port };
}

/** `promise`, or undefined after `ms`. */
async function bounded<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
