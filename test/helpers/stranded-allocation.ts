import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import * as werift from 'werift';
import type { Coturn } from './coturn.js';

/**
 * An allocation left standing on a 5-tuple, as a crashed client (or a NAT
 * that hands the mapping to someone else) leaves it: coturn answers any
 * other Allocate from that 5-tuple with 437 until the allocation expires.
 */

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
export async function strandAllocation(server: Coturn, user: { username: string; password: string }): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const allocate = (): werift.Message =>
    new werift.Message(werift.methods.ALLOCATE, werift.classes.REQUEST).setAttribute('REQUESTED-TRANSPORT', 17 << 24);
  const challenge = await ask(socket, server, allocate());
  const realm = String(challenge?.getAttributeValue('REALM'));
  const request = allocate()
    .setAttribute('USERNAME', user.username)
    .setAttribute('REALM', realm)
    .setAttribute('NONCE', challenge?.getAttributeValue('NONCE'))
    .addMessageIntegrity(werift.makeIntegrityKey(user.username, realm, user.password));
  const granted = await ask(socket, server, request);
  const port = socket.address().port;
  socket.close();
  if (granted?.messageClass !== werift.classes.RESPONSE)
    throw new Error('coturn did not grant the stranded allocation');
  return port;
}
