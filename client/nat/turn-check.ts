import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import type * as WeriftModule from 'werift';
import type { TurnError } from '../../signaling/protocol.js';
import type { IceServerPlan } from '../ice-servers.js';
import type { StunCodec } from './stun-socket.js';

export type TurnCodec = StunCodec & Pick<typeof WeriftModule, 'makeIntegrityKey'>;

/** The TURN server werift allocates on, with its credentials. */
export interface TurnTarget {
  url: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  username: string;
  password: string;
}

/** REQUESTED-TRANSPORT: UDP (17) in the top byte, as werift sends it. */
const UDP_TRANSPORT = 17 << 24;
const RESENDS_MS = [100, 300, 700, 1500, 3100];

export function turnTarget(plan: IceServerPlan): TurnTarget | undefined {
  const url = plan.turnUrl;
  if (url === undefined) return undefined;
  const server = plan.iceServers.find((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]).includes(url));
  const match = /^turn:(\[[0-9a-fA-F:.]+\]|[^:?[\]]+)(?::(\d{1,5}))?/i.exec(url);
  if (!server?.username || !server.credential || !match) return undefined;
  return {
    url,
    host: (match[1] ?? '').replace(/^\[|\]$/g, ''),
    port: match[2] !== undefined ? Number(match[2]) : 3478,
    transport: /[?&]transport=tcp/i.test(url) ? 'tcp' : 'udp',
    username: server.username,
    password: server.credential,
  };
}

interface Channel {
  request(bytes: Buffer, id: string, timeoutMs: number): Promise<WeriftModule.Message | null>;
  close(): void;
}

/**
 * Asks the TURN server for an allocation as werift does (a first request,
 * its 401 challenge, the request again with the credentials), then frees
 * it at once. werift keeps the error of its own allocation in a debug log;
 * this gets the code. Resolves null when the server grants one, a 701 when
 * it does not answer; never throws.
 *
 * A 437 (Allocation Mismatch) means the server still holds an allocation for
 * this socket's 5-tuple (a freed one lingers until the server's timer ends
 * it, and a new socket can draw the same port): it says nothing of werift's
 * own allocation, so the exchange runs once more from a fresh socket, as
 * RFC 8656 §7.4 allows. `firstLocalPort` binds the first socket (UDP only).
 */
export async function checkTurn(
  target: TurnTarget,
  codec: TurnCodec,
  timeoutMs = 3_000,
  firstLocalPort?: number,
): Promise<TurnError | null> {
  const first = await checkFrom(target, codec, timeoutMs, firstLocalPort);
  return first?.code === 437 ? checkFrom(target, codec, timeoutMs) : first;
}

