import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, type Message, type RegisterReply } from '../signaling/protocol.js';
import { redactUrl } from '../signaling/redact.js';
import { HttpAgents, httpRequest, type HttpAnswer, type HttpMethod } from './http-request.js';
import type { Logger } from './log.js';
import { parseJson, SignalingError, SignalingUnreachableError, toSignalingError } from './signaling-errors.js';
import {
  contentType,
  MAX_RESPONSE_BYTES,
  parseJsonOrUndefined,
  previewOf,
  readBody,
  replies,
  SignalingProtocolError,
  TooLargeError,
  type ReplyCheck,
} from './protocol-check.js';

/** A message as it leaves a poll: PROTOCOL.md "Poll". */
export type MailboxMessage = Message;

/** What registering tells us, the token aside (the client keeps it). */
export type Registration = Omit<RegisterReply, 'token'>;

export { SignalingError, SignalingUnreachableError } from './signaling-errors.js';
export { SignalingProtocolError } from './protocol-check.js';

export interface SignalingClientOptions {
  apiKey?: string | undefined;
  log: Logger;
  /** How long a send keeps retrying transient failures before giving up. */
  sendRetryMs?: number;
}

/**
 * The service's HTTP API for one peer (PROTOCOL.md). Register once; then send,
 * poll and leave with the token it handed out. Sends to one recipient are
 * serialised so they arrive in the order they were made (docs/WERIFT.md, Signaling order).
 */
export class SignalingClient {
  readonly baseUrl: string;
  /** The base URL as messages show it: credentials in it are never printed. */
  private readonly shownUrl: string;
  private readonly agents = new HttpAgents();
  private readonly apiKey: string | undefined;
  private readonly log: Logger;
  private readonly sendRetryMs: number;
  private token: string | undefined;
  private room = '';
  private name = '';
  private readonly sendQueues = new Map<string, Promise<unknown>>();

