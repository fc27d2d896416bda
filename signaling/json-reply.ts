import type { FastifyReply } from 'fastify';

/**
 * Sends JSON the route built as text (to relay payloads byte for byte),
 * bypassing the response serializer that the route's schema would pick.
 */
export function sendJsonText(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(text);
}
