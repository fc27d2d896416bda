/**
 * Every error code of protocol v1, as constants to compare with
 * (`code === ErrorCode.name_taken`); signaling/errors.ts gives each its status
 * and message. signaling/protocol.ts exports them with the schemas; they live
 * here, with no dependency, so that the browser page (web/) can compare them
 * without bundling typebox.
 */
export const ErrorCode = {
  invalid_name: 'invalid_name',
  invalid_json: 'invalid_json',
  invalid_request: 'invalid_request',
  invalid_cursor: 'invalid_cursor',
  reserved_type: 'reserved_type',
  unauthorized: 'unauthorized',
  room_full: 'room_full',
  not_found: 'not_found',
  peer_not_found: 'peer_not_found',
  name_taken: 'name_taken',
  request_timeout: 'request_timeout',
  payload_too_large: 'payload_too_large',
  unsupported_media_type: 'unsupported_media_type',
  rate_limited: 'rate_limited',
  mailbox_full: 'mailbox_full',
  headers_too_large: 'headers_too_large',
  internal_error: 'internal_error',
  server_full: 'server_full',
  store_unavailable: 'store_unavailable',
} as const satisfies { [K in string]: K };
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
