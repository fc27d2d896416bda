/**
 * The schemas of protocol v1: every request, response and message. Route
 * validation, the TypeScript types and the OpenAPI document all come from here.
 */
import { Type, type Static } from 'typebox';
import { namePattern } from './names.js';

export const messageTypePattern = '^[a-z][a-z0-9-]{0,31}$';

export const Name = Type.String({ pattern: namePattern });

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'a stable snake_case code' }),
    message: Type.String({ description: 'one human sentence' }),
    retryAfterMs: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { $id: 'Error' },
);

export const RoomParams = Type.Object({ room: Name });
export const PeerParams = Type.Object({ room: Name, peer: Name });

export const Meta = Type.Record(Type.String(), Type.Unknown(), {
  description: 'at most 1024 bytes as compact UTF-8 JSON',
});

export const RegisterBody = Type.Object(
  {
    name: Type.Optional(Name),
    meta: Type.Optional(Meta),
  },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBody>;

export const IceServer = Type.Object({
  urls: Type.Array(Type.String()),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});
export type IceServer = Static<typeof IceServer>;

export const RegisterReply = Type.Object({
  room: Type.String(),
  name: Type.String(),
  token: Type.String(),
  peers: Type.Array(Type.String()),
  iceServers: Type.Array(IceServer),
  pollTimeoutMs: Type.Integer(),
  ttlMs: Type.Integer(),
});
export type RegisterReply = Static<typeof RegisterReply>;

export const SendBody = Type.Object(
  {
    type: Type.String({ pattern: messageTypePattern }),
    data: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
export type SendBody = Static<typeof SendBody>;

export const SendHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ pattern: '^[\\x20-\\x7e]{1,64}$' })),
});

export const SendReply = Type.Object({ seq: Type.Integer({ minimum: 1 }) });

export const PollQuery = Type.Object({
  // A repeated `after` arrives as a list: it is a bad cursor (400 invalid_cursor), so the schema lets it through.
  after: Type.Optional(
    Type.Union([Type.String(), Type.Array(Type.String())], {
      description: 'acknowledge every message with seq <= after',
    }),
  ),
  timeoutMs: Type.Optional(
    Type.String({ pattern: '^[0-9]{1,15}$', description: 'hold up to this long; capped at 60000' }),
  ),
});

export const Message = Type.Object({
  seq: Type.Integer(),
  type: Type.String(),
  from: Type.String(),
  ts: Type.Integer(),
  data: Type.Unknown(),
});

export const PollReply = Type.Object({ messages: Type.Array(Message) });

export const PeerInfo = Type.Object({
  name: Type.String(),
  joinedAt: Type.Integer(),
  meta: Meta,
});

export const ListReply = Type.Object({ peers: Type.Array(PeerInfo) });

export const Status = Type.Object({
  status: Type.String(),
  message: Type.Optional(Type.String()),
});
