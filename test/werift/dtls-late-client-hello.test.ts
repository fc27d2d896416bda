import t, { type Test } from 'tap';
import type { RTCDataChannel } from 'werift';
import { negotiate, unlessHung, weriftPair, type WeriftPair } from '../helpers/werift-pair.js';

/**
 * patches/werift+0.24.4+013+dtls-late-client-hello.patch: a ClientHello can
 * reach the DTLS server after the handshake is done, a copy of one the client
 * retransmitted while the path lost packets. werift's server took any
 * ClientHello on an established association as a renegotiation and replaced
 * its keys at once, so it could read nothing the client sent any more, while
 * its own audio still went out on the old keys: in the loss tests the
 * offerer (the DTLS server) heard nothing from the answerer 5 s into the
 * call, and the answerer heard the offerer's tone. A copy of this
 * handshake's ClientHello (the same client random) is now ignored; RFC 6347
 * §4.2.8 asks that an association not be given up before a new handshake
 * completes. Here the client's ClientHellos are sent again once both sides
 * are connected, and the answerer's message must still reach the offerer.
 */

/** A DTLS handshake record of epoch 0 carrying a ClientHello (handshake type 1 at byte 13). */
const isClientHello = (data: Buffer): boolean =>
  data.length > 13 && data[0] === 22 && data.readUInt16BE(3) === 0 && data[13] === 1;

async function answererChannel(pair: WeriftPair): Promise<RTCDataChannel> {
  return await new Promise((resolve) => {
    pair.answerer.onDataChannel.subscribe((channel) => {
      if (channel.readyState === 'open') resolve(channel);
      else channel.stateChanged.subscribe((state) => state === 'open' && resolve(channel));
    });
  });
}

async function offererHears(t: Test, pair: WeriftPair, channel: RTCDataChannel, text: string): Promise<void> {
  const heard = new Promise<string>((resolve) => {
    const { unSubscribe } = pair.chat.onMessage.subscribe((data) => {
      unSubscribe();
      resolve(data.toString());
    });
  });
  channel.send(text);
  t.equal(await unlessHung(heard, 10_000, `the offerer did not hear "${text}"`), text, `the offerer heard "${text}"`);
}

async function replayed(t: Test, which: 'first' | 'last'): Promise<void> {
  const pair = weriftPair(t);
  const hellos: Buffer[] = [];
  const channel = answererChannel(pair);
  await negotiate(pair, () => {
    const connection = pair.answerer.iceTransports[0]!.connection;
    const send = connection.send.bind(connection);
    connection.send = async (data: Buffer) => {
      if (isClientHello(data)) hellos.push(Buffer.from(data));
      await send(data);
    };
  });
  await t.resolves(unlessHung(pair.connected, 30_000, 'not connected'), 'both sides connected');
  const open = await unlessHung(channel, 10_000, 'no data channel at the answerer');
  await offererHears(t, pair, open, 'before');

  t.ok(hellos.length >= 2, `the client sent ${hellos.length} ClientHellos (without and with the cookie)`);
  const hello = which === 'first' ? hellos[0]! : hellos.at(-1)!;
  await pair.answerer.iceTransports[0]!.connection.send(hello);
  // The copy is handled before the message that follows it on the same path.
  await offererHears(t, pair, open, 'after');
}

t.test("a late copy of the ClientHello with the server's cookie (flight 3)", async (t) => {
  await replayed(t, 'last');
});

t.test('a late copy of the first ClientHello, without a cookie (flight 1)', async (t) => {
  await replayed(t, 'first');
});
