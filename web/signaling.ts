/**
 * The signaling protocol (docs/PROTOCOL.md) with fetch, against the origin
 * that served the page: register, send in order, long-poll, leave. Every
 * message received is handed on with the local time it arrived, so the
 * timeline can place the service's clock on ours.
 */
import type { IceServer, Message } from '../signaling/protocol.js';
import type { Arrival } from './clock.js';

export interface Registration {
  token: string;
  peers: string[];
  iceServers: IceServer[];
}

const POLL_MS = 5_000;

export class Signaling {
  private token: string | undefined;
  private sending: Promise<unknown> = Promise.resolve();
  private polling = false;

  constructor(
    private readonly base: string,
    private readonly room: string,
    private readonly id: string,
  ) {}

  async register(): Promise<Registration> {
    const reg = (await this.call('POST', this.url(), { name: this.id })) as Registration;
    this.token = reg.token;
    return reg;
  }

  /** Sends one message to `to`, after every earlier send (the end of candidates after the candidates). */
  send(to: string, type: string, data: unknown): Promise<void> {
    const sent = this.sending.then(() => this.call('POST', this.url(to, 'messages'), { type, data }));
    this.sending = sent.catch(() => undefined);
    return sent.then(() => undefined);
  }

  /** Polls until stop(); each new message (by seq) goes to `deliver`. */
  poll(deliver: (arrival: Arrival) => void, onError: (error: unknown) => void): void {
    this.polling = true;
    void (async () => {
      let after = 0;
      while (this.polling) {
        try {
          const page = (await this.call(
            'GET',
            `${this.url(this.id, 'messages')}?after=${after}&timeoutMs=${POLL_MS}`,
          )) as {
            messages: Message[];
          };
          const at = performance.now();
          for (const message of page.messages) {
            if (message.seq <= after) continue;
            after = message.seq;
            deliver({ message, at });
          }
        } catch (error) {
          if (!this.polling) return;
          onError(error);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    })();
  }

  async leave(): Promise<void> {
    this.polling = false;
    if (this.token !== undefined) await this.call('DELETE', this.url(this.id));
  }

  private url(...parts: string[]): string {
    return `${this.base}/v1/rooms/${[this.room, 'peers', ...parts].map(encodeURIComponent).join('/')}`;
  }

  private async call(method: string, target: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    const init: RequestInit = { method, headers, cache: 'no-store' };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(target, init);
    if (!res.ok) {
      const text = await res.text();
      let code = `http_${res.status}`;
      try {
        code = (JSON.parse(text) as { error: string }).error;
      } catch {
        // Not the protocol's error body: the status says enough.
      }
      throw new SignalingError(res.status, code, `${method} ${new URL(target).pathname}: ${res.status} ${text}`);
    }
    return res.status === 204 ? null : await res.json();
  }
}

export class SignalingError extends Error {
  override name = 'SignalingError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
