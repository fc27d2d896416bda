/** Peers: register, list, leave. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireApiKey, requirePeer } from '../auth.js';
import { ProtocolError } from '../errors.js';
import { iceServersFor } from '../ice-servers.js';
import { compactJson, memberText } from '../json-text.js';
import { sendJsonText } from '../json-reply.js';
import { ErrorBody, ListReply, PeerParams, RegisterBody, RegisterReply, RoomParams } from '../protocol.js';
import type { PeerSummary, RegisterOutcome } from '../store/store.js';
import type { RouteContext } from './context.js';

const maxMetaBytes = 1024;

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  503: ErrorBody,
};

function refusal(outcome: Exclude<RegisterOutcome, { ok: true }>): ProtocolError {
  switch (outcome.error) {
    case 'rate_limited':
      return new ProtocolError('rate_limited', {
        retryAfterS: outcome.retryAfterS,
        message: 'Too many registrations from this address; retry after the given delay.',
      });
    case 'name_taken':
      return new ProtocolError('name_taken', { retryAfterMs: outcome.retryAfterMs });
    default:
      return new ProtocolError(outcome.error);
  }
}

function listJson(peers: PeerSummary[]): string {
  const items = peers.map((p) => `{"name":${JSON.stringify(p.name)},"joinedAt":${p.joinedAt},"meta":${p.meta}}`);
  return `{"peers":[${items.join(',')}]}`;
}

export async function peerRoutes(fastify: FastifyInstance, { config, store, clock }: RouteContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/v1/rooms/:room/peers',
    {
      schema: {
        summary: 'Register a peer in a room',
        params: RoomParams,
        body: RegisterBody,
        response: { 201: RegisterReply, 429: ErrorBody, ...errors },
      },
      onRequest: requireApiKey(config.apiKey),
      // Only an empty body counts as {}: a JSON null is a body, and not an object.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
    },
    async (request, reply) => {
      const { room } = request.params;
      const { name } = request.body;
      // Measured on the text that will be relayed, by scanning, not by
      // re-serialising: a JSON.stringify of meta recurses, and 5,000 levels of
      // nesting overflow the stack. Within 1024 bytes, nesting is shallow.
      const rawMeta = request.rawBody === undefined ? undefined : memberText(request.rawBody, 'meta');
      const meta = rawMeta === undefined ? '{}' : compactJson(rawMeta);
      if (Buffer.byteLength(meta) > maxMetaBytes) {
        throw new ProtocolError('invalid_request', {
          message: `meta is larger than ${maxMetaBytes} bytes as compact JSON.`,
        });
      }
      const outcome = await store.register({ room, name, meta, client: request.ip });
      if (!outcome.ok) throw refusal(outcome);
      request.log.info({ room, peer: outcome.name }, 'peer registered');
      return await reply.status(201).send({
        room,
        name: outcome.name,
        token: outcome.token,
        peers: outcome.peers,
        iceServers: iceServersFor(config, outcome.name, clock.now()),
        pollTimeoutMs: config.pollTimeoutMs,
        ttlMs: config.ttlMs,
      });
    },
  );

  app.get(
    '/v1/rooms/:room/peers',
    {
      schema: {
        summary: 'List the live peers of a room, oldest first',
        params: RoomParams,
        response: { 200: ListReply, ...errors },
      },
      onRequest: requirePeer(store, 'member'),
    },
    async (request, reply) => {
      const peers = await store.list(request.params.room, request.peerName);
      return await sendJsonText(reply, listJson(peers));
    },
  );

  app.delete(
    '/v1/rooms/:room/peers/:peer',
    {
      schema: {
        summary: 'Leave the room',
        params: PeerParams,
        response: { 204: { type: 'null', description: 'Left' }, ...errors },
      },
      onRequest: requirePeer(store, 'self'),
    },
    async (request, reply) => {
      const { room, peer } = request.params;
      await store.leave(room, peer);
      request.log.info({ room, peer }, 'peer left');
      return await reply.status(204).send(null);
    },
  );
}
