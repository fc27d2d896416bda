import t from 'tap';
import type { RTCPeerConnection as PeerConnection } from 'werift';

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
const { RTCPeerConnection } = await import('werift');

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
  const offerer = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
  const answerer = new RTCPeerConnection({ iceServers: [] });
  t.teardown(async () => {
    await offerer.close();
    await answerer.close();
  });
  offerer.createDataChannel('chat');
  offerer.onIceCandidate.subscribe((c) => void (c && answerer.addIceCandidate(c)));
  answerer.onIceCandidate.subscribe((c) => void (c && offerer.addIceCandidate(c)));
  const connected = (pc: PeerConnection): Promise<void> =>
    new Promise((resolve, reject) => {
      pc.connectionStateChange.subscribe((state) => {
        if (state === 'connected') resolve();
        if (state === 'failed') reject(new Error('failed'));
      });
    });
  const both = Promise.all([connected(offerer), connected(answerer)]);

  await offerer.setLocalDescription(await offerer.createOffer());
  await answerer.setRemoteDescription(offerer.localDescription!);
  await answerer.setLocalDescription(await answerer.createAnswer());

  // The offerer controls ICE, so it is the DTLS server: start it 400 ms late.
  const server = offerer.dtlsTransports[0]!;
  const start = server.start.bind(server);
  server.start = async () => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    await start();
  };
  // Count the first ClientHellos the answerer puts on the wire.
  const connection = answerer.iceTransports[0]!.connection;
  const send = connection.send.bind(connection);
  let clientHellos = 0;
  connection.send = async (data: Buffer) => {
    if (isFirstClientHello(data)) clientHellos++;
    await send(data);
  };

  await offerer.setRemoteDescription(answerer.localDescription!);
  // A guard against a hang, not a measure of speed: loopback connects in well under a second.
  let guard: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new Error('not connected in 30 s')), 30_000);
  });
  await t.resolves(
    Promise.race([both, hang]).finally(() => clearTimeout(guard)),
    'both sides connected',
  );
  t.equal(server.role, 'server', 'the offerer was the DTLS server');
  t.equal(clientHellos, 1, 'one first ClientHello: the early one was kept and answered, not resent');
});
