import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';

/**
 * One HTTP request with Node's own client. bin/client used undici, which is
 * a megabyte of JavaScript that each start read, evaluated and compiled its
 * HTTP parser for (WebAssembly) before the first request; Node's http module
 * is already in the binary and parses with its native llhttp
 * (`npm run bench:connect`, README).
 */

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** Keep-alive connections, one pool per scheme, closed together by destroy(). */
export class HttpAgents {
  private readonly http = new http.Agent({ keepAlive: true });
  private readonly https = new https.Agent({ keepAlive: true });

  for(url: URL): http.Agent {
    return url.protocol === 'https:' ? this.https : this.http;
  }

  /** Closes every connection, those with a request on them too (a held poll). */
  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

export interface HttpRequest {
  method: HttpMethod;
  headers: Record<string, string>;
  body: string | null;
  agents: HttpAgents;
  signal?: AbortSignal | undefined;
  /** No answer (its status line and headers) by then: the request fails; and no body byte for that long. */
  timeoutMs: number;
  /** No connection by then: the request fails. */
  connectTimeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
}

/** Resolves with the status and headers; the body is read by the caller. Rejects when no answer came. */
export async function httpRequest(target: string, options: HttpRequest): Promise<HttpAnswer> {
  const url = new URL(target);
  const client = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string | number> = { ...options.headers };
  if (options.body !== null) headers['content-length'] = Buffer.byteLength(options.body);
  return await new Promise<HttpAnswer>((resolve, reject) => {
    const request = client.request(url, {
      method: options.method,
      headers,
      agent: options.agents.for(url),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const answerTimer = setTimeout(
      () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    request.once('socket', (socket) => {
      if (!socket.connecting) return;
      const connectTimer = setTimeout(
        () => request.destroy(new Error(`no connection within ${options.connectTimeoutMs} ms`)),
        options.connectTimeoutMs,
      );
      const cleared = (): void => clearTimeout(connectTimer);
      socket.once('connect', cleared);
      socket.once('close', cleared);
    });
    // `on`, not `once`: an error after the first (or after the answer) must find a listener too.
    request.on('error', (error) => {
      clearTimeout(answerTimer);
      reject(error);
    });
    request.once('response', (response) => {
      clearTimeout(answerTimer);
      response.setTimeout(options.timeoutMs, () =>
        response.destroy(new Error(`no body byte for ${options.timeoutMs} ms`)),
      );
      resolve({ status: response.statusCode ?? 0, headers: response.headers, body: response });
    });
    request.end(options.body ?? undefined);
  });
}
