import { hash, randomBytes } from 'node:crypto';

/** A fresh bearer token: 256 bits from the CSPRNG. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Stores keep only a digest of each token. Looking a digest up in a map does
 * not leak the token through timing, since a caller cannot steer the digest.
 */
export function tokenDigest(token: string): string {
  return hash('sha256', token, 'base64url');
}
