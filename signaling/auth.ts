/**
 * onRequest checks that answer before the body is read, in the protocol's
 * order: names in the path (400), then credentials (401). Each route has one
 * callback hook doing both: an async hook per check costs a promise and a
 * hook-runner turn on every request.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { ProtocolError } from './errors.js';
import { isValidName } from './names.js';
import type { Store } from './store/store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The peer whose token authorised this request. */
    peerName?: string;
    /** A token the store is yet to check, with the action itself (requireToken). */
    presented?: { token: string; scope: Scope } | undefined;
  }
}

type Scope = 'member' | 'self';

interface PathParams {
  room?: string;
  peer?: string;
}

function pathNamesValid(params: PathParams): boolean {
  return (
    (params.room === undefined || isValidName(params.room)) && (params.peer === undefined || isValidName(params.peer))
  );
}

const bearerPattern = /^Bearer +(\S+) *$/i;

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  return bearerPattern.exec(header)?.[1];
}

function digest(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

/** The protocol's first two checks of a peer's call: the names in the path, then a bearer token. */
function tokenOrRefusal(request: FastifyRequest): string | ProtocolError {
  if (!pathNamesValid(request.params as PathParams)) return new ProtocolError('invalid_name');
  return bearer(request) ?? new ProtocolError('unauthorized');
}

/** A token's live holder (undefined: none) may act as `scope` asks: any member, or the peer in the path itself. */
function entitled(name: string | undefined, scope: Scope, params: PathParams): name is string {
  return name !== undefined && (scope === 'member' || name === params.peer);
}

/** Register: valid names, then the server's API key, when it has one. */
export function requireApiKey(apiKey: string | undefined): onRequestHookHandler {
  const expected = apiKey === undefined ? undefined : digest(apiKey);
  return (request, _reply, done) => {
    if (!pathNamesValid(request.params as PathParams)) {
      done(new ProtocolError('invalid_name'));
      return;
    }
    if (expected !== undefined) {
      const presented = bearer(request);
      if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
        done(new ProtocolError('unauthorized'));
        return;
      }
    }
    done();
  };
}

/**
 * Every other call: valid names, then a live peer's token. With `self`, it
 * must be the token of the peer named in the path.
 */
export function requirePeer(store: Store, scope: Scope): onRequestHookHandler {
  return (request, _reply, done) => {
    const token = tokenOrRefusal(request);
    if (token instanceof ProtocolError) {
      done(token);
      return;
    }
    const params = request.params as PathParams;
    store.identify(params.room ?? '', token).then((name) => {
      if (!entitled(name, scope, params)) {
        done(new ProtocolError('unauthorized'));
        return;
      }
      request.peerName = name;
      done();
    }, done);
  };
}

/**
 * Send and poll: valid names and a bearer token, which the store then checks
 * in the same step as the action (one Redis round trip instead of two). The
 * route clears `presented` once the store has the token.
 */
export function requireToken(scope: Scope): onRequestHookHandler {
  return (request, _reply, done) => {
    const token = tokenOrRefusal(request);
    if (token instanceof ProtocolError) {
      done(token);
      return;
    }
    request.presented = { token, scope };
    done();
  };
}

/**
 * A request refused before its token reached the store (its body, its query,
 * a reserved type) is answered 401 first if the token is no good: the
 * protocol's order, credentials before everything but the names.
 */
export async function credentialsFirst(
  store: Store,
  request: FastifyRequest,
  failure: ProtocolError,
): Promise<ProtocolError> {
  const presented = request.presented;
  if (presented === undefined || failure.statusCode >= 500 || failure.code === 'unauthorized') return failure;
  const params = request.params as PathParams;
  let name: string | undefined;
  try {
    name = await store.identify(params.room ?? '', presented.token);
  } catch {
    // The store cannot say: the refusal we have stands.
    return failure;
  }
  return entitled(name, presented.scope, params) ? failure : new ProtocolError('unauthorized');
}
