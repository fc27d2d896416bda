import type { TurnError } from '../../signaling/protocol.js';

/** What each TURN error code means for a person (RFC 8656, RFC 8489; 701 is WebRTC's "unreachable"). */
const MEANINGS: Record<number, string> = {
  400: 'bad request: the server did not understand the request',
  401: 'unauthorized: wrong username or password, or an expired TURN REST credential',
  403: 'forbidden: the server refuses this user or this peer address',
  420: 'unknown attribute: the server lacks a feature the request needs',
  437: 'allocation mismatch: a stale allocation holds this 5-tuple',
  438: 'stale nonce: the nonce expired mid-session',
  441: 'wrong credentials: not those the allocation was made with',
  442: 'unsupported transport protocol',
  486: 'allocation quota reached: this user has too many allocations',
  508: 'insufficient capacity: the server has no relay ports left',
  701: 'unreachable: no answer from the TURN server (blocked, or down)',
};

export function meaningOf(code: number): string {
  return MEANINGS[code] ?? `error ${code}`;
}

export function isCredentialError(code: number): boolean {
  return code === 401 || code === 441;
}

/** The expiry a TURN REST username carries (`<unix-expiry>:<name>`), in ms since the epoch; undefined for other usernames. */
export function restExpiryMs(username: string): number | undefined {
  const match = /^(\d{9,12}):/.exec(username);
  return match ? Number(match[1]) * 1000 : undefined;
}

/**
 * The credential's expiry against this machine's clock at `atMs` (when
 * werift allocated), in words: coturn checks it against its own clock, so a
 * 401 with a credential that is still valid here points at a skewed clock
 * or a wrong secret.
 */
export function expiryWords(username: string, atMs: number): string | undefined {
  const expiry = restExpiryMs(username);
  if (expiry === undefined) return undefined;
  const seconds = Math.round((expiry - atMs) / 1000);
  const iso = new Date(expiry).toISOString();
  return seconds <= 0
    ? `the TURN REST credential expired ${-seconds} s before the allocation by this machine's clock (expiry ${iso})`
    : `the TURN REST credential was valid for ${seconds} s more by this machine's clock (expiry ${iso}): a wrong secret, or the server's clock differs`;
}

export function formatTurnError(error: TurnError): string {
  return `${error.url}: ${error.code} ${error.reason ? `${error.reason} — ` : ''}${meaningOf(error.code)}`;
}
