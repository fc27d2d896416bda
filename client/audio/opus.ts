import OpusScript from 'opusscript';
import { FRAME_SAMPLES, SAMPLE_RATE } from './tone.js';

/**
 * Opus at 48 kHz through opusscript (libopus in wasm).
 *
 * Mono by default: the tone is mono, and RFC 7587 makes every Opus RTP stream
 * say `opus/48000/2` whatever it carries, so the SDP's "2" is no reason to
 * encode two identical channels. A mono decoder also decodes a peer's stereo
 * packets (libopus downmixes), which is all the detector needs.
 */
export interface OpusOptions {
  channels?: 1 | 2;
}

/**
 * Encoder settings for the tone: 32 kbit/s (WebRTC's usual Opus rate for mono)
 * and complexity 3, which takes about a third of libopus' default (10) CPU time
 * (bench/codec.ts: ~50 µs against ~160 µs per frame) for no difference a
 * frequency detector or a listener can hear in a sine. Only the tone is ever
 * encoded here; files are sent as they were encoded.
 */
export const DEFAULT_BITRATE = 32_000;
export const DEFAULT_COMPLEXITY = 3;
const OPUS_SET_COMPLEXITY = 4010;

/** libopus' algorithmic delay at 48 kHz (OPUS_GET_LOOKAHEAD for VOIP/AUDIO): the Ogg pre-skip. */
export const OPUS_LOOKAHEAD_SAMPLES = 312;

export class OpusEncoder {
  readonly channels: 1 | 2;
  private readonly codec: OpusScript;
  private closed = false;

  constructor(options: OpusOptions & { bitrate?: number; complexity?: number } = {}) {
    this.channels = options.channels ?? 1;
    this.codec = new OpusScript(SAMPLE_RATE, this.channels, OpusScript.Application.AUDIO);
    this.codec.setBitrate(options.bitrate ?? DEFAULT_BITRATE);
    this.codec.encoderCTL(OPUS_SET_COMPLEXITY, options.complexity ?? DEFAULT_COMPLEXITY);
  }

  /**
   * One frame of interleaved s16le PCM (a Buffer: opusscript copies it byte by
   * byte, so an Int16Array would be read as garbage) to one Opus packet.
   */
  encode(pcm: Buffer, frameSamples: number = FRAME_SAMPLES): Buffer {
    if (this.closed) throw new Error('Opus encoder is closed');
    if (pcm.length !== frameSamples * this.channels * 2) {
      throw new RangeError(`expected ${frameSamples * this.channels * 2} PCM bytes, got ${pcm.length}`);
    }
    return this.codec.encode(pcm, frameSamples);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.codec.delete();
  }
}

export class OpusDecoder {
  readonly channels: 1 | 2;
  private readonly codec: OpusScript;
  private closed = false;

  constructor(options: OpusOptions = {}) {
    this.channels = options.channels ?? 1;
    this.codec = new OpusScript(SAMPLE_RATE, this.channels, OpusScript.Application.AUDIO);
  }

  /** One Opus packet to interleaved s16le PCM; throws on a packet libopus rejects. */
  decode(packet: Buffer): Buffer {
    if (this.closed) throw new Error('Opus decoder is closed');
    if (packet.length === 0) throw new RangeError('empty Opus packet');
    return this.codec.decode(packet);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.codec.delete();
  }
}
