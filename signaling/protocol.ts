/**
 * The schemas of protocol v1: every request, response and message. Route
 * validation, the TypeScript types and the OpenAPI document all come from here.
 */
import { Type, type Static } from 'typebox';
import { namePattern } from './names.js';

export const messageTypePattern = '^[a-z][a-z0-9-]{0,31}$';

export const Name = Type.String({ pattern: namePattern });
export type Name = Static<typeof Name>;

// The error codes (a module of their own, free of typebox: the browser page compares them too).
export { ErrorCode } from './error-codes.js';

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'a stable snake_case code' }),
    message: Type.String({ description: 'one human sentence' }),
    retryAfterMs: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { $id: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const RoomParams = Type.Object({ room: Name });
export type RoomParams = Static<typeof RoomParams>;
export const PeerParams = Type.Object({ room: Name, peer: Name });
export type PeerParams = Static<typeof PeerParams>;

export const Meta = Type.Record(Type.String(), Type.Unknown(), {
  description: 'at most 1024 bytes as compact UTF-8 JSON',
});
export type Meta = Static<typeof Meta>;

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
export type SendHeaders = Static<typeof SendHeaders>;

export const SendReply = Type.Object({ seq: Type.Integer({ minimum: 1 }) });
export type SendReply = Static<typeof SendReply>;

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
export type PollQuery = Static<typeof PollQuery>;

export const Message = Type.Object({
  seq: Type.Integer(),
  type: Type.String(),
  from: Type.String(),
  ts: Type.Integer(),
  data: Type.Unknown(),
});
export type Message = Static<typeof Message>;

export const PollReply = Type.Object({ messages: Type.Array(Message) });
export type PollReply = Static<typeof PollReply>;

export const PeerInfo = Type.Object({
  name: Type.String(),
  joinedAt: Type.Integer(),
  meta: Meta,
});
export type PeerInfo = Static<typeof PeerInfo>;

export const ListReply = Type.Object({ peers: Type.Array(PeerInfo) });
export type ListReply = Static<typeof ListReply>;

export const Status = Type.Object({
  status: Type.String(),
  message: Type.Optional(Type.String()),
});
export type Status = Static<typeof Status>;

/*
 * Peer-to-peer messages the CLI sends through the service (the service relays
 * them unread; these schemas are for the receiving peer). Additional fields
 * are allowed: a newer peer may say more.
 */

export const NatMapping = Type.Union([
  Type.Literal('no-nat'),
  Type.Literal('endpoint-independent'),
  Type.Literal('address-dependent'),
  Type.Literal('address-and-port-dependent'),
  Type.Literal('unknown'),
]);
export type NatMapping = Static<typeof NatMapping>;

export const NatFiltering = Type.Union([
  Type.Literal('endpoint-independent'),
  Type.Literal('address-dependent'),
  Type.Literal('address-and-port-dependent'),
  Type.Literal('unknown'),
]);
export type NatFiltering = Static<typeof NatFiltering>;

export const NatMethod = Type.Union([
  Type.Literal('rfc5780'),
  Type.Literal('two-servers'),
  Type.Literal('two-ports'),
  Type.Literal('none'),
]);
export type NatMethod = Static<typeof NatMethod>;

/** One side's NAT behaviour in RFC 4787 terms: the data of a `nat` message. */
export const NatBehaviour = Type.Object({
  mapping: NatMapping,
  filtering: NatFiltering,
  hairpin: Type.Union([Type.Boolean(), Type.Null()]),
  publicAddresses: Type.Array(
    Type.Object({
      destination: Type.String({ description: 'address:port the Binding request went to' }),
      mapped: Type.String({ description: 'address:port that destination saw us at' }),
    }),
  ),
  method: NatMethod,
  notes: Type.Array(Type.String(), { description: 'what could not be measured, and why, in words' }),
  asked: Type.Optional(Type.Integer({ minimum: 0, description: 'how many STUN destinations were configured' })),
});
export type NatBehaviour = Static<typeof NatBehaviour>;

/** The data of a `nat` message: the behaviour, and what the sender's ICE will try. */
export const NatMessage = Type.Intersect([
  NatBehaviour,
  Type.Object({
    turn: Type.Optional(
      Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls'), Type.Null()], {
        description: 'the transport of the TURN server the sender allocates on, null for none',
      }),
    ),
    relayOnly: Type.Optional(Type.Boolean({ description: 'the sender tries relay paths only' })),
  }),
]);
export type NatMessage = Static<typeof NatMessage>;

