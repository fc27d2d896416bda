/**
 * Protocol calls for tests, over `inject`. Each returns the status, headers
 * and parsed body, so a test asserts on exactly what a client would see.
 */
import type { FastifyInstance } from 'fastify';
import type { ErrorBody, PollReply, RegisterReply, SendReply } from '../../signaling/protocol.js';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: T;
  text: string;
}

type Json = Record<string, unknown>;

/** The fields of an error body, present when the call was refused. */
export type Refusal = Partial<ErrorBody>;

function answer<T>(response: { statusCode: number; headers: Answer['headers']; body: string }): Answer<T> {
  let body: unknown = null;
  if (response.body !== '') body = JSON.parse(response.body);
  return { status: response.statusCode, headers: response.headers, body: body as T, text: response.body };
}

export type Registered = RegisterReply;

export async function register(
  app: FastifyInstance,
  room: string,
  body?: Json,
  headers: Record<string, string> = {},
): Promise<Answer<Registered & Refusal>> {
  return answer(
    await app.inject({
      method: 'POST',
      url: `/v1/rooms/${room}/peers`,
      headers,
      ...(body === undefined ? {} : { payload: body }),
    }),
  );
}

/** Registers and fails loudly if the service refuses. */
export async function join(app: FastifyInstance, room: string, name?: string, meta?: Json): Promise<Registered> {
  const body: Json = {};
  if (name !== undefined) body.name = name;
  if (meta !== undefined) body.meta = meta;
  const result = await register(app, room, body);
  if (result.status !== 201) throw new Error(`register ${room}/${name ?? '?'}: ${result.status} ${result.text}`);
  return result.body;
}

export async function send(
  app: FastifyInstance,
  from: Registered,
  to: string,
  body: Json | string,
  headers: Record<string, string> = {},
): Promise<Answer<SendReply & Refusal>> {
  return answer(
    await app.inject({
      method: 'POST',
      url: `/v1/rooms/${from.room}/peers/${to}/messages`,
      headers: { authorization: `Bearer ${from.token}`, 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

export async function poll(
  app: FastifyInstance,
  peer: Registered,
  query = 'timeoutMs=0',
): Promise<Answer<PollReply & Refusal>> {
  return answer(
    await app.inject({
      method: 'GET',
      url: `/v1/rooms/${peer.room}/peers/${peer.name}/messages?${query}`,
      headers: { authorization: `Bearer ${peer.token}` },
    }),
  );
}

export async function leave(app: FastifyInstance, peer: Registered): Promise<Answer> {
  return answer(
    await app.inject({
      method: 'DELETE',
      url: `/v1/rooms/${peer.room}/peers/${peer.name}`,
      headers: { authorization: `Bearer ${peer.token}` },
    }),
  );
}

export async function list(
  app: FastifyInstance,
  peer: Registered,
): Promise<Answer<{ peers: Array<{ name: string; joinedAt: number; meta: Json }> }>> {
  return answer(
    await app.inject({
      method: 'GET',
      url: `/v1/rooms/${peer.room}/peers`,
      headers: { authorization: `Bearer ${peer.token}` },
    }),
  );
}

/** A poll over real HTTP, for tests where holding and timing matter. */
export async function httpPoll(
  url: string,
  peer: Registered,
  query: string,
  signal?: AbortSignal,
): Promise<Answer<PollReply & Refusal>> {
  const response = await fetch(`${url}/v1/rooms/${peer.room}/peers/${peer.name}/messages?${query}`, {
    headers: { authorization: `Bearer ${peer.token}` },
    ...(signal === undefined ? {} : { signal }),
  });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), body: JSON.parse(text), text };
}

export async function httpSend(
  url: string,
  from: Registered,
  to: string,
  body: Json,
): Promise<Answer<SendReply & Refusal>> {
  const response = await fetch(`${url}/v1/rooms/${from.room}/peers/${to}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${from.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), body: JSON.parse(text), text };
}

/** Any call over real HTTP: the status and the parsed body (null when empty). */
export async function httpCall<T>(
  url: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url + path, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
}
