/**
 * onRequest checks that answer before the body is read, in the protocol's
 * order: names in the path (400), then credentials (401).
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ProtocolError } from './errors.js';
import { isValidName } from './names.js';
import type { Store } from './store/store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The peer whose token authorised this request. */
    peerName?: string;
  }
}

type Hook = (request: FastifyRequest) => Promise<void>;

interface PathParams {
  room?: string;
  peer?: string;
}

export async function checkPathNames(request: FastifyRequest): Promise<void> {
  const params = request.params as PathParams;
  for (const value of [params.room, params.peer]) {
    if (value !== undefined && !isValidName(value)) throw new ProtocolError('invalid_name');
  }
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}

function digest(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

/** Register: the server's API key, when it has one. */
export function requireApiKey(apiKey: string | undefined): Hook {
  const expected = apiKey === undefined ? undefined : digest(apiKey);
  return async (request) => {
    if (expected === undefined) return;
    const presented = bearer(request);
    if (presented === undefined || !timingSafeEqual(digest(presented), expected))
      throw new ProtocolError('unauthorized');
  };
}

/**
 * Every other call: a live peer's token. With `self`, it must be the token of
 * the peer named in the path.
 */
export function requirePeer(store: Store, scope: 'member' | 'self'): Hook {
  return async (request) => {
    const token = bearer(request);
    if (token === undefined) throw new ProtocolError('unauthorized');
    const params = request.params as PathParams;
    const name = await store.identify(params.room ?? '', token);
    if (name === undefined || (scope === 'self' && name !== params.peer)) throw new ProtocolError('unauthorized');
    request.peerName = name;
  };
}
