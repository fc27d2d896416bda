import t, { type Test } from 'tap';
import { negotiate, unlessHung, weriftPair } from '../helpers/werift-pair.js';

/**
 * patches/werift+0.24.4+011+dtls-duplicate-hello-verify.patch: a network may
 * deliver a datagram twice, and a peer answers each copy of a retransmitted
 * flight. The DTLS client got the server's HelloVerifyRequest twice whenever
 * its first answer was slower than the ClientHello's 500 ms retransmission
 * timer (a loaded host, a long path), and took the second as fatal: `DTLS
 * state failed` 0.65 s after `connecting`. The same HelloVerifyRequest again
 * is ignored: flight 3 is out with a retransmission timer of its own
 * (RFC 6347 §4.2.1, §4.2.4). Here every DTLS handshake record one side sends
 * is put on the wire twice, and the call must connect.
 */
const isHandshake = (data: Buffer): boolean => data[0] === 22 || data[0] === 20;

async function connectsWithDuplicates(t: Test, duplicating: 'offerer' | 'answerer'): Promise<number> {
  const pair = weriftPair(t);
  let doubled = 0;
  await negotiate(pair, () => {
    const connection = pair[duplicating].iceTransports[0]!.connection;
    const send = connection.send.bind(connection);
    connection.send = async (data: Buffer) => {
      await send(data);
      if (isHandshake(data)) {
        doubled++;
        await send(Buffer.from(data));
      }
    };
  });
  await t.resolves(unlessHung(pair.connected, 30_000, 'not connected'), 'both sides connected');
  return doubled;
}

t.test("every record of the DTLS server's flights twice (the HelloVerifyRequest included)", async (t) => {
  const doubled = await connectsWithDuplicates(t, 'offerer');
  t.ok(doubled >= 3, `${doubled} handshake datagrams of the server sent twice`);
});

t.test("every record of the DTLS client's flights twice", async (t) => {
  const doubled = await connectsWithDuplicates(t, 'answerer');
  t.ok(doubled >= 3, `${doubled} handshake datagrams of the client sent twice`);
});
