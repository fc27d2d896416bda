import { createHmac } from 'node:crypto';

export interface TurnCredentials {
  username: string;
  password: string;
}

/**
 * Time-limited TURN credentials in the TURN REST API scheme that coturn's
 * use-auth-secret checks: the same scheme the signaling service hands out.
 */
export function turnRestCredentials(secret: string, name: string, ttlS = 3600, nowMs = Date.now()): TurnCredentials {
  const username = `${Math.floor(nowMs / 1000) + ttlS}:${name}`;
  const password = createHmac('sha1', secret).update(username).digest('base64');
  return { username, password };
}
