import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { createTurnClient } from 'werift';
import { coturnForFile } from '../helpers/coturn.js';
import { strandAllocation } from '../helpers/stranded-allocation.js';

/**
 * patches/werift+0.24.4+018+turn-allocation-mismatch.patch: when the TURN
 * server answers werift's Allocate with 437 (Allocation Mismatch: it still
 * holds an allocation on that 5-tuple, as after a NAT reused a mapping or a
 * client crashed), werift asks again from another local port, twice at most,
 * instead of giving up the relay candidate for the whole call. Here a real
 * coturn holds an allocation on the first port of werift's port range.
 */

const USER = { username: 'lab', password: 'pass' };
const { skip, coturn } = await coturnForFile(USER);

t.test('an Allocate refused with 437 is made again from the next port of the range', { skip }, async (t) => {
  const server = coturn!;
  const stranded = await strandAllocation(server, USER);
  const turn = await createTurnClient(
    { address: ['127.0.0.1', server.port], username: USER.username, password: USER.password },
    { portRange: [stranded, stranded + 50] },
  );
  t.teardown(() => turn.close());
  t.match(await server.waitForLog(/error 437/), /error 437/, 'coturn refused the first port with 437');
  t.ok(turn.relayedAddress, `relayed at ${String(turn.relayedAddress)}`);
  t.not(turn.transport.address.port, stranded, 'from another port');
});

t.test('any other refusal is not asked again from another port', { skip }, async (t) => {
  const server = coturn!;
  const before = server.log().split('\n').length;
  await t.rejects(
    createTurnClient({ address: ['127.0.0.1', server.port], username: USER.username, password: 'wrong' }),
    'a wrong password fails',
  );
  // coturn's log is read as it comes: wait for the refusal, and a moment for any retry after it.
  await server.waitForLog(/user <lab>: .*error 401/);
  await sleep(300);
  const sessions = new Set(
    server
      .log()
      .split('\n')
      .slice(before)
      .flatMap((line) => /session (\d+): realm <[^>]*> user <lab>: .*error 401/.exec(line)?.[1] ?? []),
  );
  t.equal(sessions.size, 1, 'its 401s all came from one 5-tuple');
});
