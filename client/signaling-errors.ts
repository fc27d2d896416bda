/** How the service says no, and how its error bodies are read (PROTOCOL.md "Errors"). */
import { replies } from './protocol-check.js';

/** The service answered with an error body: `{error, message}` and a status. */
export class SignalingError extends Error {
  override name = 'SignalingError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** From `retry-after` or the body's `retryAfterMs`, when the service gave one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
  /** Worth trying again later: 5xx and 429. */
  get transient(): boolean {
    return this.status >= 500 || this.status === 429;
  }
}

/** No HTTP answer at all: refused, reset, timed out, DNS. */
export class SignalingUnreachableError extends Error {
  override name = 'SignalingUnreachableError';
}

export function toSignalingError(
  status: number,
  text: string,
  retryAfter: string | string[] | undefined,
): SignalingError {
  const body = parseJson(text);
  const fields = replies.refusal.Check(body) ? body : {};
  const code = fields.error ?? `http_${status}`;
  const message = fields.message ?? `HTTP ${status}`;
  const header = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  const retryAfterMs =
    fields.retryAfterMs !== undefined
      ? fields.retryAfterMs
      : header !== undefined && /^\d+$/.test(header)
        ? Number(header) * 1000
        : undefined;
  return new SignalingError(status, code, message, retryAfterMs);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
