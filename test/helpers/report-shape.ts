/**
 * bin/client's `--json` report (docs/CLI.md, client/report.ts) as a schema,
 * for tests that hold another peer to it (the browser page's
 * `window.labReport`). Every field of `Report` has an entry (the compiler
 * says so when one is added), each typed as CLI.md gives it; fields beyond
 * them (the page's own) are allowed. The protocol's schemas are reused for
 * what a peer also sends in messages (nat, pairs, verdict, report summary).
 */
import { Type, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { FAILURES } from '../../client/errors.js';
import type { Report } from '../../client/report.js';
import {
  CallVerdict,
  NatMessage,
  PairSummary,
  PredictionSummary,
  ReportSummary,
  TurnError,
} from '../../signaling/protocol.js';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const count = Type.Integer({ minimum: 0 });
const ms = Type.Number({ minimum: 0 });
const text = Type.String({ minLength: 1 });

const Candidate = Type.Object(
  {
    type: Type.Union([Type.Literal('host'), Type.Literal('srflx'), Type.Literal('prflx'), Type.Literal('relay')]),
    protocol: Type.Union([Type.Literal('udp'), Type.Literal('tcp')]),
    address: text,
    port: Type.Integer({ minimum: 0, maximum: 65_535 }),
    relatedAddress: Type.Optional(text),
    relatedPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65_535 })),
    priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 })),
    foundation: Type.Optional(text),
  },
  { additionalProperties: false },
);

const step = nullable(ms);

const fields = {
  ok: Type.Boolean(),
  role: Type.Union([Type.Literal('offerer'), Type.Literal('answerer')]),
  id: text,
  peer: text,
  room: text,
  signalingAddr: Type.String({ pattern: '^https?://' }),
  timingsMs: Type.Object(
    {
      registered: step,
      gatheringComplete: step,
      iceConnected: step,
      dtlsConnected: step,
      dataChannelOpen: step,
      done: step,
    },
    { additionalProperties: false },
  ),
  candidates: Type.Object({ local: Type.Array(Candidate), remote: Type.Array(Candidate) }),
  selectedPair: nullable(
    Type.Object({
      local: Candidate,
      remote: Candidate,
      rttMs: nullable(ms),
      packetsSent: Type.Optional(count),
      packetsReceived: Type.Optional(count),
      packetsElsewhere: Type.Optional(count),
    }),
  ),
  dataChannel: nullable(
    Type.Object({
      label: text,
      sent: count,
      received: count,
      rttMs: nullable(Type.Object({ min: ms, median: ms, max: ms })),
      peerDone: Type.Boolean(),
    }),
  ),
  audio: nullable(
    Type.Object({
      codec: Type.String({ pattern: '^[a-z0-9]+/[0-9]+/[0-9]+$' }),
      sent: Type.Object({ packets: count, toneHz: nullable(Type.Number({ exclusiveMinimum: 0 })) }),
      received: Type.Object({
        packets: count,
        lost: nullable(Type.Integer()),
        jitterMs: nullable(ms),
        dominantHz: nullable(Type.Number({ minimum: 0 })),
      }),
      note: Type.Optional(Type.String()),
    }),
  ),
  states: Type.Object({ gathering: text, ice: text, dtls: text, connection: text }),
  gathering: Type.Object({ elapsedMs: nullable(ms), verdicts: Type.Array(Type.String()) }),
  nat: nullable(NatMessage),
  peerNat: nullable(NatMessage),
  prediction: nullable(PredictionSummary),
  verdict: nullable(CallVerdict),
  pairs: Type.Array(PairSummary),
  turnErrors: Type.Array(TurnError),
  peerReport: nullable(ReportSummary),
  joint: nullable(Type.String()),
  error: nullable(
    Type.Object({
      code: Type.Union(Object.keys(FAILURES).map((code) => Type.Literal(code))),
      message: text,
    }),
  ),
} satisfies Record<keyof Report, TSchema>;

const reportShape = Compile(Type.Object(fields));

/** Where `value` departs from bin/client's report shape: one line per error (path: message); empty when it fits. */
export function reportShapeErrors(value: unknown): string[] {
  if (reportShape.Check(value)) return [];
  return [...new Set(reportShape.Errors(value).map((e) => `${e.instancePath || '/'}: ${e.message}`))];
}
