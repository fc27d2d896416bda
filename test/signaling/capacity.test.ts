/**
 * --max-peers: a leave or an expiry frees its place at once, on both stores;
 * nothing waits for a sweep.
 */
import t from 'tap';
import { buildTestServer, forEachStore, manualClock } from '../helpers/server.js';
import { join, leave, register } from '../helpers/protocol-client.js';

forEachStore(t, async (t, kind) => {
  t.test('with the limit reached, a leave frees its place for the next register', async (t) => {
    const app = await buildTestServer(t, kind, { maxPeers: 3 });
    const peers = [await join(app, 'a', 'p0'), await join(app, 'b', 'p1'), await join(app, 'c', 'p2')];
    t.equal((await register(app, 'd', { name: 'late' })).body.error, 'server_full');
    for (let round = 0; round < 30; round++) {
      const gone = peers[round % 3]!;
      t.equal((await leave(app, gone)).status, 204);
      const next = await register(app, `room${round}`, { name: `q${round}` });
      if (next.status !== 201) {
        t.fail(`round ${round}: ${next.status} ${next.text}`);
        return;
      }
      peers[round % 3] = next.body;
      t.equal((await register(app, 'd', { name: 'late' })).body.error, 'server_full', `round ${round}: full again`);
    }
    t.pass('30 leaves, 30 registers, each place free the moment its leave answered');
  });

  t.test('an expiry frees its place, even in a room nobody visits', async (t) => {
    const clock = manualClock();
    const app = await buildTestServer(t, kind, { maxPeers: 2, ttlMs: 1000 }, { clock });
    await join(app, 'quiet', 'a');
    await join(app, 'other', 'b');
    t.equal((await register(app, 'new', { name: 'c' })).body.error, 'server_full');
    clock.advance(999);
    t.equal((await register(app, 'new', { name: 'c' })).body.error, 'server_full', 'not before its time');
    clock.advance(1);
    const c = await register(app, 'new', { name: 'c' });
    t.equal(c.status, 201, 'at its time, with no sweep in between');
    t.equal((await register(app, 'quiet', { name: 'a' })).status, 201, 'and the expired name is free');
  });
});
