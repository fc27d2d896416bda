import { Compile } from 'typebox/compile';
import {
  NatMessage,
  ReportSummary,
  type CallVerdict,
  type PairSummary,
  type TurnError,
} from '../../signaling/protocol.js';
import type { Logger } from '../log.js';
import type { MailboxMessage } from '../signaling-client.js';
import { formatNat } from './format.js';
import { measureNat } from './measure.js';
import { predict, type Prediction } from './predict.js';
import type { StunCodec } from './stun-socket.js';

const natMessage = Compile(NatMessage);
const reportSummary = Compile(ReportSummary);

/** Where a call keeps what the exchange learns (the report's fields). */
export interface NatFields {
  nat: NatMessage | null;
  peerNat: NatMessage | null;
  prediction: Prediction | null;
  verdict: CallVerdict | null;
  pairs: PairSummary[];
  turnErrors: TurnError[];
  peerReport: ReportSummary | null;
  /** The joint line both sides print (null until the call has ended). */
  joint: string | null;
}

/** The fields before anything is known. */
export function noNatFields(): NatFields {
  return {
    nat: null,
    peerNat: null,
    prediction: null,
    verdict: null,
    pairs: [],
    turnErrors: [],
    peerReport: null,
    joint: null,
  };
}

/**
 * This side's NAT measurement and the peer's, across the calls of one run:
 * measured once, in the background, from registration on; sent to the peer
 * as a `nat` message as soon as both the measurement and a call exist; the
 * prediction printed as soon as both sides' are in.
 */
export class NatExchange {
  private own: NatMessage | null = null;
  private peer: NatMessage | null = null;
  private peerSummary: ReportSummary | null = null;
  /** Whether any message of the peer came in this call. */
  private peerHeard = false;
  private summaryArrived: (() => void) | undefined;
  private call: { fields: NatFields; send: (data: NatMessage) => Promise<void>; sent: boolean } | undefined;
  /** Resolves when the measurement has ended (it never rejects). */
  readonly measured: Promise<void>;

  constructor(
    urls: readonly string[],
    codec: Promise<StunCodec>,
    ice: { turn: NatMessage['turn']; relayOnly: boolean },
    private readonly log: Logger,
  ) {
    this.measured = codec
      .then((c) => measureNat(urls, c))
      .then(
        ({ behaviour, elapsedMs }) => {
          for (const line of formatNat(behaviour, elapsedMs)) log.info({ nat: behaviour }, line);
          this.own = { ...behaviour, ...(ice.turn === undefined ? {} : { turn: ice.turn }), relayOnly: ice.relayOnly };
          this.update();
        },
        (error: unknown) =>
          log.warn(`NAT measurement failed: ${error instanceof Error ? error.message : String(error)}`),
      );
  }

  /** A call starts: its fields get what is known, and our measurement goes to the peer once it is ready. */
  callStarted(fields: NatFields, send: (data: NatMessage) => Promise<void>): void {
    this.call = { fields, send, sent: false };
    this.update();
  }

  /** The call is over: the next one (--forever, or a peer that comes back) starts afresh. */
  callEnded(): void {
    this.call = undefined;
    this.peer = null;
    this.peerSummary = null;
    this.peerHeard = false;
  }

  /**
   * Whether the peer has spoken in this call without a `nat` message (an
   * older CLI, another stack): it will not send a `report` either. A peer not
   * heard from yet may only be behind (we failed before it answered), so
   * its report is still worth a wait.
   */
  get peerSkipsNat(): boolean {
    return this.peerHeard && this.peer === null;
  }

  /** Whether the peer's `nat` message came in this call. */
  get peerSpeaksNat(): boolean {
    return this.peer !== null;
  }

  /** The peer's `report`, waiting up to `ms` for it when it has not come yet. */
  async peerReport(ms: number): Promise<ReportSummary | null> {
    if (this.peerSummary === null) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.summaryArrived = resolve;
        timer = setTimeout(resolve, ms);
      });
      clearTimeout(timer);
      this.summaryArrived = undefined;
    }
    return this.peerSummary;
  }

  /** Any message of the peer; `nat` and `report` are checked against the protocol's schemas and kept. */
  onPeerMessage(message: MailboxMessage): void {
    this.peerHeard = true;
    if (message.type === 'report') {
      if (!reportSummary.Check(message.data)) {
        this.log.warn(`ignored a malformed report message from ${message.from}`);
        return;
      }
      this.peerSummary = message.data;
      this.summaryArrived?.();
      return;
    }
    if (message.type !== 'nat') return;
    if (!natMessage.Check(message.data)) {
      this.log.warn({ data: message.data }, `ignored a malformed nat message from ${message.from}`);
      return;
    }
    this.peer = message.data;
    this.log.info(
      { nat: message.data },
      `peer NAT: mapping ${message.data.mapping}, filtering ${message.data.filtering} (${message.data.method})`,
    );
    this.update();
  }

  private update(): void {
    const call = this.call;
    if (!call) return;
    call.fields.nat = this.own;
    call.fields.peerNat = this.peer;
    if (this.own && !call.sent) {
      call.sent = true;
      call.send(this.own).catch((error: unknown) => {
        this.log.debug(`could not send our nat message: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    if (this.own && this.peer && call.fields.prediction === null) {
      const prediction = predict(this.own, this.peer);
      call.fields.prediction = prediction;
      this.log.info({ prediction }, `prediction: ${predictionWords(prediction)}`);
    }
  }
}

export function predictionWords(prediction: Prediction): string {
  const head =
    prediction.direct === 'likely'
      ? 'direct likely'
      : prediction.direct === 'unlikely'
        ? 'direct unlikely, relay needed'
        : 'unknown';
  return `${head} — ${prediction.reason}`;
}