  constructor(baseUrl: string, options: SignalingClientOptions) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.shownUrl = redactUrl(this.baseUrl);
    this.apiKey = options.apiKey;
    this.log = options.log;
    this.sendRetryMs = options.sendRetryMs ?? 10_000;
  }

  get registered(): boolean {
    return this.token !== undefined;
  }

  /**
   * One attempt to register; throws SignalingError, SignalingUnreachableError
   * (`timeoutMs` without an answer counts as unreachable) or SignalingProtocolError.
   */
  async register(
    room: string,
    name: string,
    meta: Record<string, unknown>,
    options: { timeoutMs?: number } = {},
  ): Promise<Registration> {
    const reg = await this.call('POST', `/v1/rooms/${enc(room)}/peers`, {
      auth: this.apiKey,
      body: { name, meta },
      expect: 201,
      check: replies.register,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    this.token = reg.token;
    this.room = reg.room;
    this.name = reg.name;
    return {
      room: reg.room,
      name: reg.name,
      peers: reg.peers,
      iceServers: reg.iceServers,
      pollTimeoutMs: reg.pollTimeoutMs,
      ttlMs: reg.ttlMs,
    };
  }

  /**
   * Posts a message into `to`'s mailbox, after every earlier send to `to` has
   * finished. Retries network errors, 5xx and 429 with the same
   * Idempotency-Key, so a retry never delivers twice. Resolves with the seq.
   */
  send(to: string, type: string, data: unknown, signal?: AbortSignal): Promise<number> {
    const previous = this.sendQueues.get(to) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.sendWithRetry(to, type, data, signal));
    this.sendQueues.set(to, next);
    void next
      .finally(() => {
        if (this.sendQueues.get(to) === next) this.sendQueues.delete(to);
      })
      .catch(() => undefined);
    return next;
  }

  private async sendWithRetry(
    to: string,
    type: string,
    data: unknown,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const key = randomUUID();
    const giveUpAt = Date.now() + this.sendRetryMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const body = await this.call('POST', `/v1/rooms/${enc(this.room)}/peers/${enc(to)}/messages`, {
          auth: this.requireToken(),
          body: data === undefined ? { type } : { type, data },
          headers: { 'idempotency-key': key },
          expect: 202,
          check: replies.send,
          signal,
        });
        return body.seq;
      } catch (error) {
        const retryable =
          error instanceof SignalingUnreachableError ||
          error instanceof SignalingProtocolError ||
          (error instanceof SignalingError && error.transient);
        const wait =
          error instanceof SignalingError && error.retryAfterMs !== undefined ? error.retryAfterMs : backoffMs(attempt);
        if (!retryable || signal?.aborted || Date.now() + wait > giveUpAt) throw error;
        this.log.debug(
          { to, type, attempt, waitMs: wait, err: errorText(error) },
          `send ${type} to ${to} failed (${errorText(error)}); retrying in ${wait} ms`,
        );
        await sleep(wait, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /** One long poll: acknowledges everything up to `after`, waits up to `timeoutMs` for more. */
  async poll(after: number, timeoutMs: number, signal?: AbortSignal): Promise<MailboxMessage[]> {
    const body = await this.call(
      'GET',
      `/v1/rooms/${enc(this.room)}/peers/${enc(this.name)}/messages?after=${after}&timeoutMs=${timeoutMs}`,
      {
        auth: this.requireToken(),
        expect: 200,
        check: replies.poll,
        signal,
        // The service holds the request up to timeoutMs: we must wait longer than that.
        timeoutMs: timeoutMs + 10_000,
      },
    );
    return body.messages;
  }

  /** Leaves the room (idempotent; the token is forgotten whatever happens). */
  async leave(timeoutMs = 2_000): Promise<void> {
    const token = this.token;
    if (token === undefined) return;
    this.token = undefined;
    await this.call('DELETE', `/v1/rooms/${enc(this.room)}/peers/${enc(this.name)}`, {
      auth: token,
      expect: 204,
      timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
  }

  /** Forcibly drops open connections (a held poll included). */
  async destroy(): Promise<void> {
    this.agents.destroy();
    return await Promise.resolve();
  }

  private requireToken(): string {
    if (this.token === undefined)
      throw new SignalingError(401, ErrorCode.unauthorized, 'not registered (or already left)');
    return this.token;
  }

  private call<T>(method: HttpMethod, path: string, options: CallOptions & { check: ReplyCheck<T> }): Promise<T>;
  private call(method: HttpMethod, path: string, options: CallOptions): Promise<unknown>;
  private async call(
    method: HttpMethod,
    path: string,
    options: CallOptions & { check?: ReplyCheck<unknown> },
  ): Promise<unknown> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth !== undefined) headers.authorization = `Bearer ${options.auth}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: HttpAnswer;
    try {
      response = await httpRequest(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: options.body !== undefined ? JSON.stringify(options.body) : null,
        agents: this.agents,
        signal: options.signal,
        timeoutMs: options.timeoutMs ?? 10_000,
        connectTimeoutMs: 5_000,
      });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : error;
      throw new SignalingUnreachableError(`${this.shownUrl} unreachable: ${errorText(error)}`, { cause: error });
    }
    const text = await readBody(response.body, MAX_RESPONSE_BYTES).catch((error: unknown) => {
      if (error instanceof TooLargeError) {
        throw new SignalingProtocolError(
          this.shownUrl,
          response.status,
          contentType(response),
          error.message,
          error.bytes,
        );
      }
      throw new SignalingUnreachableError(`${this.shownUrl}: response cut short: ${errorText(error)}`, {
        cause: error,
      });
    });
    if (response.status !== options.expect) {
      throw toSignalingError(response.status, text, response.headers['retry-after']);
    }
    if (!options.check) return text === '' ? null : parseJson(text);
    const body = parseJsonOrUndefined(text);
    if (!options.check.Check(body)) {
      throw new SignalingProtocolError(
        this.shownUrl,
        response.status,
        contentType(response),
        previewOf(text),
        Buffer.byteLength(text),
      );
    }
    return body;
  }
}

interface CallOptions {
  auth?: string | undefined;
  body?: unknown;
  headers?: Record<string, string>;
  expect: number;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** 100 ms, 200 ms, 400 ms ... capped at 2 s. */
export function backoffMs(attempt: number): number {
  return Math.min(2_000, 100 * 2 ** Math.max(0, attempt - 1));
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause =
      error.cause instanceof Error && !error.message.includes(error.cause.message) ? `: ${error.cause.message}` : '';
    return `${typeof code === 'string' && !error.message.includes(code) ? `${code} ` : ''}${error.message}${cause}`;
  }
  return String(error);
}
