/**
 * The random steps of the model-based property test: each one is made over
 * HTTP (inject) against the service and against the protocol model, and the
 * two answers must agree, status, error code, headers and body text. The
 * client side (who it has registered, its cursors, its last keyed send) lives
 * in the harness; the truth lives in the model.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { errorCatalogue } from '../../signaling/errors.js';
import type { Store } from '../../signaling/store/store.js';
import type { MPeer, Outcome, ProtocolModel } from './protocol-model.js';
import type { ManualClock } from './server.js';

export interface Identity {
  room: string;
  name: string;
  token: string;
  /** The last seq this client saw in a poll response that reached it. */
  cursor: number;
  lastSend?: { to: string; payload: string; type: string; relayed: string; key: string };
}

export interface Harness {
  app: FastifyInstance;
  store: Store;
  clock: ManualClock & { set: (now: number) => void };
  identities: Identity[];
  config: { pollTimeoutMs: number; ttlMs: number };
  /** How often each kind of answer came up ("send 429 rate_limited"), to show what a run covered. */
  seen: Map<string, number>;
}

interface Observed {
  status: number;
  text: string;
  headers: Record<string, unknown>;
}

const rooms = ['r1', 'r2'];
const names = ['a', 'b', 'c', undefined];
const addresses = ['192.0.2.1', '192.0.2.2'];
/** [as sent, as relayed]. */
const metas: Array<[string | undefined, string]> = [
  [undefined, '{}'],
  ['{"role":"offerer"}', '{"role":"offerer"}'],
  ['{"z":1,"2":[{"y":null}],"big":12345678901234567890}', '{"z":1,"2":[{"y":null}],"big":12345678901234567890}'],
  [' { "s" : "é \\u00e9" } ', '{"s":"é \\u00e9"}'],
];
const datas: Array<[string | undefined, string]> = [
  [undefined, 'null'],
  ['{"b":1,"10":[true,null]}', '{"b":1,"10":[true,null]}'],
  ['"x\\u0000🎉"', '"x\\u0000🎉"'],
  [' [ 1 , { "a" : "b c" } ] ', '[1,{"a":"b c"}]'],
  ['-0.5e-7', '-0.5e-7'],
];
const types = ['offer', 'candidate', 'bye', 'x-1', 'peer-joined'];
const keys = [undefined, 'k1', 'k2', 'a key with spaces'];

function fail(step: string, detail: string, observed: Observed): never {
  throw new Error(`${step}: ${detail}; the service answered ${observed.status} ${observed.text}`);
}

/** Requires the service's answer to be the model's. */
function agree(h: Harness, step: string, observed: Observed, expected: Outcome, okStatus: number): void {
  const kind = `${step.split(' ')[0]} ${observed.status} ${expected.ok ? '' : expected.code}`.trim();
  h.seen.set(kind, (h.seen.get(kind) ?? 0) + 1);
  if (expected.ok) {
    if (observed.status !== okStatus) fail(step, `expected ${okStatus}`, observed);
    if (expected.text !== undefined && observed.text !== expected.text)
      fail(step, `expected the text ${expected.text}`, observed);
    if (expected.seq !== undefined && observed.text !== `{"seq":${expected.seq}}`)
      fail(step, `expected seq ${expected.seq}`, observed);
    return;
  }
  const status = (errorCatalogue as Record<string, { status: number }>)[expected.code]?.status;
  if (observed.status !== status) fail(step, `expected ${status} ${expected.code}`, observed);
  const body = JSON.parse(observed.text) as Record<string, unknown>;
  const wanted: Record<string, unknown> = { error: expected.code, message: body.message };
  if (expected.retryAfterMs !== undefined) wanted.retryAfterMs = expected.retryAfterMs;
  if (typeof body.message !== 'string' || JSON.stringify(body) !== JSON.stringify(wanted))
    fail(step, `expected ${JSON.stringify(wanted)}`, observed);
  const header = observed.headers['retry-after'];
  const retryAfter = expected.retryAfterS === undefined ? undefined : String(expected.retryAfterS);
  if (header !== retryAfter) fail(step, `expected retry-after ${retryAfter}, got ${String(header)}`, observed);
}

async function call(
  h: Harness,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  options: { token?: string; payload?: string; key?: string; address?: string } = {},
): Promise<Observed> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.payload !== undefined) headers['content-type'] = 'application/json';
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
  const response = await h.app.inject({
    method,
    url,
    headers,
    ...(options.payload === undefined ? {} : { payload: options.payload }),
    remoteAddress: options.address ?? '192.0.2.200',
  });
  return { status: response.statusCode, text: response.body, headers: response.headers };
}

/** Moves time 1 ms; a peer due by then is expired first, so that no call ever finds one due. */
async function tick(m: ProtocolModel, h: Harness, ms = 1): Promise<void> {
  for (;;) {
    const next = m.nextToExpire();
    if (next === undefined || next.expiresAt > m.now + ms) break;
    await expireNext(m, h, next);
  }
  m.now += ms;
  h.clock.set(m.now);
}

