import t from 'tap';
import { negotiate, unlessHung, weriftPair } from '../helpers/werift-pair.js';

/**
 * patches/werift+0.24.4+010+dtls-early-records.patch: DTLS records that
 * arrive before our DTLS endpoint exists are kept and handed to it, not
 * dropped. The controlled side's ICE often sees the pair nominated before the
 * controlling side has the answer to its nomination check, so the DTLS
 * client's ClientHello can come before the server has started. werift dropped
 * it, and hid the race behind a fixed 100 ms wait before every ClientHello;
 * a ClientHello that still came too early cost its 500 ms retransmission.
 * Here the server is made to start 400 ms late: the first ClientHello must be
 * answered, never sent again.
 */
/**
 * A first ClientHello: a DTLS handshake record (content type 22, then a 13-byte
 * record header) of type ClientHello (1) with no cookie yet. After the 12-byte
 * handshake header come the version (2), the random (32), the session id and
 * its length, then the cookie's length. The second ClientHello of a handshake
 * carries the cookie of the server's HelloVerifyRequest (RFC 6347 §4.2.1).
 */
function isFirstClientHello(data: Buffer): boolean {
  if (data[0] !== 22 || data[13] !== 1) return false;
  const sessionIdLength = data[13 + 12 + 2 + 32] ?? 0;
  return data[13 + 12 + 2 + 32 + 1 + sessionIdLength] === 0;
}

t.test('a ClientHello that comes before the DTLS server has started is answered, not resent', async (t) => {
  const pair = weriftPair(t);
  const { offerer, answerer } = pair;
  let clientHellos = 0;
  await negotiate(pair, () => {
    // The offerer controls ICE, so it is the DTLS server: start it 400 ms late.
    const dtls = offerer.dtlsTransports[0]!;
    const start = dtls.start.bind(dtls);
    dtls.start = async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await start();
    };
    // Count the first ClientHellos the answerer puts on the wire.
    const connection = answerer.iceTransports[0]!.connection;
    const send = connection.send.bind(connection);
    connection.send = async (data: Buffer) => {
      if (isFirstClientHello(data)) clientHellos++;
      await send(data);
    };
  });
  await t.resolves(unlessHung(pair.connected, 30_000, 'not connected'), 'both sides connected');
  t.equal(offerer.dtlsTransports[0]?.role, 'server', 'the offerer was the DTLS server');
  t.equal(clientHellos, 1, 'one first ClientHello: the early one was kept and answered, not resent');
});