/** A candidate as the CLI's report gives it (client/ice-log.ts). */
export const CandidateSummary = Type.Object({
  type: Type.String(),
  protocol: Type.String(),
  address: Type.String(),
  port: Type.Integer(),
});
export type CandidateSummary = Static<typeof CandidateSummary>;

/** One ICE candidate pair and its checks (werift's candidate-pair stats). */
export const PairSummary = Type.Object({
  local: CandidateSummary,
  remote: CandidateSummary,
  state: Type.String(),
  nominated: Type.Boolean(),
  requestsSent: Type.Integer({ minimum: 0, description: 'checks sent, resends not counted' }),
  retransmissionsSent: Type.Optional(Type.Integer({ minimum: 0 })),
  responsesReceived: Type.Integer({ minimum: 0 }),
  requestsReceived: Type.Optional(Type.Integer({ minimum: 0 })),
  packetsSent: Type.Optional(Type.Integer({ minimum: 0, description: 'data packets (not checks) sent on the pair' })),
  packetsReceived: Type.Optional(
    Type.Integer({ minimum: 0, description: "data packets that arrived on the pair's socket from its remote address" }),
  ),
  rttMs: Type.Union([Type.Number(), Type.Null()]),
});
export type PairSummary = Static<typeof PairSummary>;

/** A TURN server's refusal (or 701: no answer), by code. */
export const TurnError = Type.Object({
  url: Type.String(),
  code: Type.Integer(),
  reason: Type.String(),
});
export type TurnError = Static<typeof TurnError>;

/** The path a call took, from one side's selected pair. */
export const CallPath = Type.Object({
  local: Type.String({ description: 'candidate type of this side' }),
  remote: Type.String({ description: "candidate type of the other side's end" }),
  protocol: Type.String(),
  relayedBy: Type.Union([Type.String(), Type.Null()], {
    description: "whose TURN server relays: 'offerer', 'answerer', 'both' or null",
  }),
});
export type CallPath = Static<typeof CallPath>;

export const CallVerdict = Type.Object({
  path: Type.Union([CallPath, Type.Null()]),
  matchesPrediction: Type.Union([Type.Boolean(), Type.Null()]),
  explanation: Type.String(),
});
export type CallVerdict = Static<typeof CallVerdict>;

export const PredictionSummary = Type.Object({
  direct: Type.Union([Type.Literal('likely'), Type.Literal('unlikely'), Type.Literal('unknown')]),
  reason: Type.String(),
});
export type PredictionSummary = Static<typeof PredictionSummary>;

/** The data of a `report` message: the sender's report summary, sent before `bye`. */
export const ReportSummary = Type.Object({
  role: Type.String(),
  ok: Type.Boolean(),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  timingsMs: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])),
  candidates: Type.Object({ local: Type.Array(CandidateSummary), remote: Type.Array(CandidateSummary) }),
  selectedPair: Type.Union([Type.Object({ local: CandidateSummary, remote: CandidateSummary }), Type.Null()]),
  pairs: Type.Array(PairSummary),
  nat: Type.Union([NatBehaviour, Type.Null()]),
  prediction: Type.Union([PredictionSummary, Type.Null()]),
  verdict: CallVerdict,
  turnErrors: Type.Array(TurnError),
});
export type ReportSummary = Static<typeof ReportSummary>;
