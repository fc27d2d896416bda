import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import t from 'tap';
import { coturnSkipReason, startCoturn } from '../helpers/coturn.js';
import { stunBinding } from '../helpers/stun-binding.js';

/**
 * test/helpers/coturn.ts itself: ready means it answers STUN, stop leaves
 * nothing behind, and a port another process holds is an error, not a hang
 * (coturn on its own retries that bind for ever).
 */

const skip = coturnSkipReason();

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

t.test('started: answers STUN on its port; stopped: process and temp dir gone', { skip }, async (t) => {
  const coturn = await startCoturn({ username: 'u', password: 'p' });
  t.teardown(() => coturn.stop());
  t.ok(alive(coturn.pid), `turnserver runs as pid ${coturn.pid}`);
  const mapped = await stunBinding(coturn.port, 10_000);
  t.equal(mapped.address, '127.0.0.1', `STUN answers with the mapped address (${mapped.address}:${mapped.port})`);
  t.match(coturn.log(), /Default realm: webrtc-lab-test/, 'the realm is set');
  t.ok(existsSync(coturn.logFile), 'the log is in its temp dir');
  await coturn.stop();
  t.notOk(alive(coturn.pid), 'stopped by PID');
  t.notOk(existsSync(coturn.dir), 'temp dir removed');
});

t.test('a listening port another process holds: an error, not a hang', { skip }, async (t) => {
  const holder = createServer().listen(0, '127.0.0.1');
  await once(holder, 'listening');
  t.teardown(() => holder.close());
  const { port } = holder.address() as { port: number };
  await t.rejects(startCoturn({ secret: 's' }, { port }), /coturn cannot listen on 127\.0\.0\.1:\d+/);
});
