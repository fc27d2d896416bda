import { spawn } from 'node:child_process';
import { once } from 'node:events';
import t from 'tap';
import { coturnSkipReason, startCoturn } from '../helpers/coturn.js';

/**
 * patches/werift+0.24.4+019+turn-close-ends-refresh.patch: closing werift's
 * TURN client ends the sleep before its next allocation refresh. werift
 * only flagged the loop to stop, so a closed client still held the event
 * loop for 5/6 of the allocation's lifetime (500 s for coturn's 600): a
 * process that had closed everything did not exit. Here a process allocates
 * on a real coturn, closes the client and must then exit by itself.
 */

const skip = coturnSkipReason();
const USER = { username: 'lab', password: 'pass' };

t.test('a process whose TURN client is closed exits by itself', { skip }, async (t) => {
  const server = await startCoturn(USER);
  t.teardown(() => server.stop());
  const script = `
    const { createTurnClient } = require('werift');
    createTurnClient({ address: ['127.0.0.1', ${server.port}], username: 'lab', password: 'pass' })
      .then(async (turn) => { console.log('allocated', String(turn.relayedAddress)); await turn.close(); console.log('closed'); });
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  // Far beyond the process's own work (~0.5 s), far below the 500 s it used to sleep.
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(killer);
  t.match(out, /allocated 127\.0\.0\.1,\d+\nclosed\n/, 'it allocated and closed');
  t.same({ code, signal }, { code: 0, signal: null }, 'it exited on its own');
});
