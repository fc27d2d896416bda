/** Health, readiness, metrics and the OpenAPI document. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Status } from '../protocol.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';

export interface OperationsContext {
  store: Store;
  metrics: Metrics;
}

export async function operationRoutes(fastify: FastifyInstance, { store, metrics }: OperationsContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/healthz',
    {
      schema: { summary: 'Liveness: 200 while the process serves', response: { 200: Status } },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: { summary: 'Readiness: 200 when the store is reachable', response: { 200: Status, 503: Status } },
    },
    async (_request, reply) => {
      let ready = false;
      try {
        ready = await store.ready();
      } catch {
        // An unreachable store is exactly what this endpoint reports.
      }
      if (ready) return { status: 'ok' };
      return await reply.status(503).send({ status: 'unavailable', message: 'The store is unreachable.' });
    },
  );

  app.get(
    '/metrics',
    {
      schema: { summary: 'Prometheus metrics', produces: ['text/plain'] },
    },
    async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return await reply.type(metrics.registry.contentType).send(text);
    },
  );

  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => fastify.swagger());
}
