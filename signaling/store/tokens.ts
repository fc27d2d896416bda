import { hash, randomBytes } from 'node:crypto';

/** A fresh bearer token: 256 bits from the CSPRNG. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A name for a peer that asked for none: "peer-" and 8 letters or digits from a fresh token. */
export function freshPeerName(): string {
  return `peer-${newToken()
    .slice(0, 8)
    .replace(/[^A-Za-z0-9]/g, 'x')}`;
}

/**
 * Stores keep only a digest of each token. Looking a digest up in a map does
 * not leak the token through timing, since a caller cannot steer the digest.
 */
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'base64url');
}
