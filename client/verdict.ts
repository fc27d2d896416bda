import type { AudioReport } from './audio/types.js';
import type { DataChannelReport } from './chat-message.js';

/** 10 % loss at most, and at least one second of 20 ms Opus frames. */
export const AUDIO_MIN_PACKETS = 50;
export const AUDIO_MAX_LOSS = 0.1;

/** What a complete exchange needs: the pings asked for and, unless `--audio none`, audio. */
export interface Expectation {
  messages: number;
  audioRequired: boolean;
}

/**
 * Every criterion of a complete exchange this side missed, each in words with
 * its figure (`3/5 pongs`, `audio loss 10.0 % (the limit is under 10 %)`), in
 * the order the call meets them. Empty when the exchange is complete. The
 * words are the `incomplete` error's message and the summary line's reason,
 * so a failed call says what failed without reading the JSON.
 */
export function shortfalls(
  results: { dataChannel: DataChannelReport | null; audio: AudioReport | null },
  expect: Expectation,
): string[] {
  const out: string[] = [];
  const dc = results.dataChannel;
  if (!dc) out.push('no data channel');
  else {
    if (dc.sent !== expect.messages) out.push(`${dc.sent}/${expect.messages} pings sent`);
    if (dc.received !== expect.messages) out.push(`${dc.received}/${expect.messages} pongs`);
    if (!dc.peerDone) out.push('no done from the peer');
  }
  if (expect.audioRequired) out.push(...audioShortfalls(results.audio));
  return out;
}

function audioShortfalls(audio: AudioReport | null): string[] {
  const received = audio?.received;
  if (!received || received.packets === 0) return ['no audio received'];
  const out: string[] = [];
  if (received.packets < AUDIO_MIN_PACKETS)
    out.push(`${received.packets} audio packets (at least ${AUDIO_MIN_PACKETS} needed: a second of 20 ms frames)`);
  const lost = received.lost ?? 0;
  const loss = lost / (received.packets + lost);
  if (loss >= AUDIO_MAX_LOSS)
    out.push(`audio loss ${(loss * 100).toFixed(1)} % (the limit is under ${AUDIO_MAX_LOSS * 100} %)`);
  return out;
}
