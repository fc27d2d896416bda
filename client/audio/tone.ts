/** Audio clock of every Opus stream here: RTP clock rate and Ogg Opus granule rate. */
export const SAMPLE_RATE = 48_000;
/** 20 ms at 48 kHz: one Opus frame, one RTP packet. */
export const FRAME_SAMPLES = 960;
export const FRAME_MS = 20;

export interface ToneOptions {
  hz: number;
  /** Peak amplitude as a fraction of full scale (0..1]; default 0.5 leaves headroom for the codec. */
  amplitude?: number;
  channels?: number;
  sampleRate?: number;
  frameSamples?: number;
}

/**
 * Sine tone as s16le frames. The phase is carried from frame to frame (as an
 * accumulator wrapped to [0, 2π)) so frames join without clicks and the
 * frequency does not drift however long it runs.
 */
export class ToneGenerator {
  readonly channels: number;
  readonly frameSamples: number;
  private readonly amplitude: number;
  private readonly step: number;
  private phase = 0;

  constructor(options: ToneOptions) {
    const sampleRate = options.sampleRate ?? SAMPLE_RATE;
    if (!(options.hz > 0 && options.hz < sampleRate / 2)) {
      throw new RangeError(`tone frequency ${options.hz} Hz is outside (0, ${sampleRate / 2}) Hz`);
    }
    const amplitude = options.amplitude ?? 0.5;
    if (!(amplitude > 0 && amplitude <= 1)) throw new RangeError(`amplitude ${amplitude} is outside (0, 1]`);
    this.channels = options.channels ?? 1;
    this.frameSamples = options.frameSamples ?? FRAME_SAMPLES;
    this.amplitude = amplitude * 32767;
    this.step = (2 * Math.PI * options.hz) / sampleRate;
  }

  /** The next frame: frameSamples × channels interleaved s16le samples. */
  nextFrame(): Buffer {
    // Own ArrayBuffer, so the Int16Array view is aligned (pooled Buffers need not be).
    const samples = new Int16Array(this.frameSamples * this.channels);
    let offset = 0;
    for (let i = 0; i < this.frameSamples; i++) {
      const value = Math.round(this.amplitude * Math.sin(this.phase));
      for (let c = 0; c < this.channels; c++) samples[offset++] = value;
      this.phase += this.step;
      if (this.phase >= 2 * Math.PI) this.phase -= 2 * Math.PI;
    }
    return Buffer.from(samples.buffer, 0, samples.byteLength);
  }
}

/**
 * View s16le bytes as samples without copying when aligned (Buffers from the
 * pool may not be). Int16Array is host-endian: little-endian on every platform
 * Node supports in practice (x64, arm64).
 */
export function s16leSamples(pcm: Buffer): Int16Array {
  if (pcm.byteOffset % 2 === 0) return new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1);
  const copy = new Int16Array(pcm.length >> 1);
  for (let i = 0; i < copy.length; i++) copy[i] = pcm.readInt16LE(i * 2);
  return copy;
}
