import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import t from 'tap';
import * as werift from 'werift';
import { measureNat } from '../../../client/nat/measure.js';
import { coturnSkipReason, startCoturn } from '../../helpers/coturn.js';

/**
 * The measurement against real STUN servers on loopback: coturn with two
 * addresses (RFC 5780), coturn with one, and small servers of our own that
 * lie in the ways the classifier must not believe.
 */

const skip = coturnSkipReason();

t.test('coturn on two addresses: RFC 5780, and loopback is no NAT at all', { skip }, async (t) => {
  const coturn = await startCoturn({ secret: 's' }, { moreListeningIps: ['127.0.0.2'] });
  t.teardown(() => coturn.stop());
  const { behaviour, observations } = await measureNat([coturn.stunUrl], werift);
  t.equal(behaviour.method, 'rfc5780');
  t.equal(behaviour.mapping, 'no-nat');
  t.equal(behaviour.filtering, 'endpoint-independent', 'nothing filters loopback');
  t.equal(behaviour.hairpin, true, 'a packet to our own address comes back');
  t.same(
    behaviour.publicAddresses.map((p) => p.destination).sort(),
    [
      `127.0.0.1:${coturn.port}`,
      `127.0.0.1:${coturn.port + 1}`,
      `127.0.0.2:${coturn.port}`,
      `127.0.0.2:${coturn.port + 1}`,
    ],
    'the primary, the other address, and the other port of each',
  );
  for (const p of behaviour.publicAddresses) t.equal(p.mapped, `127.0.0.1:${observations.localPort}`);
  t.same(behaviour.notes, []);
});

t.test("a TURN URL's STUN service is asked too; TCP and TLS URLs are not", { skip }, async (t) => {
  const coturn = await startCoturn({ secret: 's' });
  t.teardown(() => coturn.stop());
  const { behaviour, observations } = await measureNat(
    [coturn.turnUrl('udp'), coturn.turnUrl('tcp'), `turns:127.0.0.1:${coturn.port}`],
    werift,
  );
  t.equal(observations.destinations, 1);
  t.equal(behaviour.mapping, 'no-nat', 'one answer that is our own address is enough for no NAT');
  t.equal(behaviour.filtering, 'unknown', 'one address: no OTHER-ADDRESS, no filtering test');
  t.match(behaviour.notes.join(' '), /RFC 5780/);
});

t.test('no STUN server, a silent one: said plainly', async (t) => {
  const none = await measureNat([], werift);
  t.same([none.behaviour.mapping, none.behaviour.method, none.behaviour.publicAddresses], ['unknown', 'none', []]);
  t.match(none.behaviour.notes, [/no STUN server to ask/]);

  const silent = await udpServer('127.0.0.1', () => undefined);
  t.teardown(() => silent.close());
  const quiet = await measureNat([`stun:127.0.0.1:${port(silent)}`], werift, 600);
  t.equal(quiet.behaviour.mapping, 'unknown');
  t.match(quiet.behaviour.notes, [/the STUN destination did not answer/]);
  const unresolved = await measureNat(['stun:no-such-host.invalid:3478'], werift, 1_000);
  t.match(unresolved.behaviour.notes.join(' '), /no-such-host.invalid:3478: its host has no IPv4 address/);
});

t.test('a server whose OTHER-ADDRESS does not answer: filtering unknown', { skip: lacksLoopback() }, async (t) => {
  const primary = await stunServer('127.0.0.3', { otherAddress: ['127.0.0.4', 9], dropChangeRequests: true });
  t.teardown(() => primary.close());
  const { behaviour } = await measureNat([`stun:127.0.0.3:${port(primary)}`], werift, 1_500);
  t.equal(behaviour.filtering, 'unknown');
  t.match(behaviour.notes.join(' '), /OTHER-ADDRESS 127.0.0.4:9 of 127.0.0.3:\d+ did not answer/);
  t.not(behaviour.method, 'rfc5780');
});

t.test(
  'a server that answers CHANGE-REQUEST from the wrong address: filtering unknown',
  { skip: lacksLoopback() },
  async (t) => {
    // It listens on its OTHER-ADDRESS too, but answers everything from where the request went.
    const other = await stunServer('127.0.0.4', {});
    const primary = await stunServer('127.0.0.3', { otherAddress: ['127.0.0.4', port(other)] });
    t.teardown(() => {
      primary.close();
      other.close();
    });
    const { behaviour } = await measureNat([`stun:127.0.0.3:${port(primary)}`], werift, 1_500);
    t.equal(behaviour.filtering, 'unknown');
    t.match(behaviour.notes.join(' '), /answered from 127.0.0.3:\d+: it does not honour CHANGE-REQUEST/);
  },
);

t.test(
  'a server that answers from another address than it was asked at: not believed',
  { skip: lacksLoopback() },
  async (t) => {
    const elsewhere = await udpServer('127.0.0.5', () => undefined);
    const liar = await stunServer('127.0.0.3', { replyFrom: elsewhere });
    t.teardown(() => {
      liar.close();
      elsewhere.close();
    });
    const { behaviour } = await measureNat([`stun:127.0.0.3:${port(liar)}`], werift, 1_000);
    t.same(behaviour.publicAddresses, []);
    t.match(behaviour.notes.join(' '), /127.0.0.3:\d+ answered from 127.0.0.5:\d+: its answer is not used/);
  },
);

function port(socket: Socket): number {
  return socket.address().port;
}

/** 127.0.0.2-5 are loopback on Linux; elsewhere only 127.0.0.1 may be. */
function lacksLoopback(): string | false {
  return process.platform === 'linux' ? false : 'needs 127.0.0.3-5 on loopback (Linux)';
}

async function udpServer(
  address: string,
  onMessage: (data: Buffer, from: { address: string; port: number }, socket: Socket) => void,
): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.on('message', (data, rinfo) => onMessage(data, rinfo, socket));
  socket.bind(0, address);
  await once(socket, 'listening');
  return socket;
}

/** A STUN server of our own: answers every Binding request with XOR-MAPPED-ADDRESS (and OTHER-ADDRESS when given). */
function stunServer(
  address: string,
  options: { otherAddress?: [string, number]; replyFrom?: Socket; dropChangeRequests?: boolean },
): Promise<Socket> {
  return udpServer(address, (data, from, socket) => {
    const request = werift.parseMessage(data);
    if (!request || request.messageClass !== werift.classes.REQUEST) return;
    if (options.dropChangeRequests && request.attributesKeys.includes('CHANGE-REQUEST')) return;
    const response = new werift.Message(werift.methods.BINDING, werift.classes.RESPONSE, request.transactionId);
    response.setAttribute('XOR-MAPPED-ADDRESS', [from.address, from.port]);
    if (options.otherAddress) response.setAttribute('OTHER-ADDRESS', options.otherAddress);
    (options.replyFrom ?? socket).send(response.bytes, from.port, from.address);
  });
}
