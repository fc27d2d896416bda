/**
 * Answers to requests Node's HTTP parser could not read (an unknown method, a
 * bare CR, headers too large, TLS or HTTP/2 bytes on the port). No route and
 * no Fastify reply exist yet, so the answer is written on the socket by hand,
 * in the catalogue's shape, and the connection is closed: after a parse error
 * nothing later on it can be trusted.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { corsHeaders } from './cors-origin.js';
import { ProtocolError, type ErrorCode } from './errors.js';

/** A request line that starts with a method token: the method is just one we do not serve. */
const methodToken = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ /;

interface ClientError extends Error {
  code?: string;
  rawPacket?: unknown;
}

function received(error: ClientError): string {
  return Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString('latin1') : '';
}

function refusalFor(error: ClientError, packet: string): ProtocolError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ProtocolError('headers_too_large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ProtocolError('request_timeout');
    case 'HPE_INVALID_METHOD':
      if (methodToken.test(packet)) return new ProtocolError('not_found');
  }
  return new ProtocolError('invalid_request', { message: 'The request is not well-formed HTTP/1.1.' });
}

/** The Origin header, if the part of the request that was read carries one. */
function originIn(packet: string): string | undefined {
  return /\r\norigin:[ \t]*([^\r\n]*?)[ \t]*\r\n/i.exec(packet)?.[1];
}

export function clientErrorResponder(
  corsOrigin: readonly string[],
  rejected: (code: ErrorCode) => void,
): (error: ClientError, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    // A response already under way on this connection (a held poll, a
    // pipelined request): an answer written now would be taken for its.
    if ((socket as { _httpMessage?: unknown })._httpMessage !== undefined || !socket.writable) {
      socket.destroy();
      return;
    }
    const packet = received(error);
    const refusal = refusalFor(error, packet);
    rejected(refusal.code);
    const body = JSON.stringify(refusal.body());
    const headers: Record<string, string | number> = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      ...corsHeaders(corsOrigin, originIn(packet)),
      connection: 'close',
    };
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.end(`HTTP/1.1 ${refusal.statusCode} ${STATUS_CODES[refusal.statusCode] ?? ''}\r\n${head}\r\n${body}`, () => {
      socket.destroy();
    });
  };
}