async function expireNext(m: ProtocolModel, h: Harness, next: MPeer): Promise<void> {
  m.now = next.expiresAt;
  h.clock.set(m.now);
  m.remove(next, 'expired');
  await h.store.sweep();
}

/** Mostly one the model says is live (two in three), else any, gone ones included. */
function pick(m: ProtocolModel, h: Harness, index: number): Identity | undefined {
  const live = h.identities.filter((i) => m.byToken(i.room, i.token) !== undefined);
  const from = index % 3 !== 0 && live.length > 0 ? live : h.identities;
  return from.length === 0 ? undefined : from[Math.floor(index / 3) % from.length];
}

type Step = fc.AsyncCommand<ProtocolModel, Harness, false>;

function step(label: string, run: (m: ProtocolModel, h: Harness) => Promise<void>): Step {
  return { check: () => true, run, toString: () => label };
}

const register = fc
  .record({ room: fc.nat(1), name: fc.nat(3), address: fc.nat(1), meta: fc.nat(3), empty: fc.boolean() })
  .map(({ room: r, name: n, address: a, meta: k, empty }) => {
    const room = rooms[r]!;
    const name = names[n];
    const [sent, relayed] = metas[k]!;
    const fields = [
      ...(name === undefined ? [] : [`"name":"${name}"`]),
      ...(sent === undefined ? [] : [`"meta":${sent}`]),
    ];
    const payload = fields.length === 0 && empty ? '' : `{${fields.join(',')}}`;
    return step(`register ${room} ${name ?? '(any)'} from ${addresses[a]} ${payload}`, async (m, h) => {
      await tick(m, h);
      const observed = await call(h, 'POST', `/v1/rooms/${room}/peers`, { payload, address: addresses[a]! });
      const refusal = m.registerRefusal(room, name, addresses[a]!);
      if (refusal !== undefined) {
        agree(h, 'register', observed, refusal, 201);
        return;
      }
      if (observed.status !== 201) fail('register', 'expected 201', observed);
      const body = JSON.parse(observed.text) as Record<string, unknown>;
      const chosen = String(body.name);
      if (name !== undefined ? chosen !== name : !/^peer-[A-Za-z0-9]{8}$/.test(chosen) || m.find(room, chosen))
        fail('register', `a bad name ${chosen}`, observed);
      const token = String(body.token);
      const others = m.joined(room, chosen, token, relayed, addresses[a]!);
      const expected = { room, name: chosen, token, peers: others, iceServers: [], ...h.config };
      if (JSON.stringify(body) !== JSON.stringify(expected))
        fail('register', `expected ${JSON.stringify(expected)}`, observed);
      h.identities.push({ room, name: chosen, token, cursor: 0 });
      h.seen.set('register 201', (h.seen.get('register 201') ?? 0) + 1);
    });
  });

async function sendAs(
  m: ProtocolModel,
  h: Harness,
  who: Identity,
  to: string,
  payload: string,
  type: string,
  relayed: string,
  key: string | undefined,
): Promise<Observed> {
  await tick(m, h);
  const observed = await call(h, 'POST', `/v1/rooms/${who.room}/peers/${to}/messages`, {
    token: who.token,
    payload,
    ...(key === undefined ? {} : { key }),
  });
  const from = m.byToken(who.room, who.token);
  if (from === undefined) agree(h, 'send', observed, { ok: false, code: 'unauthorized' }, 202);
  else if (type.startsWith('peer-')) agree(h, 'send', observed, { ok: false, code: 'reserved_type' }, 202);
  else {
    const seq = observed.status === 202 ? (JSON.parse(observed.text) as { seq: number }).seq : undefined;
    agree(h, 'send', observed, m.send(from, to, type, relayed, key, seq), 202);
  }
  return observed;
}

const send = fc
  .record({ who: fc.nat(20), to: fc.nat(20), type: fc.nat(4), data: fc.nat(4), key: fc.nat(3), drop: fc.boolean() })
  .map(({ who, to, type: t, data: d, key: k, drop }) => {
    const type = types[t]!;
    const [sent, relayed] = datas[d]!;
    const key = keys[k];
    const payload = `{"type":"${type}"${sent === undefined ? '' : `,"data":${sent}`}}`;
    return step(`send #${who} -> #${to} ${payload} key=${key ?? '-'}${drop ? ' (answer lost)' : ''}`, async (m, h) => {
      const sender = pick(m, h, who);
      if (sender === undefined) return;
      // Mostly to a live peer of the sender's room; sometimes to any name the client knows, or nobody's.
      const roomPeers = m.rooms.get(sender.room) ?? [];
      const target =
        to % 7 === 6
          ? 'nobody'
          : to % 7 === 5 || roomPeers.length === 0
            ? (pick(m, h, to)?.name ?? 'nobody')
            : roomPeers[to % roomPeers.length]!.name;
      await sendAs(m, h, sender, target, payload, type, relayed, key);
      if (key !== undefined) sender.lastSend = { to: target, payload, type, relayed, key };
    });
  });

