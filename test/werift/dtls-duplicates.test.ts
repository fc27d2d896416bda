import t, { type Test } from 'tap';
import type { RTCPeerConnection as PeerConnection } from 'werift';

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
const { RTCPeerConnection } = await import('werift');

const isHandshake = (data: Buffer): boolean => data[0] === 22 || data[0] === 20;

async function connectsWithDuplicates(t: Test, duplicating: 'offerer' | 'answerer'): Promise<number> {
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
  const pc = duplicating === 'offerer' ? offerer : answerer;
  const connection = pc.iceTransports[0]!.connection;
  const send = connection.send.bind(connection);
  let doubled = 0;
  connection.send = async (data: Buffer) => {
    await send(data);
    if (isHandshake(data)) {
      doubled++;
      await send(Buffer.from(data));
    }
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
