import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { binEnv, signalingBin, startSignaling, type SignalingProcess } from '../helpers/signaling.js';
import { parseSignalingArgs } from '../../signaling/cli.js';
import { redisSkipReason, startRedis } from '../helpers/redis.js';

interface Registered {
  name: string;
  token: string;
  pollTimeoutMs: number;
  ttlMs: number;
  iceServers: unknown[];
}

async function registerOver(url: string, room: string, name: string): Promise<Registered> {
  const response = await fetch(`${url}/v1/rooms/${room}/peers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  return (await response.json()) as Registered;
}

/**
 * The service on each store: the memory store holds polls in the process, the
 * Redis store through pub/sub; SIGTERM must answer them either way. Redis is
 * skipped, with the reason, where redis-server is not installed.
 */
const STORES = ['memory', 'redis'] as const;

/** Skips a Redis run, with the reason, where redis-server is not installed. */
const skipOn = (store: (typeof STORES)[number]): { skip: string | false } => ({
  skip: store === 'redis' ? redisSkipReason() : false,
});

async function serviceOn(t: Test, store: (typeof STORES)[number]): Promise<SignalingProcess> {
  if (store === 'memory') return await startSignaling();
  const redis = await startRedis();
  t.teardown(redis.stop);
  return await startSignaling(['--store', `redis://127.0.0.1:${redis.port}/0`]);
}

for (const store of STORES)
  t.test(
    `bin/signaling serves, and SIGTERM answers a held poll and exits 0 (${store} store)`,
    skipOn(store),
    async (t) => {
      const service = await serviceOn(t, store);
      t.teardown(async () => {
        await service.stop('SIGKILL');
      });
      t.same(await (await fetch(`${service.url}/healthz`)).json(), { status: 'ok' });
      const peer = await registerOver(service.url, 'lab', 'a');
      const held = fetch(`${service.url}/v1/rooms/lab/peers/a/messages?timeoutMs=60000`, {
        headers: { authorization: `Bearer ${peer.token}` },
      });
      // The poll is held once the service reports it.
      for (;;) {
        const metrics = await (await fetch(`${service.url}/metrics`)).text();
        if (/^signaling_polls_held 1$/m.test(metrics)) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const code = service.stop('SIGTERM');
      const answer = await held;
      t.equal(answer.status, 200);
      t.same(await answer.json(), { messages: [] });
      t.equal(await code, 0);
      const log = service.lines.join('\n');
      t.notMatch(log, peer.token, 'the token never reaches the log');
      t.match(log, /"msg":"closed"/);
    },
  );

t.test('no secret reaches the logs: tokens, the API key, the TURN secret, the Redis password', async (t) => {
  const reason = redisSkipReason();
  if (reason !== false) {
    t.plan(0, reason);
    return;
  }
  const password = 'redis-PASSWORD-8e1f';
  const apiKey = 'api-KEY-2c7d';
  const turnSecret = 'turn-SECRET-5a9b';
  const redis = await startRedis(undefined, ['--requirepass', password]);
  t.teardown(redis.stop);
  const service = await startSignaling([
    '--store',
    `redis://:${password}@127.0.0.1:${redis.port}/0`,
    '--api-key',
    apiKey,
    '--turn',
    'turn:turn.example:3478',
    '--turn-secret',
    turnSecret,
    '--log-level',
    'trace',
  ]);
  let stderr = '';
  service.child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  t.teardown(async () => {
    await service.stop('SIGKILL');
  });
  const call = async (method: string, path: string, secret?: string, body?: unknown): Promise<Response> =>
    await fetch(service.url + path, {
      method,
      headers: {
        ...(secret === undefined ? {} : { authorization: `Bearer ${secret}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const a = (await (await call('POST', '/v1/rooms/lab/peers', apiKey, { name: 'a' })).json()) as Registered;
  const b = (await (await call('POST', '/v1/rooms/lab/peers', apiKey, { name: 'b' })).json()) as Registered;
  t.equal((await call('POST', '/v1/rooms/lab/peers', 'wrong', { name: 'c' })).status, 401);
  t.equal((await call('POST', '/v1/rooms/lab/peers/b/messages', a.token, { type: 'offer', data: 1 })).status, 202);
  t.equal((await call('GET', '/v1/rooms/lab/peers/b/messages?timeoutMs=0', b.token)).status, 200);
  t.equal((await call('GET', '/v1/rooms/lab/peers/b/messages?timeoutMs=0', a.token)).status, 401);
  t.equal((await call('DELETE', '/v1/rooms/lab/peers/a', a.token)).status, 204);
  t.equal(await service.stop('SIGTERM'), 0);
  const log = service.lines.join('\n') + stderr;
  t.match(log, /"msg":"listening"/);
  t.match(log, /"msg":"peer registered"/, 'the log is not empty');
  const credential = (b.iceServers[0] as { credential?: string } | undefined)?.credential ?? '';
  t.not(credential, '', 'a TURN credential was handed out');
  const secrets: Array<[string, string]> = [
    ['the Redis password', password],
    ['the API key', apiKey],
    ['the TURN secret', turnSecret],
    ['a TURN credential', credential],
    ["a's token", a.token],
    ["b's token", b.token],
  ];
  for (const [label, secret] of secrets) {
    t.notOk(log.includes(secret), `${label} is not in the log`);
  }

  const refused = spawnSync(process.execPath, [signalingBin, '--store', `postgres://user:${password}@db.example/x`], {
    encoding: 'utf8',
    env: binEnv(),
  });
  t.equal(refused.status, 2);
  t.match(refused.stderr, /^signaling: --store is memory or redis/);
  t.notOk(refused.stderr.includes(password), 'nor in the refusal of a bad --store');
});

for (const store of STORES)
  t.test(
    `SIGTERM with requests half-received: held polls answered, the rest cut, exit 0 (${store} store)`,
    skipOn(store),
    async (t) => {
      const service = await serviceOn(t, store);
      t.teardown(async () => {
        await service.stop('SIGKILL');
      });
      const { hostname, port } = new URL(service.url);
      const opened: Socket[] = [];
      const open = async (bytes: string): Promise<Socket> => {
        const socket = connect(Number(port), hostname);
        socket.on('error', () => undefined);
        // Read what comes back, so the service's end of the connection is seen.
        socket.resume();
        await once(socket, 'connect');
        socket.write(bytes);
        opened.push(socket);
        return socket;
      };
      t.teardown(() => {
        for (const socket of opened) socket.destroy();
      });
      const peer = await registerOver(service.url, 'lab', 'a');
      const held = fetch(`${service.url}/v1/rooms/lab/peers/a/messages?timeoutMs=60000`, {
        headers: { authorization: `Bearer ${peer.token}` },
      });
      // Half the headers; all the headers and a tenth of the body; a keep-alive connection between requests.
      const cut = [
        await open('POST /v1/rooms/lab/peers HTTP/1.1\r\nHost: x\r\nContent-Ty'),
        await open(
          'POST /v1/rooms/lab/peers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":',
        ),
        await open('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'),
      ];
      for (;;) {
        const metrics = await (await fetch(`${service.url}/metrics`)).text();
        if (/^signaling_polls_held 1$/m.test(metrics)) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // A cut may come as a reset: wait for 'close', whatever error precedes it.
      const closed = cut.map(
        async (socket) =>
          await new Promise((resolve) => {
            if (socket.destroyed) resolve(undefined);
            else socket.once('close', resolve);
          }),
      );
      const code = service.stop('SIGTERM');
      const answer = await held;
      t.equal(answer.status, 200, 'the held poll is answered');
      t.same(await answer.json(), { messages: [] });
      await Promise.all(closed);
      t.pass('every half-received connection was closed by the service');
      t.equal(await code, 0, 'and the process exits 0, before its 2 s deadline');
      t.notMatch(service.lines.join('\n'), /shutdown took too long/);
    },
  );

t.test('settings come from SIGNALING_* variables; a flag wins and replaces a list', async (t) => {
  const env = {
    ...process.env,
    SIGNALING_POLL_TIMEOUT_MS: '1234',
    SIGNALING_TTL_MS: '4321',
    SIGNALING_STUN: 'stun:a.example:3478,stun:b.example:3478',
    // What Kubernetes sets for a Service named signaling: names no flag, so it is ignored.
    SIGNALING_SERVICE_HOST: '10.0.0.9',
  };
  const fromEnv = await startSignaling([], env);
  t.teardown(async () => {
    await fromEnv.stop();
  });
  const one = await registerOver(fromEnv.url, 'lab', 'x');
  t.equal(one.pollTimeoutMs, 1234);
  t.equal(one.ttlMs, 4321);
  t.same(one.iceServers, [{ urls: ['stun:a.example:3478'] }, { urls: ['stun:b.example:3478'] }]);

  const flagged = await startSignaling(['--ttl-ms', '999', '--stun', 'stun:c.example:3478'], env);
  t.teardown(async () => {
    await flagged.stop();
  });
  const two = await registerOver(flagged.url, 'lab', 'y');
  t.equal(two.ttlMs, 999, 'the flag wins');
  t.equal(two.pollTimeoutMs, 1234, 'other variables still apply');
  t.same(two.iceServers, [{ urls: ['stun:c.example:3478'] }], 'the flag replaces the list');
});

t.test('--register-rate and --trust-proxy come from flags or SIGNALING_* variables', async (t) => {
  const saved = { rate: process.env.SIGNALING_REGISTER_RATE, proxy: process.env.SIGNALING_TRUST_PROXY };
  t.teardown(() => {
    for (const [name, value] of [
      ['SIGNALING_REGISTER_RATE', saved.rate],
      ['SIGNALING_TRUST_PROXY', saved.proxy],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  t.match(await parseSignalingArgs([]), { run: true, config: { registerRate: 20, trustProxy: [] } }, 'the defaults');
  process.env.SIGNALING_REGISTER_RATE = '0';
  process.env.SIGNALING_TRUST_PROXY = '10.0.0.0/8,loopback';
  t.match(await parseSignalingArgs([]), {
    run: true,
    config: { registerRate: 0, trustProxy: ['10.0.0.0/8', 'loopback'] },
  });
  t.match(await parseSignalingArgs(['--register-rate', '500', '--trust-proxy', '::1']), {
    run: true,
    config: { registerRate: 500, trustProxy: ['::1'] },
  });
});

t.test('--help exits 0 and a bad flag exits 2, as processes', async (t) => {
  const help = spawnSync(process.execPath, [signalingBin, '--help'], { encoding: 'utf8', env: binEnv() });
  t.equal(help.status, 0);
  t.match(help.stdout, /--poll-timeout-ms/);
  const bad = spawnSync(process.execPath, [signalingBin, '--bogus'], { encoding: 'utf8', env: binEnv() });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /^signaling: Unknown argument: bogus/);
});

t.test('--help lists every setting with its default', async (t) => {
  const parsed = await parseSignalingArgs(['--help']);
  t.equal(parsed.run, false);
  const output = parsed.run ? '' : parsed.output;
  for (const flag of [
    '--host',
    '--port',
    '--poll-timeout-ms',
    '--ttl-ms',
    '--max-body-bytes',
    '--max-queue',
    '--max-room-peers',
    '--max-peers',
    '--rate',
    '--register-rate',
    '--trust-proxy',
    '--api-key',
    '--cors-origin',
    '--stun',
    '--turn',
    '--turn-secret',
    '--turn-username',
    '--turn-password',
    '--turn-ttl-s',
    '--store',
    '--log-level',
  ]) {
    t.match(output, flag);
  }
  t.match(output, /default: 25000/);
});

t.test('bad flags and values are refused with a reason', async (t) => {
  for (const args of [
    ['--bogus'],
    ['--port', 'x'],
    ['--port', '70000'],
    ['--ttl-ms', '0'],
    ['--rate', '1.5'],
    ['--register-rate', '-1'],
    ['--trust-proxy', 'proxy.example'],
    ['--trust-proxy', '10.0.0.0/33'],
    ['--store', 'postgres://x'],
    ['--stun', 'http://x'],
    ['--turn', 'stun:x'],
    ['--turn-username', 'u'],
    ['--turn-secret', 's', '--turn-username', 'u', '--turn-password', 'p'],
    ['--log-level', 'loud'],
    ['--api-key', ''],
    ['--cors-origin', ''],
  ]) {
    const parsed = await parseSignalingArgs(args);
    t.same(parsed.run ? 'ran' : parsed.exitCode, 2, args.join(' '));
    t.match(parsed.run ? '' : parsed.output, /^signaling: .+/, `${args.join(' ')}: says why`);
  }
  const ok = await parseSignalingArgs([
    '--port',
    '0',
    '--stun',
    'stun:a:3478,stun:b:3478',
    '--turn',
    'turn:t:3478',
    '--turn-secret',
    's',
  ]);
  t.match(ok, {
    run: true,
    config: { port: 0, stun: ['stun:a:3478', 'stun:b:3478'], turn: ['turn:t:3478'], turnSecret: 's' },
  });
});
