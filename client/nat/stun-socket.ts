import { createSocket, type Socket } from 'node:dgram';
import type * as WeriftModule from 'werift';
import type { Endpoint } from './endpoint.js';

/** werift's own STUN codec (its ICE agent's): messages, attributes, RFC 5780's CHANGE-REQUEST and OTHER-ADDRESS. */
export type StunCodec = Pick<typeof WeriftModule, 'Message' | 'parseMessage' | 'methods' | 'classes'>;

/** What a Binding request got back. */
export interface StunAnswer {
  /** Where the answer came from (RFC 5780 checks it against where it should). */
  from: Endpoint;
  /** XOR-MAPPED-ADDRESS (or the old MAPPED-ADDRESS): where the server saw us. */
  mapped: Endpoint | null;
  /** RFC 5780 OTHER-ADDRESS (or RFC 3489's CHANGED-ADDRESS). */
  otherAddress: Endpoint | null;
  /** An error response's ERROR-CODE. */
  error: { code: number; reason: string } | null;
}

/** RFC 5780 CHANGE-REQUEST flags. */
const CHANGE_IP = 0x04;
const CHANGE_PORT = 0x02;

/**
 * Sends so that a lost packet costs little of a 3 s budget: 0, 100, 300, 700,
 * 1500 ms (RFC 8489's 500 ms RTO would leave room for two tries).
 */
const RETRANSMIT_DELAYS_MS = [100, 200, 400, 800, 1600];

/**
 * One local UDP socket for STUN Binding transactions: requests out,
 * answers matched by transaction ID, requests in (our own, when the NAT
 * hairpins them back to us). Nothing here answers requests.
 */
export class StunSocket {
  private readonly pending = new Map<string, (answer: StunAnswer) => void>();
  private readonly ownRequests = new Map<string, () => void>();
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly codec: StunCodec,
  ) {
    socket.on('message', (data, rinfo) => this.onMessage(data, { address: rinfo.address, port: rinfo.port }));
    socket.on('error', () => undefined);
  }

  /** A socket on every local address, on a port the system picks. */
  static open(codec: StunCodec, family: 4 | 6 = 4): Promise<StunSocket> {
    const socket = createSocket(family === 4 ? 'udp4' : 'udp6');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        resolve(new StunSocket(socket, codec));
      });
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** A Binding request, resent until answered or `timeoutMs` passes (then null). */
  request(to: Endpoint, options: { change?: 'ip-and-port' | 'port'; timeoutMs: number }): Promise<StunAnswer | null> {
    const { Message, methods, classes } = this.codec;
    const request = new Message(methods.BINDING, classes.REQUEST);
    if (options.change) {
      request.setAttribute('CHANGE-REQUEST', options.change === 'port' ? CHANGE_PORT : CHANGE_IP | CHANGE_PORT);
    }
    const id = request.transactionIdHex;
    const bytes = request.bytes;
    return this.transaction(
      to,
      bytes,
      options.timeoutMs,
      (done: (value: StunAnswer | null) => void) => {
        this.pending.set(id, done);
        return () => this.pending.delete(id);
      },
      null,
    );
  }

  /** Sends a Binding request to `to` (our own mapped address): true when it comes back to this socket. */
  hairpin(to: Endpoint, timeoutMs: number): Promise<boolean> {
    const { Message, methods, classes } = this.codec;
    const request = new Message(methods.BINDING, classes.REQUEST);
    const id = request.transactionIdHex;
    return this.transaction(
      to,
      request.bytes,
      timeoutMs,
      (done: (value: boolean) => void) => {
        this.ownRequests.set(id, () => done(true));
        return () => this.ownRequests.delete(id);
      },
      false,
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  private transaction<T>(
    to: Endpoint,
    bytes: Buffer,
    timeoutMs: number,
    register: (done: (value: T) => void) => () => void,
    onTimeout: T,
  ): Promise<T> {
    return new Promise<T>((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      let unregister = (): void => undefined;
      const done = (value: T): void => {
        for (const timer of timers) clearTimeout(timer);
        unregister();
        resolve(value);
      };
      unregister = register(done);
      const send = (): void => {
        if (this.closed) return;
        // A send error (no route, a firewall's EPERM) is a packet lost: the timeout says so.
        this.socket.send(bytes, to.port, to.address, () => undefined);
      };
      send();
      let at = 0;
      for (const delay of RETRANSMIT_DELAYS_MS) {
        at += delay;
        if (at >= timeoutMs) break;
        timers.push(setTimeout(send, at));
      }
      timers.push(setTimeout(() => done(onTimeout), timeoutMs));
    });
  }

  private onMessage(data: Buffer, from: Endpoint): void {
    const { parseMessage, methods, classes } = this.codec;
    const message = parseMessage(data);
    if (!message || message.messageMethod !== methods.BINDING) return;
    const id = message.transactionIdHex;
    if (message.messageClass === classes.REQUEST) {
      this.ownRequests.get(id)?.();
      return;
    }
    const done = this.pending.get(id);
    if (!done) return;
    const error = message.messageClass === classes.ERROR ? errorOf(message.getAttributeValue('ERROR-CODE')) : null;
    done({
      from,
      mapped: endpointOf(
        message.getAttributeValue('XOR-MAPPED-ADDRESS') ?? message.getAttributeValue('MAPPED-ADDRESS'),
      ),
      otherAddress: endpointOf(
        message.getAttributeValue('OTHER-ADDRESS') ?? message.getAttributeValue('CHANGED-ADDRESS'),
      ),
      error,
    });
  }
}

/** werift's address attributes are `[address, port]`. */
function endpointOf(value: unknown): Endpoint | null {
  if (!Array.isArray(value) || typeof value[0] !== 'string' || typeof value[1] !== 'number') return null;
  return { address: value[0], port: value[1] };
}

function errorOf(value: unknown): { code: number; reason: string } | null {
  if (!Array.isArray(value) || typeof value[0] !== 'number') return null;
  return { code: value[0], reason: typeof value[1] === 'string' ? value[1] : '' };
}
