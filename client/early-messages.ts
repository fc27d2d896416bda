import type { ChatChannel } from './datachannel.js';

type Data = string | Buffer;

/** More than a peer sends before our exchange starts, unless it floods. */
const MAX_KEPT = 1_000;

interface Kept {
  queue: Data[];
  listener: ((data: Data) => void) | undefined;
  subscription: { unSubscribe(): void };
}

/**
 * Keeps what a data channel receives from the moment it exists until the
 * exchange listens. werift hands each message to the listeners there are
 * when it arrives. On a lossy path the peer's first pings wait in SCTP behind
 * a lost DCEP ACK, or arrive while our connection state is not yet
 * "connected"; they come out in the same turn as the "open" event, before the
 * code that awaits it can subscribe. Without this they were dropped, and the
 * call ended with pongs missing on the other side.
 */
export class EarlyMessages {
  private readonly kept = new Map<ChatChannel, Kept>();

  /** Starts keeping this channel's messages (call it as soon as the channel exists). */
  watch(channel: ChatChannel): void {
    if (this.kept.has(channel)) return;
    const entry: Kept = { queue: [], listener: undefined, subscription: { unSubscribe: () => undefined } };
    entry.subscription = channel.onMessage.subscribe((data) => {
      if (entry.listener) entry.listener(data);
      else if (entry.queue.length < MAX_KEPT) entry.queue.push(data);
    });
    this.kept.set(channel, entry);
  }

  /** The channel as its listener sees it: what was kept first, then the rest as it comes. */
  view(channel: ChatChannel): ChatChannel {
    const entry = this.kept.get(channel);
    if (!entry) return channel;
    return {
      label: channel.label,
      send: (data) => channel.send(data),
      onMessage: {
        subscribe: (fn) => {
          entry.listener = fn;
          for (const data of entry.queue.splice(0)) fn(data);
          return { unSubscribe: () => (entry.listener = undefined) };
        },
      },
    };
  }

  dispose(): void {
    for (const entry of this.kept.values()) entry.subscription.unSubscribe();
    this.kept.clear();
  }
}
