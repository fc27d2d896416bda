/**
 * The `iceServers` handed out at registration, in the browser RTCIceServer
 * shape. TURN credentials follow the TURN REST API scheme that coturn checks
 * with `use-auth-secret`: username "<unix expiry>:<peer>", credential
 * base64(HMAC-SHA1(secret, username)).
 */
import { createHmac } from 'node:crypto';
import type { Config } from './config.js';
import type { IceServer } from './protocol.js';

export type IceServerSettings = Pick<
  Config,
  'stun' | 'turn' | 'turnSecret' | 'turnUsername' | 'turnPassword' | 'turnTtlS'
>;

export function turnRestCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/** A username that expires `ttlS` from `nowMs`, and its credential: what the service hands `peer`. */
export function turnRestCredentials(
  secret: string,
  peer: string,
  ttlS: number,
  nowMs: number,
): { username: string; credential: string } {
  const username = `${Math.floor(nowMs / 1000) + ttlS}:${peer}`;
  return { username, credential: turnRestCredential(secret, username) };
}

export function iceServersFor(settings: IceServerSettings, peer: string, nowMs: number): IceServer[] {
  const servers: IceServer[] = settings.stun.map((url) => ({ urls: [url] }));
  if (settings.turn.length === 0) return servers;
  let username = settings.turnUsername;
  let credential = settings.turnPassword;
  if (settings.turnSecret !== undefined) {
    ({ username, credential } = turnRestCredentials(settings.turnSecret, peer, settings.turnTtlS, nowMs));
  }
  for (const url of settings.turn) {
    servers.push(
      username !== undefined && credential !== undefined ? { urls: [url], username, credential } : { urls: [url] },
    );
  }
  return servers;
}
