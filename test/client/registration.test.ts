import t from 'tap';
import { buildCli, toOptions } from '../../client/cli.js';
import { ClientError } from '../../client/errors.js';
import { register } from '../../client/registration.js';
import { SignalingClient } from '../../client/signaling-client.js';
import { captureLog } from '../helpers/call-harness.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { startService } from '../helpers/processes.js';

/** The registration policy of CLI.md against the real service (a fault proxy where it must misbehave). */

const service = await startService(['--api-key', 'k']);
t.teardown(() => service.stop());
let rooms = 0;

function setup(url: string, extra: string[] = []) {
  const options = toOptions(
    buildCli().parseSync([
      '--role',
      'offerer',
      '--signaling-addr',
      url,
      '--room',
      `reg-${++rooms}`,
      '--api-key',
      'k',
      ...extra,
    ]),
  );
  const { log, lines } = captureLog();
  const client = new SignalingClient(url, { apiKey: options.apiKey, log });
  t.teardown(() => client.destroy());
  return { options, log, lines, client };
}

t.test('a busy service (503) is retried until it lets us in', async (t) => {
  let attempts = 0;
  const proxy = await startFaultProxy(service.url, (req) =>
    req.method === 'POST' && ++attempts <= 2
      ? { status: 503, body: { error: 'store_unavailable', message: 'warming up' } }
      : 'pass',
  );
  t.teardown(() => proxy.close());
  const { options, log, lines, client } = setup(proxy.url);
  const registration = await register(client, options, log, new AbortController().signal);
  t.equal(registration.name, 'offerer');
  t.equal(attempts, 3);
  t.ok(
    lines.some((l) => /not answering .*retrying/.test(l)),
    'says it is retrying',
  );
});

t.test('unreachable for longer than --timeout-s allows: signaling_unreachable', async (t) => {
  const gone = await startFaultProxy(service.url, () => 'pass');
  const url = gone.url;
  await gone.close();
  const { options, log, client } = setup(url, ['--timeout-s', '0.5']);
  const error = await register(client, options, log, new AbortController().signal).catch((e: unknown) => e);
  t.type(error, ClientError);
  t.equal((error as ClientError).code, 'signaling_unreachable');
  t.match((error as ClientError).message, /did not let us register within 0\.5 s/);
});

t.test('a wrong API key is refused at once, with a hint', async (t) => {
  const { options, log, client } = setup(service.url, ['--api-key', 'nope']);
  const error = await register(client, options, log, new AbortController().signal).catch((e: unknown) => e);
  t.equal((error as ClientError).code, 'signaling_refused');
  t.match((error as ClientError).message, /401 unauthorized: .*\(wrong --api-key\?\)/);
});

t.test('a held name: wait while its holder lives, register once it leaves', async (t) => {
  const first = setup(service.url);
  const holder = new SignalingClient(service.url, { apiKey: 'k', log: first.log });
  t.teardown(() => holder.destroy());
  await holder.register(first.options.room, 'offerer', {});
  const waiting = register(first.client, first.options, first.log, new AbortController().signal);
  while (!first.lines.some((l) => /held by a live peer/.test(l))) await new Promise((r) => setTimeout(r, 20));
  await holder.leave();
  t.equal((await waiting).name, 'offerer');
});

t.test('an abort while retrying ends the wait with the abort reason', async (t) => {
  const proxy = await startFaultProxy(service.url, () => ({
    status: 503,
    body: { error: 'store_unavailable', message: 'down' },
  }));
  t.teardown(() => proxy.close());
  const { options, log, client } = setup(proxy.url);
  const abort = new AbortController();
  const waiting = register(client, options, log, abort.signal);
  while (proxy.seen.length < 2) await new Promise((r) => setTimeout(r, 20));
  abort.abort(new ClientError('interrupted', 'Ctrl-C'));
  await t.rejects(waiting, { name: 'ClientError', code: 'interrupted' });
});
