import t from 'tap';
import { request } from 'undici';
import { readBody, TooLargeError } from '../../client/protocol-check.js';
import { SignalingClient, SignalingProtocolError } from '../../client/signaling-client.js';
import { captureLog } from '../helpers/call-harness.js';
import { json, startHostileService } from '../helpers/hostile-service.js';

/** SignalingClient against answers that are not protocol v1 (the CLI's side: test/e2e/client-hostile-service.test.ts). */

t.test('a poll answered with the wrong shape is a SignalingProtocolError naming what came back', async (t) => {
  const service = await startHostileService({
    poll: () => ({ status: 200, contentType: 'text/html', body: '<html>\u0000login</html>' }),
  });
  t.teardown(() => service.close());
  const client = new SignalingClient(service.url, { log: captureLog().log });
  t.teardown(() => client.destroy());
  await client.register('r', 'me', {});
  const error = await client.poll(0, 100).catch((e: unknown) => e);
  t.type(error, SignalingProtocolError);
  const e = error as SignalingProtocolError;
  t.equal(e.status, 200);
  t.equal(e.contentType, 'text/html');
  t.equal(e.preview, '"<html>\\u0000login</html>"', 'first bytes, quoted, control characters escaped');
  t.match(e.message, `${service.url} answered 200 with text/html, 19 bytes, not this protocol`);
});

t.test('a send answered with garbage is retried with the same key until it is answered properly', async (t) => {
  const service = await startHostileService({
    send: (i) => (i < 2 ? json({ seq: 'one' }, 202) : undefined),
  });
  t.teardown(() => service.close());
  const client = new SignalingClient(service.url, { log: captureLog().log });
  t.teardown(() => client.destroy());
  await client.register('r', 'me', {});
  t.equal(await client.send('peer', 'chat', { text: 'hi' }), 1);
  t.equal(service.seen.filter((s) => s.endsWith('send')).length, 3);
});

t.test('an answer past the size limit is not read to the end', async (t) => {
  const service = await startHostileService({ poll: () => json({ messages: 'x'.repeat(1_000_000) }) });
  t.teardown(() => service.close());
  const response = await request(`${service.url}/v1/rooms/r/peers/me/messages`);
  const error = await readBody(response.body, 64 * 1024).catch((e: unknown) => e);
  t.type(error, TooLargeError);
  t.match((error as Error).message, 'more than 65536 bytes: stopped reading');
});
