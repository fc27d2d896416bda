import t from 'tap';
import * as werift from 'werift';
import { checkTurn, type TurnTarget } from '../../../client/nat/turn-check.js';
import { coturnForFile, type Coturn } from '../../helpers/coturn.js';
import { strandAllocation } from '../../helpers/stranded-allocation.js';

/**
 * The TURN check a peer runs beside werift's own allocation, against a real
 * coturn: a grant it gives back at once, a refusal by its code, and a 5-tuple
 * on which coturn still holds an allocation (437), which says nothing of the
 * credential and must not be reported as the relay's verdict.
 */

const USER = { username: 'lab', password: 'pass' };
const { skip, coturn } = await coturnForFile(USER);

const targetOf = (server: Coturn, password = USER.password): TurnTarget => ({
  url: server.turnUrl('udp'),
  host: '127.0.0.1',
  port: server.port,
  transport: 'udp',
  username: USER.username,
  password,
});

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
  const stranded = await strandAllocation(server, USER);
  t.equal(await checkTurn(targetOf(server), werift, 3_000, stranded), null, 'the second socket gets its grant');
  t.match(await server.waitForLog(/error 437/), /error 437/, 'coturn did answer the first socket with 437');
});
