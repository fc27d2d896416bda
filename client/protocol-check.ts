import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import type { IncomingHttpHeaders } from 'node:http';
import { ErrorBody, PollReply, RegisterReply, SendReply } from '../signaling/protocol.js';

/**
 * The service's success bodies, checked against the protocol's own schemas
 * (the ones its routes answer with), so that a captive portal's HTML page or
 * a JSON body of the wrong shape is an error we can name instead of a
 * TypeError somewhere far from the response.
 */
export const replies = {
  register: Compile(RegisterReply),
  send: Compile(SendReply),
  poll: Compile(PollReply),
  /** An error body: each field is used when it has the protocol's type, whatever else is wrong. */
  refusal: Compile(Type.Partial(ErrorBody)),
} as const;

/** What `call` needs of a compiled schema. */
export interface ReplyCheck<T> {
  Check(value: unknown): value is T;
}

/** How much of a bad answer a log line quotes. */
const PREVIEW_CHARS = 80;

/**
 * A 2xx answer that is not this protocol: not JSON, or JSON of another shape.
 * Whoever answered is not (or not only) our service: a captive portal, a
 * proxy's error page, another program on the port, or a broken deployment.
 */
export class SignalingProtocolError extends Error {
  override name = 'SignalingProtocolError';
  constructor(
    readonly url: string,
    readonly status: number,
    readonly contentType: string,
    readonly preview: string,
    readonly bytes: number,
  ) {
    super(
      `${url} answered ${status} with ${contentType || 'no content-type'}, ${bytes} bytes, not this protocol: ${preview}`,
    );
  }
}

/** The first bytes of a body, quoted on one line (control characters escaped). */
export function previewOf(text: string): string {
  const head = JSON.stringify(text.slice(0, PREVIEW_CHARS));
  return text.length > PREVIEW_CHARS ? `${head}…` : head;
}

/** JSON.parse that says undefined instead of throwing. */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The largest answer we read. The service's biggest is a full mailbox in one
 * poll (1024 messages of up to 64 KiB by default, 64 MiB); past twice that it is
 * not our service, and reading on would only exhaust memory.
 */
export const MAX_RESPONSE_BYTES = 128 * 1024 * 1024;

export class TooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`more than ${bytes} bytes: stopped reading`);
  }
}

export async function readBody(body: AsyncIterable<unknown> & { destroy(): void }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    bytes += buffer.length;
    if (bytes > limit) {
      body.destroy();
      throw new TooLargeError(limit);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function contentType(response: { headers: IncomingHttpHeaders }): string {
  return response.headers['content-type'] ?? '';
}
