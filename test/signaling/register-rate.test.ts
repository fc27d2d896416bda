/**
 * Registration has a rate of its own, per client address: churn from one
 * address is bounded, other addresses are not slowed, refusals use up
 * nothing, and behind a trusted proxy the address is the forwarded one.
 */
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestServer, forEachStore, manualClock } from '../helpers/server.js';
import { join, list } from '../helpers/protocol-client.js';

async function registerFrom(
  app: FastifyInstance,
  address: string,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; error: string | undefined; retryAfter: unknown; message: string | undefined }> {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/rooms/lab/peers',
    remoteAddress: address,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  });
  const parsed = response.json<{ error?: string; message?: string }>();
  return {
    status: response.statusCode,
    error: parsed.error,
    message: parsed.message,
    retryAfter: response.headers['retry-after'],
  };
}

forEachStore(t, async (t, kind) => {
  t.test('a burst of --register-rate from one address, then 429 with retry-after; refills with time', async (t) => {
    const clock = manualClock();
    const app = await buildTestServer(t, kind, { registerRate: 3 }, { clock });
    for (let i = 0; i < 3; i++) t.equal((await registerFrom(app, '192.0.2.1')).status, 201, `registration ${i + 1}`);
    const refused = await registerFrom(app, '192.0.2.1', { name: 'late' });
    t.match(refused, { status: 429, error: 'rate_limited', retryAfter: '1', message: /registrations/ });
    t.equal((await registerFrom(app, '192.0.2.2')).status, 201, 'another address is not slowed');
    clock.advance(333);
    t.equal((await registerFrom(app, '192.0.2.1')).status, 429, 'a third of a second is 999 thousandths of a token');
    clock.advance(1);
    t.equal((await registerFrom(app, '192.0.2.1', { name: 'late' })).status, 201, 'and 1 ms more is one');
    const peer = await join(app, 'lab', 'viewer');
    t.same(
      (await list(app, peer)).body.peers.filter((p) => p.name === 'late').length,
      1,
      'the refused registration changed nothing',
    );
  });

  t.test('refused registrations do not use up rate', async (t) => {
    const clock = manualClock();
    const app = await buildTestServer(t, kind, { registerRate: 2, maxRoomPeers: 2 }, { clock });
    t.equal((await registerFrom(app, '192.0.2.9', { name: 'a' })).status, 201);
    for (let i = 0; i < 5; i++) {
      t.equal((await registerFrom(app, '192.0.2.9', { name: 'a' })).error, 'name_taken');
      t.equal((await registerFrom(app, '192.0.2.9', { name: 'bad name' })).error, 'invalid_name');
    }
    t.equal((await registerFrom(app, '192.0.2.9', { name: 'b' })).status, 201, 'the second token is still there');
    t.equal((await registerFrom(app, '192.0.2.7', { name: 'c' })).error, 'room_full');
    t.equal((await registerFrom(app, '192.0.2.9', { name: 'd' })).error, 'rate_limited', 'spent: rate before state');
  });

  t.test('--register-rate 0 is no limit', async (t) => {
    const app = await buildTestServer(t, kind, { registerRate: 0, maxRoomPeers: 1000 });
    for (let i = 0; i < 100; i++) {
      const result = await registerFrom(app, '192.0.2.3');
      if (result.status !== 201) t.fail(`registration ${i}: ${result.status}`);
    }
    t.pass('100 registrations from one address');
  });

  t.test('behind a trusted proxy the forwarded address counts; an untrusted one is ignored', async (t) => {
    const clock = manualClock();
    const trusted = await buildTestServer(t, kind, { registerRate: 1, trustProxy: ['10.0.0.0/8'] }, { clock });
    for (const client of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
      const through = await registerFrom(trusted, '10.1.2.3', {}, { 'x-forwarded-for': client });
      t.equal(through.status, 201, `${client} through the proxy`);
    }
    t.equal(
      (await registerFrom(trusted, '10.1.2.3', {}, { 'x-forwarded-for': '198.51.100.1' })).status,
      429,
      'the same client again',
    );
    const direct = await buildTestServer(t, kind, { registerRate: 1 }, { clock });
    t.equal((await registerFrom(direct, '10.1.2.3', {}, { 'x-forwarded-for': '198.51.100.1' })).status, 201);
    t.equal(
      (await registerFrom(direct, '10.1.2.3', {}, { 'x-forwarded-for': '198.51.100.2' })).status,
      429,
      'a header from an untrusted peer does not make it a new client',
    );
  });

  if (kind.name === 'redis') {
    t.test('instances on one Redis share each address bucket', async (t) => {
      const clock = manualClock();
      const settings = await kind.settings(t);
      const one = await buildTestServer(t, kind, { ...settings, registerRate: 2 }, { clock });
      const two = await buildTestServer(t, kind, { ...settings, registerRate: 2 }, { clock });
      t.equal((await registerFrom(one, '192.0.2.5')).status, 201);
      t.equal((await registerFrom(two, '192.0.2.5')).status, 201);
      t.equal((await registerFrom(one, '192.0.2.5')).status, 429);
      t.equal((await registerFrom(two, '192.0.2.5')).status, 429);
    });
  }
});
