/**
 * buildServer(config, deps) assembles the service and never listens: tests
 * call it with `inject`, and only main.ts binds a port.
 */
import { isUtf8 } from 'node:buffer';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { credentialsFirst } from './auth.js';
import { clientErrorResponder } from './client-errors.js';
import { trackConnections } from './connections.js';
import type { Config } from './config.js';
import { corsHeaders, corsHook } from './cors-origin.js';
import { ProtocolError } from './errors.js';
import { toProtocolError } from './http-errors.js';
import { createMetrics } from './metrics.js';
import { messageRoutes } from './routes/messages.js';
import { operationRoutes } from './routes/operations.js';
import { pageRoutes } from './routes/page.js';
import { peerRoutes } from './routes/peers.js';
import { createStore } from './store/select.js';
import { systemClock, type Clock, type Store, type StoreObserver } from './store/store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body as sent, so payloads can be relayed as written. */
    rawBody?: string;
  }
}

function debugEnabled(logger: FastifyBaseLogger): boolean {
  return logger.level === 'debug' || logger.level === 'trace';
}

export interface ServerDeps {
  logger?: FastifyBaseLogger;
  /** Time for the service and its store (tests move it by hand); the Redis store otherwise uses Redis TIME. */
  clock?: Clock;
  /** Builds the store; the default is the in-memory one. */
  createStore?: (observer: StoreObserver) => Store;
}

export function buildServer(config: Config, deps: ServerDeps = {}): FastifyInstance {
  const clock = deps.clock ?? systemClock;
  // The store reports to the metrics and the metrics read the store: the
  // observer is filled in once both exist.
  const observer: StoreObserver = {};
  const store = deps.createStore?.(observer) ?? createStore(config, observer, deps.clock);
  const metrics = createMetrics(async () => await store.stats());
  observer.stored = metrics.messageStored;
  observer.delivered = metrics.messageDelivered;

  const app = Fastify({
    ...(deps.logger === undefined ? {} : { loggerInstance: deps.logger }),
    bodyLimit: config.maxBodyBytes,
    // Requests are logged at debug by our own hook: a long-poll service at info
    // level would log every poll twice.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    // request.ip is the client's address for the registration rate; behind a proxy, only if trusted.
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    // A HEAD on the poll route would acknowledge and hold like a GET: no implicit routes.
    exposeHeadRoutes: false,
    // Fastify makes a child logger per request; below debug nothing uses its
    // bindings, and at 10,000 held polls each one costs memory.
    childLoggerFactory: (logger, bindings, options) =>
      debugEnabled(logger) ? logger.child(bindings, options) : logger,
    return503OnClosing: false,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    // The router refuses a path it cannot decode (%ZZ, %C3) or a parameter over
    // its length limit before any route or hook runs; both are names in the path.
    frameworkErrors: (error, request, reply) => {
      const isName = error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const failure = isName ? new ProtocolError('invalid_name') : toProtocolError(error);
      metrics.rejected(failure.code);
      // The reply is typed for a route's schema; this one has none.
      void (reply as FastifyReply)
        .headers(corsHeaders(config.corsOrigin, request.headers.origin))
        .status(failure.statusCode)
        .send(failure.body());
    },
    clientErrorHandler: clientErrorResponder(config.corsOrigin, (code) => {
      metrics.rejected(code);
    }),
  });

  // Declared up front, so every request object has one shape from the start
  // instead of growing these fields on the hot routes.
  app.decorateRequest('rawBody', undefined);
  app.decorateRequest('presented', undefined);
  app.decorateRequest('peerName', undefined);

  app.removeAllContentTypeParsers();
  // Bodies arrive as bytes: decoding them as a string would replace invalid
  // UTF-8 with U+FFFD, and the service would relay something it was not sent.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (bytes.length === 0) {
      done(null, undefined);
      return;
    }
    if (!isUtf8(bytes)) {
      done(new ProtocolError('invalid_json', { message: 'The request body is not valid UTF-8.' }), undefined);
      return;
    }
    const text = bytes.toString('utf8');
    try {
      const value: unknown = JSON.parse(text);
      request.rawBody = text;
      done(null, value);
    } catch {
      done(new ProtocolError('invalid_json'), undefined);
    }
  });

  app.setErrorHandler(async (error, request, reply) => {
    const failure = await credentialsFirst(store, request, toProtocolError(error));
    if (failure.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    metrics.rejected(failure.code);
    if (failure.details.retryAfterS !== undefined)
      void reply.header('retry-after', String(failure.details.retryAfterS));
    return await reply.status(failure.statusCode).send(failure.body());
  });
  app.setNotFoundHandler(async (_request, reply) => {
    metrics.rejected('not_found');
    return await reply.status(404).send(new ProtocolError('not_found').body());
  });

  if (debugEnabled(app.log)) {
    app.addHook('onResponse', async (request, reply) => {
      request.log.debug(
        { method: request.method, url: request.routeOptions.url, status: reply.statusCode, ms: reply.elapsedTime },
        'request',
      );
    });
  }
  // Held polls are answered before the server stops accepting, so close() never
  // waits on them; connections that carry no complete request are then cut.
  const connections = trackConnections(app.server);
  app.addHook('preClose', async () => {
    await store.close();
    connections.closeIncomplete();
  });

  app.addHook('onRequest', corsHook(config.corsOrigin));
  // Preflights are answered by the hook; the route only makes OPTIONS a known method.
  app.options('*', { schema: { hide: true } }, async (_request, reply) => await reply.code(204).send());
  void app.register(swagger, {
    openapi: {
      info: {
        title: 'Signaling protocol',
        version: '1.0.0',
        description: 'Rooms, peers and long-polled mailboxes for WebRTC signaling.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  const context = { config, store: store, clock };
  void app.register(peerRoutes, context);
  void app.register(messageRoutes, context);
  void app.register(operationRoutes, { store: store, metrics });
  void app.register(pageRoutes);
  return app;
}
