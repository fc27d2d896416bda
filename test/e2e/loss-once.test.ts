import t, { type Test } from 'tap';
import {
  createLossyPath,
  dropCounts,
  dropFirst,
  dtlsHandshakeMatch,
  dropNth,
  dtlsRecordMatch,
  SCTP_IP_LENGTH,
  sctpPacketMatch,
  type LossyPath,
} from '../helpers/lossy-path.js';

/**
 * Each handshake packet whose loss once broke a call, dropped on purpose:
 * the call must complete all the same. One test per werift patch (see
 * docs/WERIFT.md); each fails without its patch. The answerer is the DTLS
 * client (in B), the offerer the DTLS server (in A): a rule in A drops what
 * the answerer sent, a rule in B what the offerer sent.
 */

if (process.getuid?.() !== 0) {
  t.plan(0, 'needs root: the calls run across two network namespaces whose iptables drop chosen packets');
  process.exit(0);
}

const HANDSHAKE = {
  serverHello: 2,
  certificate: 11,
  certificateRequest: 13,
  certificateVerify: 15,
  clientKeyExchange: 16,
};
const ARGS = ['--audio', 'none', '--messages', '2', '--interval-ms', '100', '--timeout-s', '30'];

// 13 calls, some of them waiting out several retransmissions.
t.setTimeout(300_000);

let path: LossyPath;
t.before(async () => {
  path = await createLossyPath('loss-');
});
t.teardown(async () => await path.close());
t.afterEach(() => path.clear());

async function callCompletes(t: Test, what: string): Promise<void> {
  const call = await path.call(ARGS);
  const [o, a] = await Promise.all([call.offerer.result, call.answerer.result]);
  t.equal(o.code, 0, `offerer completes (${what}):\n${o.stderr.split('\n').slice(-4).join('\n')}`);
  t.equal(a.code, 0, `answerer completes (${what}):\n${a.stderr.split('\n').slice(-4).join('\n')}`);
}

t.test("the DTLS client's ClientKeyExchange lost once (its CertificateVerify arrives first)", async (t) => {
  dropFirst(path, 'A', dtlsHandshakeMatch(HANDSHAKE.clientKeyExchange));
  await callCompletes(t, 'ClientKeyExchange dropped once');
  t.same(dropCounts(path, 'A'), [1], 'exactly one ClientKeyExchange was dropped');
});

t.test("the DTLS client's Certificate lost once (its CertificateVerify arrives first)", async (t) => {
  dropFirst(path, 'A', dtlsHandshakeMatch(HANDSHAKE.certificate));
  await callCompletes(t, 'Certificate dropped once');
  t.same(dropCounts(path, 'A'), [1], "exactly one of the client's Certificates was dropped");
});

// The client sends its flight 5 on its own timer and again for each flight 4
// the server retransmits meanwhile: ten copies take it past werift's 4.5 s
// wait for a missing message, which was fatal.
t.test("the DTLS client's CertificateVerify lost ten times (its flight is complete only after seconds)", async (t) => {
  dropFirst(path, 'A', dtlsHandshakeMatch(HANDSHAKE.certificateVerify), 10);
  await callCompletes(t, 'CertificateVerify dropped ten times');
  t.same(dropCounts(path, 'A'), Array<number>(10).fill(1), 'ten CertificateVerify messages were dropped');
});

t.test("the DTLS server's CertificateRequest lost once (flight 4 arrives in part)", async (t) => {
  dropFirst(path, 'B', dtlsHandshakeMatch(HANDSHAKE.certificateRequest));
  await callCompletes(t, 'CertificateRequest dropped once');
  t.same(dropCounts(path, 'B'), [1], 'exactly one CertificateRequest was dropped');
});

// As above: flight 4 comes on the server's timer and again for each
// ClientHello the client retransmits, so ten copies span more than 4.5 s.
t.test("the DTLS server's ServerHello lost ten times (the rest of flight 4 waits for it)", async (t) => {
  dropFirst(path, 'B', dtlsHandshakeMatch(HANDSHAKE.serverHello), 10);
  await callCompletes(t, 'ServerHello dropped ten times');
  t.same(dropCounts(path, 'B'), Array<number>(10).fill(1), 'ten ServerHello messages were dropped');
});

// The last flight of the handshake has no reply to tell its sender it
// arrived: the DTLS server sends it once, and again only when the client
// retransmits its own flight (RFC 6347 section 4.2.4).
t.test("the DTLS server's final flight lost once (ChangeCipherSpec and Finished)", async (t) => {
  dropFirst(path, 'B', dtlsRecordMatch(20, 0));
  dropFirst(path, 'B', dtlsRecordMatch(22, 1));
  await callCompletes(t, 'flight 6 dropped once');
  t.same(dropCounts(path, 'B'), [1, 1], 'one ChangeCipherSpec and one Finished were dropped');
});

