/**
 * The `chat` data channel's messages and the round-trip summary, as pure
 * functions: the CLI's exchange (datachannel.ts) and the browser page
 * (web/) parse and summarise them the same way.
 */
import { median } from './median.js';

/** The `chat` channel's messages (CLI.md "The data channel chat"). */
export type ChatMessage =
  | { type: 'ping'; seq: number; t: number }
  | { type: 'pong'; seq: number; t: number }
  | { type: 'done' }
  | { type: 'alive' }
  | { type: 'text'; text: string };

/** A side with nothing else to send says `alive` this often. */
export const ALIVE_INTERVAL_MS = 1_000;

export interface RttSummary {
  min: number;
  median: number;
  max: number;
}

export interface DataChannelReport {
  label: string;
  /** Pings this side sent. */
  sent: number;
  /** Pongs that came back for them. */
  received: number;
  rttMs: RttSummary | null;
  /** Whether the peer's `done` arrived (its pings answered, its audio played). */
  peerDone: boolean;
}

/** Parses one chat message; undefined for anything that is not one of ours. */
export function parseChatMessage(data: string | Uint8Array): ChatMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ping':
    case 'pong':
      return Number.isInteger(m.seq) && typeof m.t === 'number'
        ? { type: m.type, seq: m.seq as number, t: m.t }
        : undefined;
    case 'done':
    case 'alive':
      return { type: m.type };
    case 'text':
      return typeof m.text === 'string' ? { type: 'text', text: m.text } : undefined;
    default:
      return undefined;
  }
}

export function summarizeRtt(samples: readonly number[]): RttSummary | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return { min: round1(sorted[0] ?? 0), median: round1(median(sorted)), max: round1(sorted[sorted.length - 1] ?? 0) };
}

export const round1 = (x: number): number => Math.round(x * 10) / 10;
