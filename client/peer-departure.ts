import { GAVE_UP } from './call-failure.js';
import { ClientError } from './errors.js';
import { Deadline, type Disposables } from './wait.js';

/** After the peer's bye, how long its last data-channel messages may take to arrive. */
const PEER_GONE_GRACE_MS = 1_000;
/** How long a peer's bye may trail the service's word that the peer has left. */
const PEER_BYE_WAIT_MS = 1_000;

/** What the peer's going needs to know of its call. */
export interface DepartureContext {
  /** The peer's name, for the messages. */
  peer: string;
  /** Has the connection come up? */
  connected: () => boolean;
  /** Has the exchange completed? Then a bye or a peer-left is the call's expected end. */
  complete: () => boolean;
  /** Our ICE gathering has ended. */
  gatheringDone: Promise<void>;
  fail: (error: ClientError) => void;
  disposables: Disposables;
}

/**
 * How the peer's bye or leaving ends a call: the state machine between the
 * peer's messages (a bye with its reason, a peer-left) or its data channel
 * closing and the failure the call ends with, if any.
 */
export class PeerDeparture {
  /**
   * The peer hung up with a failure as its bye's reason: the call's failure,
   * once our own gathering has ended (our verdict is worth keeping). The
   * peer-left that follows, or a send to the peer that has left, changes nothing.
   */
  gaveUp: Promise<ClientError> | undefined;

  constructor(private readonly call: DepartureContext) {}

  /** The peer said bye, or the service said it left the room. */
  said(event: { kind: 'bye' | 'left'; reason: string }): void {
    const { peer } = this.call;
    if (this.call.complete() || this.gaveUp) return;
    if (event.kind === 'bye' && GAVE_UP.has(event.reason) && !this.call.connected()) {
      // It will not call back. Our gathering ends on its own (<= ~13 s, a TURN server that does not answer).
      const error = new ClientError(
        'ice_failed',
        `${peer} gave up before the connection was up (bye: ${event.reason})`,
      );
      this.gaveUp = this.call.gatheringDone.then(() => error);
      void this.gaveUp.then((failure) => this.call.fail(failure));
      return;
    }
    if (event.kind === 'bye' && event.reason === 'declined') {
      this.call.fail(new ClientError('declined', `${peer} declined the call`));
      return;
    }
    this.gone(event.kind === 'bye' ? `hung up (bye: ${event.reason})` : `left the room (${event.reason})`);
  }

  /**
   * Our send found the peer gone before the connection was up. A peer that
   * gave up said so (bye) before it left, but the service's 404 for our send
   * can overtake that bye on its way to us: give it a moment, and then the
   * peer's reason is the call's.
   */
  async whyGone(failure: ClientError, bye: Promise<void>, deadline: Deadline): Promise<ClientError> {
    await new Deadline(PEER_BYE_WAIT_MS).race(bye, 'bye').catch(() => undefined);
    const gaveUp = this.gaveUp;
    return gaveUp ? deadline.race(gaveUp, 'gathering').catch(() => failure) : failure;
  }

  /**
   * The peer hung up or left. Before the connection is up the call is over.
   * After it, its last chat messages may still be on their way (the bye takes
   * the service, they take SCTP): give them a moment before calling it a failure.
   */
  gone(how: string): void {
    const { peer } = this.call;
    if (!this.call.connected()) {
      this.call.fail(new ClientError('peer_left', `${peer} ${how} before the connection was up`));
      return;
    }
    const grace = setTimeout(() => {
      if (!this.call.complete())
        this.call.fail(new ClientError('peer_left', `${peer} ${how} before the exchange completed`));
    }, PEER_GONE_GRACE_MS);
    this.call.disposables.add(() => clearTimeout(grace));
  }
}
