/**
 * Waiting on one held poll of the Redis store, until the first of: its
 * answer arriving in a wake-up, its timeout, the client going away, a
 * release (a newer poll, the peer gone), or shutdown. Only the timeout and
 * the endings this instance decides (client gone, shutdown) run a script.
 */
import { answerMessages } from './redis-entry.js';
import type { HeldPoll, HeldPolls, PollSignal } from './redis-held-polls.js';
import type { RoomReply } from './redis-scripts.js';
import type { PollOutcome, PollRequest, StoreObserver } from './store.js';

export interface HoldContext {
  polls: HeldPolls;
  observer: StoreObserver;
  /** Ends the hold in Redis if it is still this poll's; with deliver, answers with the mail. */
  endPoll: (poll: HeldPoll, deliver: boolean) => Promise<RoomReply>;
  /** Endings in flight, which close() waits for. */
  endings: Set<Promise<unknown>>;
  closed: () => boolean;
}

export function holdPoll(
  context: HoldContext,
  poll: HeldPoll,
  request: PollRequest,
  timeoutMs: number,
): Promise<PollOutcome> {
  const { polls, observer, endings } = context;
  return new Promise<PollOutcome>((resolve, reject) => {
    let finished = false;
    const finish = (how: 'deliver' | 'end' | 'released' | unknown[]): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      request.signal.removeEventListener('abort', abandon);
      polls.close(poll.pollId);
      if (how === 'released') {
        resolve({ ok: true, messages: [] });
        return;
      }
      if (Array.isArray(how)) {
        resolve({ ok: true, messages: answerMessages(how, observer.delivered) });
        return;
      }
      const ending = context.endPoll(poll, how === 'deliver');
      endings.add(ending);
      ending
        .then(
          (reply) => {
            resolve({
              ok: true,
              messages: reply.status === 'messages' ? answerMessages(reply.rest, observer.delivered) : [],
            });
          },
          (error: unknown) => {
            // A client that went away needs no answer; one that waits gets the 503.
            if (how === 'end') resolve({ ok: true, messages: [] });
            else reject(error instanceof Error ? error : new Error(String(error)));
          },
        )
        .finally(() => {
          endings.delete(ending);
        });
    };
    const abandon = (): void => {
      finish('end');
    };
    const timer = setTimeout(finish, timeoutMs, 'deliver');
    request.signal.addEventListener('abort', abandon);
    polls.listen(poll, (signal: PollSignal) => {
      switch (signal.kind) {
        case 'delivered':
          finish(signal.answer);
          break;
        case 'wake':
          finish('deliver');
          break;
        case 'shutdown':
          finish('end');
          break;
        default:
          finish('released');
      }
    });
    // A poll whose script was still running when close() began.
    if (request.signal.aborted || context.closed()) abandon();
  });
}
