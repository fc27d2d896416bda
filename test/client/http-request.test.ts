import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http, { type Server } from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo, Socket } from 'node:net';
import t, { type Test } from 'tap';
import { HttpAgents, httpRequest, type HttpRequest } from '../../client/http-request.js';
import { readBody } from '../../client/protocol-check.js';

/** The client's HTTP request (Node's own http): answers, bodies, its timeouts, TLS for https, destroy. */

async function serve(t: Test, handler: http.RequestListener): Promise<string> {
  const sockets = new Set<Socket>();
  const server: Server = http.createServer(handler);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, 'close');
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function options(t: Test, more: Partial<HttpRequest> = {}): HttpRequest {
  const agents = new HttpAgents();
  t.teardown(() => agents.destroy());
  return { method: 'GET', headers: {}, body: null, agents, timeoutMs: 2_000, connectTimeoutMs: 2_000, ...more };
}

t.test('a POST with a body: the server sees its method, headers and length; the answer is read', async (t) => {
  const url = await serve(t, (request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      response.statusCode = 201;
      response.end(
        JSON.stringify({
          method: request.method,
          length: request.headers['content-length'],
          auth: request.headers.authorization,
          text,
        }),
      );
    });
  });
  const body = '{"name":"é"}';
  const answer = await httpRequest(
    `${url}/x`,
    options(t, { method: 'POST', headers: { authorization: 'Bearer k' }, body }),
  );
  t.equal(answer.status, 201);
  t.equal(answer.headers['content-type'], 'application/json');
  t.same(JSON.parse(await readBody(answer.body, 1_000)), {
    method: 'POST',
    length: String(Buffer.byteLength(body)),
    auth: 'Bearer k',
    text: body,
  });
});

t.test('connections are kept alive and reused', async (t) => {
  const ports = new Set<number>();
  const url = await serve(t, (request, response) => {
    ports.add(request.socket.remotePort!);
    response.end('ok');
  });
  const common = options(t);
  for (let i = 0; i < 3; i++) {
    const answer = await httpRequest(url, common);
    t.equal(await readBody(answer.body, 100), 'ok');
  }
  t.equal(ports.size, 1, 'three requests, one connection');
});

t.test('no answer within timeoutMs: the request fails, saying so', async (t) => {
  const url = await serve(t, () => undefined);
  const since = performance.now();
  const error = await httpRequest(url, options(t, { timeoutMs: 300 })).catch((e: unknown) => e);
  t.match(error, { message: 'no answer within 300 ms' });
  t.ok(performance.now() - since >= 290, 'not before the timeout');
});

t.test('a body that stops coming for timeoutMs is cut short', async (t) => {
  const url = await serve(t, (_request, response) => {
    response.write('{"messages":[');
  });
  const answer = await httpRequest(url, options(t, { timeoutMs: 300 }));
  const error = await readBody(answer.body, 1_000).catch((e: unknown) => e);
  t.match(error, { message: 'no body byte for 300 ms' });
});

t.test('an abort ends a held request with the abort', async (t) => {
  const url = await serve(t, () => undefined);
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('stop')), 100);
  const error = await httpRequest(url, options(t, { signal: controller.signal })).catch((e: unknown) => e);
  t.equal((error as Error).name, 'AbortError');
  t.ok(controller.signal.aborted);
});

t.test('destroy() drops a held request at once', async (t) => {
  const url = await serve(t, () => undefined);
  const common = options(t, { timeoutMs: 10_000 });
  const held = httpRequest(url, common).catch((e: unknown) => e);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const since = performance.now();
  common.agents.destroy();
  const error = await held;
  t.type(error, Error);
  t.ok(performance.now() - since < 5_000, 'ended by destroy, not by the timeout');
});

t.test('an https URL speaks TLS: a plain-HTTP port answers it with an error, not a response', async (t) => {
  let requests = 0;
  const url = await serve(t, (_request, response) => {
    requests++;
    response.end('plain');
  });
  const error = await httpRequest(url.replace('http:', 'https:'), options(t)).catch((e: unknown) => e);
  t.type(error, Error);
  t.equal(requests, 0, 'no HTTP request was made in clear');
});

t.test('nothing listening: refused', async (t) => {
  const url = await serve(t, () => undefined);
  const closedPort = url.replace(/:\d+$/, ':9');
  const error = await httpRequest(closedPort, options(t)).catch((e: unknown) => e);
  t.match(error, { code: 'ECONNREFUSED' });
});

const run = promisify(execFile);
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

t.test(
  'https: a whole request over TLS, to a certificate the process trusts',
  { skip: hasOpenssl ? false : 'needs openssl to make a certificate' },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'http-request-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'].concat([
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ]),
      { stdio: 'ignore' },
    );
    const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (request, response) => {
      response.end(`over TLS: ${request.method} ${request.url}`);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.teardown(() => server.close());
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    // Node reads NODE_EXTRA_CA_CERTS at start: the request runs in a process of its own.
    const module = new URL('../../client/http-request.js', import.meta.url).href;
    const script = `
      import { HttpAgents, httpRequest } from ${JSON.stringify(module)};
      const agents = new HttpAgents();
      const answer = await httpRequest(${JSON.stringify(url)}, { method: 'GET', headers: {}, body: null, agents, timeoutMs: 5000, connectTimeoutMs: 5000 });
      let text = '';
      for await (const chunk of answer.body) text += chunk;
      agents.destroy();
      console.log(answer.status, text);`;
    // Not spawnSync: the server answers from this process's event loop.
    const child = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cert },
      timeout: 20_000,
    }).catch((error: Error & { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? error.message,
    }));
    t.equal(child.stdout.trim(), '200 over TLS: GET /x', child.stderr);
  },
);