async function checkFrom(
  target: TurnTarget,
  codec: TurnCodec,
  timeoutMs: number,
  localPort?: number,
): Promise<TurnError | null> {
  const { Message, methods, classes, makeIntegrityKey } = codec;
  const refused = (code: number, reason: string): TurnError => ({ url: target.url, code, reason });
  let channel: Channel;
  try {
    channel = await open(target, codec, timeoutMs, localPort);
  } catch (error) {
    return refused(701, `cannot reach it: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const allocate = (auth?: { realm: string; nonce: Buffer }): Promise<WeriftModule.Message | null> => {
      const request = new Message(methods.ALLOCATE, classes.REQUEST);
      request.setAttribute('REQUESTED-TRANSPORT', UDP_TRANSPORT);
      if (auth) sign(request, auth);
      return channel.request(request.bytes, request.transactionIdHex, timeoutMs);
    };
    const sign = (request: WeriftModule.Message, auth: { realm: string; nonce: Buffer }): void => {
      request
        .setAttribute('USERNAME', target.username)
        .setAttribute('REALM', auth.realm)
        .setAttribute('NONCE', auth.nonce)
        .addMessageIntegrity(makeIntegrityKey(target.username, auth.realm, target.password));
    };
    let answer = await allocate();
    let auth: { realm: string; nonce: Buffer } | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!answer) return refused(701, `no answer in ${(timeoutMs / 1000).toFixed(1)} s over ${target.transport}`);
      if (answer.messageClass !== classes.ERROR) break;
      const [code, reason] = errorCode(answer);
      const realm = stringAttribute(answer, 'REALM') ?? auth?.realm;
      const nonce: unknown = answer.getAttributeValue('NONCE');
      // 401 without credentials is the challenge; 438 asks again with a fresh nonce.
      const retry = (code === 401 && auth === undefined) || code === 438;
      if (!retry || realm === undefined || !Buffer.isBuffer(nonce)) return refused(code, reason);
      auth = { realm, nonce };
      answer = await allocate(auth);
    }
    if (!answer || answer.messageClass === classes.ERROR) {
      return answer ? refused(...errorCode(answer)) : refused(701, 'no answer');
    }
    // Granted: give it back (Refresh with LIFETIME 0), without waiting long for the answer.
    const free = new Message(methods.REFRESH, classes.REQUEST);
    free.setAttribute('LIFETIME', 0);
    if (auth) sign(free, auth);
    await channel.request(free.bytes, free.transactionIdHex, 500);
    return null;
  } finally {
    channel.close();
  }
}

function errorCode(message: WeriftModule.Message): [number, string] {
  const value: unknown = message.getAttributeValue('ERROR-CODE');
  // coturn pads its reason phrase to a 4-byte boundary with NULs.
  return Array.isArray(value) && typeof value[0] === 'number'
    ? [value[0], typeof value[1] === 'string' ? value[1].replace(/\0+$/, '') : '']
    : [0, 'an error response without ERROR-CODE'];
}

function stringAttribute(message: WeriftModule.Message, key: 'REALM'): string | undefined {
  const value: unknown = message.getAttributeValue(key);
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
}

async function open(target: TurnTarget, codec: TurnCodec, timeoutMs: number, localPort?: number): Promise<Channel> {
  const { address } = await lookup(target.host, { family: 4 });
  const pending = new Map<string, (message: WeriftModule.Message) => void>();
  const deliver = (data: Buffer): void => {
    const message = codec.parseMessage(data);
    if (message) pending.get(message.transactionIdHex)?.(message);
  };
  const transaction = (send: () => void, id: string, ms: number, resends: boolean) =>
    new Promise<WeriftModule.Message | null>((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      const done = (message: WeriftModule.Message | null): void => {
        for (const timer of timers) clearTimeout(timer);
        pending.delete(id);
        resolve(message);
      };
      pending.set(id, done);
      send();
      if (resends) for (const at of RESENDS_MS.filter((at) => at < ms)) timers.push(setTimeout(send, at));
      timers.push(setTimeout(() => done(null), ms));
    });
  if (target.transport === 'udp') {
    const socket = createSocket('udp4');
    socket.on('message', deliver);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(localPort ?? 0, resolve);
    });
    socket.on('error', () => undefined);
    return {
      request: (bytes, id, ms) =>
        transaction(() => socket.send(bytes, target.port, address, () => undefined), id, ms, true),
      close: () => socket.close(),
    };
  }
  const socket = connect({ host: address, port: target.port, timeout: timeoutMs });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
    socket.once('timeout', () => reject(new Error(`no TCP connection in ${timeoutMs} ms`)));
  });
  socket.on('error', () => undefined);
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    // STUN over TCP: messages back to back, each 20 bytes of header plus its length.
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 20) {
      const length = 20 + buffered.readUInt16BE(2);
      if (buffered.length < length) break;
      deliver(buffered.subarray(0, length));
      buffered = buffered.subarray(length);
    }
  });
  return {
    request: (bytes, id, ms) => transaction(() => socket.write(bytes), id, ms, false),
    close: () => socket.destroy(),
  };
}
