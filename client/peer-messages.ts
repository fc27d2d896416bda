import type { CandidateInit } from './candidate-route.js';

/** What the peer sent us through the service during this call. */
export type PeerEvent =
  | { kind: 'answer'; data: unknown }
  | { kind: 'candidate'; data: unknown }
  | { kind: 'bye'; reason: string }
  | { kind: 'left'; reason: string };

/*
 * The checks of what the peer sends. The service relays peer messages unread
 * (signaling/protocol.ts), so a call looks at their shape before werift does.
 */

export function isCandidateInit(data: unknown): data is CandidateInit {
  return typeof data === 'object' && data !== null && typeof (data as { candidate?: unknown }).candidate === 'string';
}

function isDescription<T extends 'offer' | 'answer'>(data: unknown, type: T): data is { type: T; sdp: string } {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as { type?: unknown; sdp?: unknown };
  return d.type === type && typeof d.sdp === 'string';
}

export function isOffer(data: unknown): data is { type: 'offer'; sdp: string } {
  return isDescription(data, 'offer');
}

export function isAnswer(data: unknown): data is { type: 'answer'; sdp: string } {
  return isDescription(data, 'answer');
}
