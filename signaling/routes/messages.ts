/** Messages: send into a mailbox, long-poll one's own. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireToken } from '../auth.js';
import { maxPollTimeoutMs } from '../config.js';
import { ProtocolError } from '../errors.js';
import { compactJson, memberText } from '../json-text.js';
import { sendJsonText } from '../json-reply.js';
import { ErrorBody, PeerParams, PollQuery, PollReply, SendBody, SendHeaders, SendReply } from '../protocol.js';
import type { CancelSignal, PollOutcome, StoredMessage } from '../store/store.js';
import type { ServerResponse } from 'node:http';
import type { RouteContext } from './context.js';

const errors = {
  400: ErrorBody,
  401: ErrorBody,
  404: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  429: ErrorBody,
  503: ErrorBody,
};

/** Poll responses carry each payload as the sender wrote it, so they are built as text. */
function messagesJson(messages: StoredMessage[]): string {
  const items = messages.map(
    (m) =>
      `{"seq":${m.seq},"type":${JSON.stringify(m.type)},"from":${JSON.stringify(m.from)},"ts":${m.ts},"data":${m.data}}`,
  );
  return `{"messages":[${items.join(',')}]}`;
}

/**
 * Fires when the client's connection closes before the answer is sent: a view
 * of the response, with no closures made per poll.
 */
class ClientGone implements CancelSignal {
  constructor(private readonly response: ServerResponse) {}

  get aborted(): boolean {
    return this.response.destroyed;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    this.response.on('close', listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.response.off('close', listener);
  }
}

/**
 * Answers a poll with its messages, or hands its refusal or failure to the
 * service's error handler as a rejected handler would. It runs in a promise
 * callback, where a throw would be an unhandled rejection: none escapes.
 */
function answerPoll(reply: FastifyReply, outcome: PollOutcome | Error): void {
  try {
    if (outcome instanceof Error) void reply.send(outcome);
    else if (outcome.ok) void sendJsonText(reply, messagesJson(outcome.messages));
    else void reply.send(new ProtocolError(outcome.error));
  } catch (error) {
    reply.log.error({ err: error }, 'poll answer failed');
  }
}

function parseCursor(after: string | string[] | undefined): number {
  if (after === undefined) return 0;
  const value = typeof after === 'string' && /^[0-9]{1,15}$/.test(after) ? Number(after) : NaN;
  if (!Number.isSafeInteger(value)) throw new ProtocolError('invalid_cursor');
  return value;
}

export async function messageRoutes(fastify: FastifyInstance, { config, store }: RouteContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/v1/rooms/:room/peers/:peer/messages',
    {
      schema: {
        summary: "Send a message into a peer's mailbox",
        params: PeerParams,
        headers: SendHeaders,
        body: SendBody,
        response: { 202: SendReply, ...errors },
      },
      onRequest: requireToken('member'),
    },
    async (request, reply) => {
      const { room, peer } = request.params;
      const { type } = request.body;
      if (type.startsWith('peer-')) throw new ProtocolError('reserved_type');
      const rawData = request.rawBody === undefined ? undefined : memberText(request.rawBody, 'data');
      const outcome = await store.send({
        room,
        token: request.presented?.token ?? '',
        to: peer,
        type,
        data: rawData === undefined ? 'null' : compactJson(rawData),
        idempotencyKey: request.headers['idempotency-key'],
      });
      // The store has checked the token: a refusal from here on is the store's own.
      request.presented = undefined;
      if (!outcome.ok) {
        throw new ProtocolError(
          outcome.error,
          outcome.error === 'rate_limited' ? { retryAfterS: outcome.retryAfterS } : {},
        );
      }
      return await reply.status(202).send({ seq: outcome.seq });
    },
  );

  app.get(
    '/v1/rooms/:room/peers/:peer/messages',
    {
      schema: {
        summary: 'Acknowledge messages up to `after` and long-poll for newer ones',
        params: PeerParams,
        querystring: PollQuery,
        response: { 200: PollReply, ...errors },
      },
      onRequest: requireToken('self'),
    },
    // Not async: a poll may be held for minutes by thousands of peers, and
    // each async frame and its promise would be kept that long. Fastify
    // takes a synchronous throw, and reply.send(error) reaches the same
    // error handler as a rejection would.
    (request, reply) => {
      const { room, peer } = request.params;
      const after = parseCursor(request.query.after);
      const asked = request.query.timeoutMs;
      const timeoutMs = asked === undefined ? config.pollTimeoutMs : Math.min(Number(asked), maxPollTimeoutMs);
      const token = request.presented?.token ?? '';
      const answer = store.poll({ room, peer, token, after, timeoutMs, signal: new ClientGone(reply.raw) });
      // The store has the token and answers for it; nothing else keeps it while the poll is held.
      request.presented = undefined;
      answer.then(
        (outcome) => {
          answerPoll(reply, outcome);
        },
        (error: unknown) => {
          answerPoll(reply, error instanceof Error ? error : new Error(String(error)));
        },
      );
    },
  );
}
