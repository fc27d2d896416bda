import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import t from 'tap';
import * as werift from 'werift';
import { checkTurn, type TurnTarget } from '../../../client/nat/turn-check.js';
import { coturnSkipReason, startCoturn, type Coturn } from '../../helpers/coturn.js';

/**
 * The TURN check a peer runs beside werift's own allocation, against a real
 * coturn: a grant it gives back at once, a refusal by its code, and a 5-tuple
 * on which coturn still holds an allocation (437), which says nothing of the
 * credential and must not be reported as the relay's verdict.
 */

const skip = coturnSkipReason();
const USER = { username: 'lab', password: 'pass' };
let coturn: Coturn | undefined;
if (skip === false) {
  coturn = await startCoturn(USER);
  t.teardown(() => coturn?.stop());
}

const targetOf = (server: Coturn, password = USER.password): TurnTarget => ({
  url: server.turnUrl('udp'),
  host: '127.0.0.1',
  port: server.port,
  transport: 'udp',
  username: USER.username,
  password,
});

/** One STUN request from `socket`, answered or null after 2 s. */
async function ask(
  socket: ReturnType<typeof createSocket>,
  server: Coturn,
  request: werift.Message,
): Promise<werift.Message | null> {
  const answer = new Promise<werift.Message | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), 2_000);
    socket.on('message', (data) => {
      const message = werift.parseMessage(data);
      if (message?.transactionIdHex !== request.transactionIdHex) return;
      clearTimeout(timer);
      resolve(message);
    });
  });
  socket.send(request.bytes, server.port, '127.0.0.1');
  return answer;
}

/** An allocation made from a port of our own and left standing, as a crashed client leaves it; resolves that port. */
async function strandAllocation(server: Coturn): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const allocate = (): werift.Message =>
    new werift.Message(werift.methods.ALLOCATE, werift.classes.REQUEST).setAttribute('REQUESTED-TRANSPORT', 17 << 24);
  const challenge = await ask(socket, server, allocate());
  const realm = String(challenge?.getAttributeValue('REALM'));
  const request = allocate()
    .setAttribute('USERNAME', USER.username)
    .setAttribute('REALM', realm)
    .setAttribute('NONCE', challenge?.getAttributeValue('NONCE'))
    .addMessageIntegrity(werift.makeIntegrityKey(USER.username, realm, USER.password));
  const granted = await ask(socket, server, request);
  const port = socket.address().port;
  socket.close();
  if (granted?.messageClass !== werift.classes.RESPONSE)
    throw new Error('coturn did not grant the stranded allocation');
  return port;
}

t.test('a grant: no error, and the allocation is given back at once', { skip }, async (t) => {
  const server = coturn!;
  t.equal(await checkTurn(targetOf(server), werift), null);
  await server.waitForLog(/refreshed, realm=<[^>]*>, username=<lab>, lifetime=0/);
  t.pass('coturn saw the Refresh with LIFETIME 0');
});

t.test('a wrong password: 401 by code and reason', { skip }, async (t) => {
  const server = coturn!;
  t.same(await checkTurn(targetOf(server, 'wrong'), werift), {
    url: server.turnUrl('udp'),
    code: 401,
    reason: 'Unauthorized',
  });
});

t.test('a 5-tuple coturn still holds: asked again from a fresh socket, not reported as a 437', { skip }, async (t) => {
  const server = coturn!;
  const stranded = await strandAllocation(server);
  t.equal(await checkTurn(targetOf(server), werift, 3_000, stranded), null, 'the second socket gets its grant');
  t.match(server.log(), /error 437/, 'coturn did answer the first socket with 437');
});
