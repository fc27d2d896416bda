import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fake signaling service that answers what a hostile or broken one would:
 * garbage, HTML, JSON of the wrong shape, huge, truncated or no answer at
 * all. Everything it does not override answers as protocol v1 does, enough
 * for one bin/client to register, send and poll. Each poll, register, send
 * and leave is answered by the plan's function for it, given how many of its
 * kind came before.
 */
export type Reply =
  /** Status, headers and body as given. */
  | { status: number; contentType?: string; body: string | Buffer }
  /** A 200 that promises `length` bytes, sends `body`, and cuts the connection. */
  | { truncate: string; length: number }
  /** Never answers (the connection stays open until the client or close() ends it). */
  | 'hang';

export interface HostilePlan {
  /** The peers the registration reply says are here. */
  peers?: string[];
  register?: (index: number) => Reply | undefined;
  poll?: (index: number) => Reply | undefined;
  send?: (index: number) => Reply | undefined;
  leave?: (index: number) => Reply | undefined;
}

export interface HostileService {
  url: string;
  /** Requests seen, as `METHOD kind` (kind: register, poll, send, leave, other). */
  seen: string[];
  close(): Promise<void>;
}

export const json = (value: unknown, status = 200): Reply => ({
  status,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(value),
});

/** A poll's messages, with seqs from `first` on. */
export const messages = (list: Array<{ type: string; from?: string; data?: unknown }>, first = 1): Reply =>
  json({
    messages: list.map((m, i) => ({
      seq: first + i,
      type: m.type,
      from: m.from ?? 'peer',
      ts: 0,
      data: m.data ?? null,
    })),
  });

type Kind = 'register' | 'poll' | 'send' | 'leave' | 'other';

function kindOf(req: IncomingMessage): Kind {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (req.method === 'POST' && /^\/v1\/rooms\/[^/]+\/peers$/.test(path)) return 'register';
  if (req.method === 'GET' && path.endsWith('/messages')) return 'poll';
  if (req.method === 'POST' && path.endsWith('/messages')) return 'send';
  if (req.method === 'DELETE') return 'leave';
  return 'other';
}

export async function startHostileService(plan: HostilePlan): Promise<HostileService> {
  const seen: string[] = [];
  const counts = new Map<Kind, number>();
  const sockets = new Set<Socket>();
  const held = new Set<ServerResponse>();
  const defaults: Record<Kind, (req: IncomingMessage, body: string) => Reply | Promise<Reply>> = {
    register: (_req, body) => {
      const name = (JSON.parse(body) as { name?: string }).name ?? 'me';
      return json(
        {
          room: 'r',
          name,
          token: 'token',
          peers: plan.peers ?? [],
          iceServers: [],
          pollTimeoutMs: 1000,
          ttlMs: 30_000,
        },
        201,
      );
    },
    // Held like the real service's long poll, then empty.
    poll: async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return messages([]);
    },
    send: () => json({ seq: 1 }, 202),
    leave: () => ({ status: 204, body: '' }),
    other: () => json({ error: 'not_found', message: 'no such route' }, 404),
  };
  const server = createServer((req, res) => {
    const kind = kindOf(req);
    const index = counts.get(kind) ?? 0;
    counts.set(kind, index + 1);
    seen.push(`${req.method} ${kind}`);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const planned = kind === 'other' ? undefined : plan[kind]?.(index);
      void Promise.resolve(planned ?? defaults[kind](req, Buffer.concat(chunks).toString())).then((reply) =>
        answer(res, reply, held),
      );
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

function answer(res: ServerResponse, reply: Reply, held: Set<ServerResponse>): void {
  if (res.destroyed) return;
  if (reply === 'hang') {
    held.add(res);
    res.on('close', () => held.delete(res));
    return;
  }
  if ('truncate' in reply) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(reply.length) });
    res.write(reply.truncate, () => res.destroy());
    return;
  }
  res.writeHead(reply.status, reply.contentType ? { 'content-type': reply.contentType } : {});
  res.end(reply.body);
}
