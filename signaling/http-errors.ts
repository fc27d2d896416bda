/**
 * Turns whatever a request failed with into the protocol's error shape:
 * Fastify's own errors (media type, body size, schema), ours, and the rest.
 */
import type { FastifyError } from 'fastify';
import { ProtocolError } from './errors.js';
import { StoreUnavailableError } from './store/store.js';

interface ValidationIssue {
  instancePath?: string;
  keyword?: string;
}

function fromValidation(error: FastifyError): ProtocolError {
  const issue = (error.validation?.[0] ?? {}) as ValidationIssue;
  const context = error.validationContext;
  const isName =
    context === 'params' || (context === 'body' && issue.instancePath === '/name' && issue.keyword === 'pattern');
  if (isName) return new ProtocolError('invalid_name');
  return new ProtocolError('invalid_request', { message: `The request does not match its schema: ${error.message}.` });
}

export function toProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (error instanceof StoreUnavailableError) return new ProtocolError('store_unavailable');
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation !== undefined) return fromValidation(error as FastifyError);
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ProtocolError('unsupported_media_type');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProtocolError('payload_too_large');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ProtocolError('invalid_request', { message: 'The content-length header does not match the body.' });
  }
  const status = fastifyError.statusCode ?? 500;
  if (status === 404) return new ProtocolError('not_found');
  if (status >= 400 && status < 500) return new ProtocolError('invalid_request');
  return new ProtocolError('internal_error');
}
