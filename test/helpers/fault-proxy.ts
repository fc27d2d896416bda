import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of the real signaling service that injects the
 * faults a network or a failing store can cause, so that the client's answer
 * to them can be tested against the real service. Each request goes through
 * `fault(req, index)`: 'pass' forwards it, 'drop-response' forwards it and
 * then cuts the connection instead of answering (the request took effect, the
 * client never hears), a number answers with that status itself, a function
 * rewrites the path before forwarding.
 */
export type Fault =
  | 'pass'
  | 'drop-response'
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { rewritePath: string };

export interface FaultProxy {
  url: string;
  /** Every request seen: method, path, headers. */
  seen: Array<{ method: string; path: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

export async function startFaultProxy(
  target: string,
  fault: (req: IncomingMessage, index: number) => Fault,
): Promise<FaultProxy> {
  const seen: FaultProxy['seen'] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const index = seen.length;
    seen.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers });
    const action = fault(req, index);
    if (typeof action === 'object' && 'status' in action) {
      req.resume();
      res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
      res.end(JSON.stringify(action.body ?? { error: 'injected', message: 'injected by the test proxy' }));
      return;
    }
    const path = typeof action === 'object' ? action.rewritePath : (req.url ?? '/');
    forward(req, res, upstream, path, action === 'drop-response');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function forward(req: IncomingMessage, res: ServerResponse, upstream: URL, path: string, dropResponse: boolean): void {
  const out = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path,
      headers: { ...req.headers, host: upstream.host },
    },
    (answer) => {
      if (dropResponse) {
        answer.resume();
        answer.once('end', () => res.socket?.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  out.on('error', () => res.socket?.destroy());
  req.pipe(out);
}
