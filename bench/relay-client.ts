/**
 * The one HTTP client every relay benchmark uses, whatever the server: undici
 * pools with keep-alive, and peers that send and long-poll. The service's
 * peers register and carry tokens; the bare relay's are plain ids. Scenarios
 * see only PeerFactory and RelayPeer, so a sibling benchmark (several
 * instances, another store) can hand them its own factory.
 */
import { randomUUID } from 'node:crypto';
import { Pool, type Dispatcher } from 'undici';

/** Held polls get their own connections, so sends never queue behind them. */
export interface RelayPools {
  send: Pool;
  poll: Pool;
  close: () => Promise<void>;
}

export interface PoolSizes {
  send: number;
  poll: number;
}

export function createPools(baseUrl: string, sizes: PoolSizes): RelayPools {
  // Timeouts above any hold the benchmarks ask for (60 s at most); connecting
  // thousands of sockets at once on a busy machine can take more than undici's 10 s.
  const options = {
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
    connect: { timeout: 60_000 },
  };
  const send = new Pool(baseUrl, { ...options, connections: sizes.send });
  const poll = new Pool(baseUrl, { ...options, connections: sizes.poll });
  return {
    send,
    poll,
    close: async () => {
      await Promise.all([send.destroy(), poll.destroy()]);
    },
  };
}

/** One party to the relay: sends into peers of its group, long-polls its own mailbox. */
export interface RelayPeer {
  readonly name: string;
  send: (to: string, data: unknown) => Promise<void>;
  /** One poll held up to holdMs: the payloads that arrived, acknowledging what earlier polls returned. */
  receive: (holdMs: number, signal?: AbortSignal) => Promise<unknown[]>;
  leave: () => Promise<void>;
}

export interface PeerFactory {
  /** What the peers talk to, for tables and errors. */
  readonly kind: string;
  /** n peers that can message one another (one room, for the service), their mailboxes empty. */
  group: (label: string, n: number) => Promise<RelayPeer[]>;
}

/** Every send carries the same body to both servers. */
function messageBody(data: unknown): string {
  return JSON.stringify({ type: 'bench', data });
}

const json = { 'content-type': 'application/json' };

async function call(
  dispatcher: Dispatcher,
  request: Omit<Dispatcher.RequestOptions, 'origin'>,
  expect: number,
): Promise<unknown> {
  const { statusCode, body } = await dispatcher.request(request);
  const text = await body.text();
  if (statusCode !== expect) throw new Error(`${request.method} ${request.path}: ${statusCode} ${text.slice(0, 200)}`);
  return text === '' ? undefined : JSON.parse(text);
}

interface Envelope {
  seq?: number;
  type?: string;
  data?: unknown;
}

function messagesOf(reply: unknown): Envelope[] {
  const messages = (reply as { messages?: unknown } | undefined)?.messages;
  if (!Array.isArray(messages)) throw new Error(`poll reply without messages: ${JSON.stringify(reply)?.slice(0, 200)}`);
  return messages as Envelope[];
}

/** Peers of the signaling service: register, bearer tokens, the seq/after cursor. */
export function servicePeers(pools: RelayPools): PeerFactory {
  const register = async (room: string, name: string): Promise<{ peer: RelayPeer; drain: () => Promise<void> }> => {
    const base = `/v1/rooms/${room}/peers`;
    const reply = (await call(
      pools.send,
      { method: 'POST', path: base, headers: json, body: JSON.stringify({ name }) },
      201,
    )) as { token: string };
    const auth = { authorization: `Bearer ${reply.token}` };
    let cursor = 0;
    const poll = async (holdMs: number, signal?: AbortSignal): Promise<Envelope[]> => {
      const path = `${base}/${name}/messages?after=${cursor}&timeoutMs=${holdMs}`;
      const messages = messagesOf(await call(pools.poll, { method: 'GET', path, headers: auth, signal }, 200));
      cursor = messages.at(-1)?.seq ?? cursor;
      return messages;
    };
    const peer: RelayPeer = {
      name,
      send: async (to, data) => {
        await call(
          pools.send,
          { method: 'POST', path: `${base}/${to}/messages`, headers: { ...json, ...auth }, body: messageBody(data) },
          202,
        );
      },
      // peer-joined and peer-left are the service's own; the benchmark relays only its payloads.
      receive: async (holdMs, signal) =>
        (await poll(holdMs, signal)).filter((m) => !m.type?.startsWith('peer-')).map((m) => m.data),
      leave: async () => {
        await call(pools.send, { method: 'DELETE', path: `${base}/${name}`, headers: auth }, 204);
      },
    };
    return {
      peer,
      drain: async () => {
        while ((await poll(0)).length > 0);
      },
    };
  };
  return {
    kind: 'service',
    group: async (label, n) => {
      const room = `${label}-${randomUUID().slice(0, 8)}`;
      const registered = [];
      for (let i = 0; i < n; i++) registered.push(await register(room, `p${i}`));
      // Earlier peers hold peer-joined for later ones: read them now, outside any measurement.
      await Promise.all(registered.map((r) => r.drain()));
      return registered.map((r) => r.peer);
    },
  };
}

/** Peers of bench/bare-relay.ts: an id is all there is. */
export function barePeers(pools: RelayPools): PeerFactory {
  const peer = (id: string): RelayPeer => ({
    name: id,
    send: async (to, data) => {
      await call(pools.send, { method: 'POST', path: `/relay/${to}`, headers: json, body: messageBody(data) }, 202);
    },
    receive: async (holdMs, signal) =>
      messagesOf(await call(pools.poll, { method: 'GET', path: `/relay/${id}?timeoutMs=${holdMs}`, signal }, 200)).map(
        (m) => m.data,
      ),
    leave: async () => {},
  });
  return {
    kind: 'bare',
    group: async (label, n) => {
      const prefix = `${label}-${randomUUID().slice(0, 8)}`;
      return Array.from({ length: n }, (_, i) => peer(`${prefix}-p${i}`));
    },
  };
}
