/**
 * The polls this instance holds, and the signals other instances send them
 * through this instance's pub/sub channel: "d" (mail arrived: the script that
 * stored it ended the hold and the message carries the answer) and "r"
 * (released: a newer poll took over, or the peer left or expired: answer with
 * an empty list).
 *
 * A poll is registered before its script runs, because a signal published
 * right after the script can reach the subscriber connection before the
 * script's own reply reaches the command connection; such a signal is kept
 * and acted on as soon as the poll starts waiting.
 */

/**
 * delivered: answer with what it carries; wake: end the hold in Redis and
 * answer with the mail; release: answer empty; shutdown: end the hold in
 * Redis, answer empty.
 */
export type PollSignal =
  { kind: 'delivered'; answer: unknown[] } | { kind: 'wake' } | { kind: 'release' } | { kind: 'shutdown' };

export interface HeldPoll {
  readonly room: string;
  readonly peer: string;
  readonly pollId: string;
  /** Set once the poll waits; until then signals are kept in `early`. */
  listener: ((signal: PollSignal) => void) | undefined;
  early: PollSignal | undefined;
}

export class HeldPolls {
  private readonly byId = new Map<string, HeldPoll>();

  open(room: string, peer: string, pollId: string): HeldPoll {
    const poll: HeldPoll = { room, peer, pollId, listener: undefined, early: undefined };
    this.byId.set(pollId, poll);
    return poll;
  }

  /** Starts acting on signals, first on one that came early. */
  listen(poll: HeldPoll, listener: (signal: PollSignal) => void): void {
    poll.listener = listener;
    const early = poll.early;
    poll.early = undefined;
    if (early !== undefined) listener(early);
  }

  close(pollId: string): void {
    this.byId.delete(pollId);
  }

  /** The polls that are waiting (not those whose script is still running). */
  waiting(): HeldPoll[] {
    return [...this.byId.values()].filter((poll) => poll.listener !== undefined);
  }

  /** Handles one pub/sub message: "d|r \n room \n peer \n pollId [\n answer as JSON]". */
  dispatch(message: string): void {
    const [kind, room, peer, pollId] = message.split('\n', 4);
    if (pollId === undefined) return;
    const poll = this.byId.get(pollId);
    if (poll === undefined || poll.room !== room || poll.peer !== peer) return;
    if (kind === 'r') {
      this.deliver(poll, { kind: 'release' });
      return;
    }
    if (kind !== 'd') return;
    const start = kind.length + room.length + peer.length + pollId.length + 4;
    const answer: unknown = JSON.parse(message.slice(start));
    if (Array.isArray(answer)) this.deliver(poll, { kind: 'delivered', answer });
  }

  deliver(poll: HeldPoll, signal: PollSignal): void {
    if (poll.listener !== undefined) {
      poll.listener(signal);
    } else if (poll.early === undefined || poll.early.kind === 'wake') {
      // A release outranks a wake: the poll must not answer with mail it no longer owns.
      poll.early = signal;
    }
  }
}