// patches/werift+0.24.4+014+srtp-early-media.patch: the offerer's DTLS ends
// with its final flight, its data channel opens (the SCTP association comes up
// before our DTLS says connected, patch 007) and its audio flows, while the
// answerer waits for the flight's third retransmission, seconds later. werift
// started SRTP only then and dropped what came before: the answerer heard
// none of the offerer's 150 packets, or one, and failed the call on the audio
// rule. The packets are now kept until SRTP starts.
t.test(
  "the DTLS server's final flight lost three times, with audio: the answerer hears what came before its handshake ended",
  async (t) => {
    dropFirst(path, 'B', dtlsRecordMatch(20, 0), 3);
    dropFirst(path, 'B', dtlsRecordMatch(22, 1), 3);
    const call = await path.call(['--messages', '5', '--interval-ms', '200', '--timeout-s', '30']);
    const [o, a] = await Promise.all([call.offerer.result, call.answerer.result]);
    // One rule per drop: three for the ChangeCipherSpec, three for the Finished.
    t.same(dropCounts(path, 'B'), [1, 1, 1, 1, 1, 1], 'three ChangeCipherSpecs and three Finisheds were dropped');
    const heard = a.reports.at(-1)?.audio?.received.packets ?? 0;
    t.ok(heard >= 140, `the answerer heard ${heard} of the offerer's 150 audio packets`);
    t.equal(o.code, 0, `offerer completes:\n${o.stderr.split('\n').slice(-4).join('\n')}`);
    t.equal(a.code, 0, `answerer completes:\n${a.stderr.split('\n').slice(-4).join('\n')}`);
  },
);

// patches/werift+0.24.4+015+dtls-client-final-flight-prompt.patch: with the
// final flight lost six times, the answerer's retransmission timer alone
// brought it 10.5 s after the offerer was done; the offerer's side of the call
// ran meanwhile, heard nothing for 5 s and gave up (peer_silent), and the
// answerer never connected. The server's data (its SCTP, its pings) shows that
// the flight was sent: the client asks again at once, at most every 250 ms.
t.test(
  "the DTLS server's final flight lost six times: the client asks for it again when the server's data shows it was sent",
  async (t) => {
    dropFirst(path, 'B', dtlsRecordMatch(20, 0), 6);
    dropFirst(path, 'B', dtlsRecordMatch(22, 1), 6);
    await callCompletes(t, 'flight 6 dropped six times');
    t.same(dropCounts(path, 'B'), Array(12).fill(1), 'six ChangeCipherSpecs and six Finisheds were dropped');
  },
);

// The answerer's channel opens on the DCEP OPEN and its pings follow the ACK;
// with the ACK lost they wait in the offerer's SCTP until it is retransmitted,
// and then all come out at once, with the "open" event.
t.test("the DCEP ACK lost once (the peer's first pings come with its retransmission)", async (t) => {
  dropFirst(path, 'A', sctpPacketMatch(SCTP_IP_LENGTH.dcepAck));
  await callCompletes(t, 'DCEP ACK dropped once');
  t.same(dropCounts(path, 'A'), [1], 'exactly one DCEP ACK was dropped');
});

t.test('the DCEP OPEN lost once', async (t) => {
  dropNth(path, 'B', sctpPacketMatch(SCTP_IP_LENGTH.dcepOpen), 2); // the first of that size is the INIT
  await callCompletes(t, 'DCEP OPEN dropped once');
  t.same(dropCounts(path, 'B'), [1], 'exactly one DCEP OPEN was dropped');
});

t.test('the SCTP handshake: INIT and COOKIE ECHO each lost once', async (t) => {
  dropFirst(path, 'B', sctpPacketMatch(SCTP_IP_LENGTH.init));
  dropFirst(path, 'B', sctpPacketMatch(SCTP_IP_LENGTH.cookieEcho));
  await callCompletes(t, 'INIT and COOKIE ECHO dropped once');
  t.same(dropCounts(path, 'B'), [1, 1], 'one INIT and one COOKIE ECHO were dropped');
});

// The offerer's done is its last message: once the answerer's done is in, it
// hangs up. werift's close drops what SCTP has not delivered, so the side
// that hangs up must first have its done acknowledged. The answerer sends one
// ping (its done goes early); the offerer's done follows its fifth pong, and
// from its fourth on every chat message of that size (done, alive) is lost,
// four times over: more than the answerer's grace after a bye.
t.test("the offerer's done lost until its retransmissions get through", async (t) => {
  const call = await path.call(['--audio', 'none', '--interval-ms', '300', '--timeout-s', '30'], {
    answererArgs: ['--messages', '1'],
  });
  await call.offerer.waitFor(/pong 4\/5 received/);
  dropFirst(path, 'B', sctpPacketMatch(SCTP_IP_LENGTH.shortChat), 4);
  const [o, a] = await Promise.all([call.offerer.result, call.answerer.result]);
  t.equal(o.code, 0, `offerer completes:\n${o.stderr.split('\n').slice(-4).join('\n')}`);
  t.equal(a.code, 0, `answerer completes:\n${a.stderr.split('\n').slice(-4).join('\n')}`);
  t.ok(
    dropCounts(path, 'B').some((n) => n > 0),
    "the offerer's done was dropped at least once",
  );
});

// Each lost packet of the SCTP handshake costs one T1 timeout: 3 s in werift
// (RFC 4960's RTO.Initial), 1 s with our patch, as pion's and Chrome's T1.
// Four INITs lost then took 12 s, and a call given 12 s to connect timed out.
t.test('the SCTP INIT lost four times, within a 12 s connect timeout', async (t) => {
  dropFirst(path, 'B', sctpPacketMatch(SCTP_IP_LENGTH.init), 4);
  const call = await path.call(['--audio', 'none', '--messages', '2', '--interval-ms', '100', '--timeout-s', '12']);
  const [o, a] = await Promise.all([call.offerer.result, call.answerer.result]);
  t.equal(o.code, 0, `offerer completes:\n${o.stderr.split('\n').slice(-4).join('\n')}`);
  t.equal(a.code, 0, `answerer completes:\n${a.stderr.split('\n').slice(-4).join('\n')}`);
  t.same(dropCounts(path, 'B'), [1, 1, 1, 1], 'four INITs were dropped');
});
