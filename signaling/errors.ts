/**
 * The error catalogue of protocol v1. Every refusal the service makes is one of
 * these codes; clients branch on `code`, never on the message text.
 */
import { namePattern } from './names.js';
import type { ErrorCode } from './protocol.js';

export type { ErrorCode } from './protocol.js';

export const errorCatalogue = {
  invalid_name: { status: 400, message: `Room and peer names must match ${namePattern}.` },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_request: { status: 400, message: 'The request does not match its schema.' },
  invalid_cursor: {
    status: 400,
    message: 'The after cursor must be a whole number no greater than the last seq this mailbox has given.',
  },
  reserved_type: { status: 400, message: 'Message types starting with "peer-" are reserved for the server.' },
  unauthorized: { status: 401, message: 'Missing or invalid bearer credentials.' },
  room_full: { status: 403, message: 'The room has as many live peers as it may hold.' },
  not_found: { status: 404, message: 'No such route.' },
  peer_not_found: { status: 404, message: 'No live peer of that name in this room.' },
  name_taken: { status: 409, message: 'A live peer already holds this name in the room.' },
  request_timeout: { status: 408, message: 'The request did not arrive in time.' },
  payload_too_large: { status: 413, message: 'The request body is larger than the server accepts.' },
  unsupported_media_type: { status: 415, message: 'Request bodies must be application/json.' },
  rate_limited: { status: 429, message: 'Too many messages from this peer; retry after the given delay.' },
  mailbox_full: { status: 429, message: "The recipient's mailbox is at its limit; retry later." },
  headers_too_large: { status: 431, message: 'The request line and headers are larger than the server accepts.' },
  internal_error: { status: 500, message: 'The server failed to handle the request.' },
  server_full: { status: 503, message: 'The server holds as many live peers as it may.' },
  store_unavailable: { status: 503, message: 'The store behind the service is unreachable; retry later.' },
} as const satisfies Record<ErrorCode, { status: number; message: string }>;

/** Extra fields some errors carry in their body, and the retry-after header. */
export interface ErrorDetails {
  message?: string;
  retryAfterMs?: number;
  retryAfterS?: number;
}

export class ProtocolError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, details: ErrorDetails = {}) {
    super(details.message ?? errorCatalogue[code].message);
    this.name = 'ProtocolError';
    this.code = code;
    this.statusCode = errorCatalogue[code].status;
    this.details = details;
  }

  body(): { error: ErrorCode; message: string; retryAfterMs?: number } {
    const body: { error: ErrorCode; message: string; retryAfterMs?: number } = {
      error: this.code,
      message: this.message,
    };
    if (this.details.retryAfterMs !== undefined) body.retryAfterMs = this.details.retryAfterMs;
    return body;
  }
}
