import { Writable } from 'node:stream';
import t from 'tap';
import * as werift from 'werift';
import { NatExchange, noNatFields } from '../../../client/nat/exchange.js';
import { createLogger } from '../../../client/log.js';
import type { NatMessage } from '../../../signaling/protocol.js';

const logged: string[] = [];
const log = createLogger({
  level: 'info',
  color: false,
  out: new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(chunk.toString());
      done();
    },
  }),
});
const peerNat: NatMessage = {
  mapping: 'endpoint-independent',
  filtering: 'address-and-port-dependent',
  hairpin: false,
  publicAddresses: [{ destination: '203.0.113.10:3478', mapped: '203.0.113.102:4000' }],
  method: 'rfc5780',
  notes: [],
  turn: 'udp',
};
const empty = noNatFields;
const message = (data: unknown) => ({ seq: 1, type: 'nat', from: 'offerer', ts: 0, data });

t.test('our measurement goes out once per call, the prediction once both are in', async (t) => {
  const exchange = new NatExchange([], Promise.resolve(werift), { turn: null, relayOnly: false }, log);
  const fields = empty();
  const sent: NatMessage[] = [];
  exchange.onPeerMessage(message(peerNat));
  exchange.callStarted(fields, async (data) => {
    sent.push(data);
  });
  await exchange.measured;
  t.equal(sent.length, 1, 'sent as soon as measured');
  t.match(sent[0], { mapping: 'unknown', method: 'none', asked: 0, turn: null, relayOnly: false });
  t.same(fields.peerNat, peerNat, 'a nat message that came before the call is kept for it');
  t.equal(
    fields.prediction?.direct,
    'unknown',
    'nothing measured here, and the peer is no open door: nothing to predict from',
  );
  t.match(logged.join(''), /prediction: unknown — /);

  exchange.onPeerMessage(message({ mapping: 'sideways' }));
  t.match(logged.join(''), /ignored a malformed nat message from offerer/);
  t.same(fields.peerNat, peerNat, 'a malformed one changes nothing');

  exchange.callEnded();
  const next = empty();
  exchange.callStarted(next, async (data) => {
    sent.push(data);
  });
  t.equal(sent.length, 2, 'the next call sends it again');
  t.equal(next.peerNat, null, "the last call's peer measurement is not carried over");
});

t.test("the peer's report is worth a wait unless the peer has spoken without a nat message", async (t) => {
  const exchange = new NatExchange([], Promise.resolve(werift), { turn: null, relayOnly: false }, log);
  exchange.callStarted(empty(), async () => undefined);
  t.equal(exchange.peerSkipsNat, false, 'not heard from yet: it may only be behind us');
  exchange.onPeerMessage({ seq: 2, type: 'answer', from: 'answerer', ts: 0, data: { type: 'answer', sdp: '' } });
  t.equal(exchange.peerSkipsNat, true, 'it answered without a nat message: an older CLI or another stack');
  exchange.onPeerMessage(message(peerNat));
  t.equal(exchange.peerSkipsNat, false, 'its nat message came');
  exchange.callEnded();
  t.equal(exchange.peerSkipsNat, false, 'the next call starts afresh');
});
