/**
 * CORS: one onRequest hook for every routed request, and the same headers for
 * responses written outside it (the router's own refusals, bad
 * percent-encoding and over-long names, and the raw answers to requests the
 * HTTP parser could not read).
 */
import type { onRequestHookHandler } from 'fastify';

/** The allow-origin value for a request from `origin`, or undefined when it gets none. */
export function allowedOrigin(corsOrigin: readonly string[], origin: string | undefined): string | undefined {
  if (corsOrigin.includes('*')) return '*';
  return origin !== undefined && corsOrigin.includes(origin) ? origin : undefined;
}

/** The CORS headers of a response to a request from `origin`, as the plugin would send them. */
export function corsHeaders(corsOrigin: readonly string[], origin: string | undefined): Record<string, string> {
  const allowed = allowedOrigin(corsOrigin, origin);
  const headers: Record<string, string> = {};
  if (allowed !== undefined) {
    headers['access-control-allow-origin'] = allowed;
    headers['access-control-expose-headers'] = 'retry-after';
  }
  if (!corsOrigin.includes('*')) headers.vary = 'Origin';
  return headers;
}

const exposed = 'retry-after';
const preflight = {
  'access-control-allow-methods': 'GET, POST, DELETE',
  'access-control-allow-headers': 'authorization, content-type, idempotency-key',
  'access-control-max-age': '600',
  'content-length': '0',
};

/**
 * The CORS onRequest hook: the headers are fixed at start, so each request
 * costs a lookup and a few header sets, and a preflight is answered here,
 * before any auth (browsers send no credentials on one).
 */
export function corsHook(corsOrigin: readonly string[]): onRequestHookHandler {
  const any = corsOrigin.includes('*');
  return (request, reply, done) => {
    if (!any) reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    if (any) reply.header('access-control-allow-origin', '*');
    else if (origin !== undefined && corsOrigin.includes(origin)) reply.header('access-control-allow-origin', origin);
    reply.header('access-control-expose-headers', exposed);
    if (request.raw.method === 'OPTIONS') {
      void reply.headers(preflight).code(204).send();
      return;
    }
    done();
  };
}
