import type { RTCDataChannel, RTCPeerConnection } from 'werift';
import type { ChatChannel } from './datachannel.js';
import { EarlyMessages } from './early-messages.js';
import { type Disposables, Latch } from './wait.js';

/**
 * A call's chat data channel until it is open: the offerer creates it, the
 * answerer is given it by the peer. The peer's first messages can come
 * before we listen (early-messages.ts), so each is kept from the moment the
 * channel exists.
 */
export class ChatOpening {
  /** The open channel. */
  readonly open = new Latch<RTCDataChannel>();
  private readonly early = new EarlyMessages();

  constructor(
    pc: RTCPeerConnection,
    private readonly disposables: Disposables,
  ) {
    disposables.add(() => this.early.dispose());
    disposables.subscription(
      pc.onDataChannel.subscribe((channel) => {
        if (channel.label !== 'chat') return;
        this.early.watch(channel);
        this.open.resolve(channel);
      }),
    );
  }

  /** The offerer's side: we create the channel. */
  create(pc: RTCPeerConnection): void {
    const chat = pc.createDataChannel('chat');
    this.early.watch(chat);
    this.disposables.subscription(
      chat.stateChanged.subscribe((state) => {
        if (state === 'open') this.open.resolve(chat);
      }),
    );
  }

  /** The channel as the exchange reads it: what was kept first, then the rest. */
  view(channel: RTCDataChannel): ChatChannel {
    return this.early.view(channel);
  }
}