const retry = fc.record({ who: fc.nat(20) }).map(({ who }) =>
  step(`retry #${who}'s last keyed send`, async (m, h) => {
    const sender = pick(m, h, who);
    const last = sender?.lastSend;
    if (sender === undefined || last === undefined) return;
    await sendAs(m, h, sender, last.to, last.payload, last.type, last.relayed, last.key);
  }),
);

const cursors = ['seen', 'zero', 'last', 'past', 'random', 'garbage', 'twice'] as const;

const poll = fc
  .record({ who: fc.nat(20), cursor: fc.nat(6), random: fc.nat(12), drop: fc.boolean(), foreign: fc.nat(9) })
  .map(({ who, cursor: c, random, drop, foreign }) => {
    const cursor = cursors[c]!;
    const label = `poll #${who} after=${cursor}${drop ? ' (answer lost)' : ''}${foreign === 0 ? " with another's token" : ''}`;
    return step(label, async (m, h) => {
      const owner = pick(m, h, who);
      if (owner === undefined) return;
      await tick(m, h);
      const bearer = foreign === 0 ? (pick(m, h, who + 1) ?? owner) : owner;
      const peer = m.byToken(owner.room, bearer.token);
      const self = peer !== undefined && peer.name === owner.name ? peer : undefined;
      const last = self?.lastSeq ?? 0;
      const after = {
        seen: String(owner.cursor),
        zero: '0',
        last: String(last),
        past: String(last + 1),
        random: String(random % (last + 3)),
        garbage: ['x', '-1', '1.5', '', '1e1'][random % 5]!,
        twice: `${owner.cursor}&after=${owner.cursor}`,
      }[cursor];
      const observed = await call(
        h,
        'GET',
        `/v1/rooms/${owner.room}/peers/${owner.name}/messages?after=${after}&timeoutMs=0`,
        {
          token: bearer.token,
        },
      );
      let expected: Outcome;
      if (self === undefined) expected = { ok: false, code: 'unauthorized' };
      else if (!/^[0-9]{1,15}$/.test(after)) expected = { ok: false, code: 'invalid_cursor' };
      else expected = m.poll(self, Number(after));
      agree(h, label, observed, expected, 200);
      if (!drop && observed.status === 200) {
        const seqs = (JSON.parse(observed.text) as { messages: Array<{ seq: number }> }).messages.map((x) => x.seq);
        owner.cursor = Math.max(owner.cursor, ...seqs);
      }
    });
  });

const leave = fc.record({ who: fc.nat(20) }).map(({ who }) =>
  step(`leave #${who}`, async (m, h) => {
    const owner = pick(m, h, who);
    if (owner === undefined) return;
    await tick(m, h);
    const observed = await call(h, 'DELETE', `/v1/rooms/${owner.room}/peers/${owner.name}`, { token: owner.token });
    const peer = m.byToken(owner.room, owner.token);
    if (peer === undefined) {
      agree(h, 'leave', observed, { ok: false, code: 'unauthorized' }, 204);
      return;
    }
    agree(h, 'leave', observed, { ok: true, text: '' }, 204);
    m.remove(peer, 'left');
  }),
);

const list = fc.record({ who: fc.nat(20) }).map(({ who }) =>
  step(`list by #${who}`, async (m, h) => {
    const viewer = pick(m, h, who);
    if (viewer === undefined) return;
    await tick(m, h);
    const observed = await call(h, 'GET', `/v1/rooms/${viewer.room}/peers`, { token: viewer.token });
    const peer = m.byToken(viewer.room, viewer.token);
    agree(h, 'list', observed, peer === undefined ? { ok: false, code: 'unauthorized' } : m.list(peer), 200);
  }),
);

/** Time passes (up to the idempotency window and past it) without reaching the next expiry. */
const advance = fc.constantFrom(1, 10, 333, 999, 60_000, 200_000).map((ms) =>
  step(`advance ${ms} ms`, async (m, h) => {
    const next = m.nextToExpire();
    const by = next === undefined ? ms : Math.min(ms, next.expiresAt - m.now - 1);
    if (by > 0) {
      m.now += by;
      h.clock.set(m.now);
    }
  }),
);

/** Time jumps to the next expiry: exactly that peer expires. */
const expire = fc.constant(
  step('expire the next peer due', async (m, h) => {
    const next = m.nextToExpire();
    if (next !== undefined) await expireNext(m, h, next);
  }),
);

export const protocolSteps = fc.commands(
  [register, register, register, send, send, send, send, retry, poll, poll, leave, list, advance, expire],
  { maxCommands: 40, size: 'max' },
);
