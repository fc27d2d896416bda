import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { createTurnClient } from 'werift';
import { coturnSkipReason, startCoturn } from '../helpers/coturn.js';

/**
 * patches/werift+0.24.4+020+turn-unsigned-challenges.patch: a TURN server
 * answers a signed request it refuses with a 401 or 438 that carries no
 * MESSAGE-INTEGRITY (it cannot sign with a key it does not accept; RFC 8656's
 * own examples answer a signed Refresh with an unsigned 438). werift dropped
 * every unsigned answer to a signed request, so a wrong or expired credential
 * was retransmitted into a 6 s timeout instead of a 401, and a stale nonce
 * mid-call ended the relay instead of being asked again with the new nonce,
 * which werift also sent with its old signature still in it. Against a real
 * coturn.
 */

const skip = coturnSkipReason();
const USER = { username: 'lab', password: 'pass' };

t.test('a wrong password is refused with its 401, not a timeout', { skip }, async (t) => {
  const server = await startCoturn(USER);
  t.teardown(() => server.stop());
  const error: unknown = await createTurnClient({
    address: ['127.0.0.1', server.port],
    username: USER.username,
    password: 'wrong',
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal(error instanceof Error && error.constructor.name, 'TransactionFailed', 'the transaction ended on an answer');
  const response = (error as { response?: { getAttributeValue: (key: string) => unknown } }).response;
  t.same(response?.getAttributeValue('ERROR-CODE'), [401, 'Unauthorized']);
});

t.test('a stale nonce (438) mid-session is asked again with the new nonce', { skip }, async (t) => {
  const server = await startCoturn(USER, { moreArgs: ['--stale-nonce=1'] });
  t.teardown(() => server.stop());
  const turn = await createTurnClient({ address: ['127.0.0.1', server.port], ...USER });
  t.teardown(() => turn.close());
  await sleep(2_500);
  await t.resolves(turn.getPermission(['127.0.0.1', 9]), 'the permission is granted');
  await server.waitForLog(/CREATE_PERMISSION processed, success/);
  t.match(
    server.log(),
    /error 438: Stale nonce[\s\S]*CREATE_PERMISSION processed, success/,
    'coturn granted it after a 438',
  );
});
