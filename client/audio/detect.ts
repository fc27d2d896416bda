import { SAMPLE_RATE } from './tone.js';

/**
 * What a decoded stream sounds like, in two numbers: its dominant frequency
 * and its RMS level. The frequency comes from a Hann-windowed, zero-padded
 * FFT whose peak is refined by Gaussian (log-parabolic) interpolation: about
 * 0.05 Hz of bias on a 1 s window, far inside the ±1 Hz the tests want.
 */

export type Samples = Int16Array | Float32Array | Float64Array;

const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array }>();

function twiddles(size: number): { cos: Float64Array; sin: Float64Array } {
  let t = twiddleCache.get(size);
  if (!t) {
    t = { cos: new Float64Array(size / 2), sin: new Float64Array(size / 2) };
    for (let i = 0; i < size / 2; i++) {
      t.cos[i] = Math.cos((-2 * Math.PI * i) / size);
      t.sin[i] = Math.sin((-2 * Math.PI * i) / size);
    }
    twiddleCache.set(size, t);
  }
  return t;
}

/** In-place iterative radix-2 FFT; size must be a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n & (n - 1) || im.length !== n) throw new RangeError('fft size must be a power of two');
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i] as number;
      re[i] = re[j] as number;
      re[j] = tr;
      const ti = im[i] as number;
      im[i] = im[j] as number;
      im[j] = ti;
    }
  }
  const { cos, sin } = twiddles(n);
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const stride = n / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * stride] as number;
        const wi = sin[k * stride] as number;
        const a = start + k;
        const b = a + half;
        const br = re[b] as number;
        const bi = im[b] as number;
        const xr = br * wr - bi * wi;
        const xi = br * wi + bi * wr;
        const ar = re[a] as number;
        const ai = im[a] as number;
        re[b] = ar - xr;
        im[b] = ai - xi;
        re[a] = ar + xr;
        im[a] = ai + xi;
      }
    }
  }
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

/** Power spectrum (bins 0..size/2) of a Hann-windowed block zero-padded to `size`. */
export function powerSpectrum(samples: Samples, size: number = nextPowerOfTwo(samples.length)): Float64Array {
  const n = Math.min(samples.length, size);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += samples[i] as number;
  mean /= n || 1;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1 || 1));
    re[i] = ((samples[i] as number) - mean) * w;
  }
  fft(re, im);
  const power = new Float64Array(size / 2 + 1);
  for (let k = 0; k <= size / 2; k++) power[k] = (re[k] as number) ** 2 + (im[k] as number) ** 2;
  return power;
}

export interface PeakOptions {
  minHz?: number;
  maxHz?: number;
}

/** The strongest frequency in a power spectrum, interpolated between bins; undefined when it is all zero. */
export function spectrumPeakHz(
  power: Float64Array,
  fftSize: number,
  sampleRate: number = SAMPLE_RATE,
  options: PeakOptions = {},
): number | undefined {
  const binHz = sampleRate / fftSize;
  const first = Math.max(1, Math.ceil((options.minHz ?? 20) / binHz));
  const last = Math.min(power.length - 2, Math.floor((options.maxHz ?? sampleRate / 2) / binHz));
  let best = -1;
  let bestPower = 0;
  for (let k = first; k <= last; k++) {
    const p = power[k] as number;
    if (p > bestPower) {
      bestPower = p;
      best = k;
    }
  }
  if (best < 0) return undefined;
  const a = Math.log((power[best - 1] as number) || Number.MIN_VALUE);
  const b = Math.log(bestPower);
  const c = Math.log((power[best + 1] as number) || Number.MIN_VALUE);
  const denominator = a - 2 * b + c;
  const delta = denominator < 0 ? (0.5 * (a - c)) / denominator : 0;
  return (best + Math.max(-0.5, Math.min(0.5, delta))) * binHz;
}

/** Dominant frequency of one block of samples (any scale), or undefined for silence. */
export function dominantFrequency(
  samples: Samples,
  sampleRate: number = SAMPLE_RATE,
  options: PeakOptions = {},
): number | undefined {
  if (samples.length < 16) return undefined;
  // Zero-pad to at least 1.25× the block: finer bins for the interpolation.
  const size = nextPowerOfTwo(Math.ceil(samples.length * 1.25));
  return spectrumPeakHz(powerSpectrum(samples, size), size, sampleRate, options);
}

/** RMS as a fraction of full scale (1.0 = a full-scale square wave); Int16 input is scaled by 32768. */
export function rms(samples: Samples): number {
  if (samples.length === 0) return 0;
  const scale = samples instanceof Int16Array ? 32768 : 1;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = (samples[i] as number) / scale;
    sum += v * v;
  }
  return Math.sqrt(sum / samples.length);
}

export function toDbfs(level: number): number {
  return level > 0 ? 20 * Math.log10(level) : -Infinity;
}

/**
 * Running analysis of a whole stream: power spectra of consecutive blocks
 * (default 1 s) are summed (Welch's method), so the answer covers everything
 * decoded, not just the last window, at one FFT per block.
 */
export class AudioAnalyser {
  readonly sampleRate: number;
  private readonly blockSamples: number;
  private readonly fftSize: number;
  private readonly block: Float64Array;
  private filled = 0;
  private sum: Float64Array | undefined;
  private blocks = 0;
  private sumSquares = 0;
  private count = 0;
  // The last blockSamples samples, as a ring, for "what does it sound like now".
  private readonly recent: Float64Array;
  private recentEnd = 0;

  constructor(options: { sampleRate?: number; blockSamples?: number } = {}) {
    this.sampleRate = options.sampleRate ?? SAMPLE_RATE;
    this.blockSamples = options.blockSamples ?? this.sampleRate;
    this.fftSize = nextPowerOfTwo(Math.ceil(this.blockSamples * 1.25));
    this.block = new Float64Array(this.blockSamples);
    this.recent = new Float64Array(this.blockSamples);
  }

  /** Mono samples, s16 scale. */
  push(samples: Int16Array): void {
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i] as number;
      this.sumSquares += (v / 32768) ** 2;
      this.block[this.filled++] = v;
      this.recent[this.recentEnd++ % this.blockSamples] = v;
      if (this.filled === this.blockSamples) this.closeBlock();
    }
    this.count += samples.length;
  }

  private closeBlock(): void {
    const power = powerSpectrum(this.block, this.fftSize);
    if (!this.sum) this.sum = power;
    else for (let k = 0; k < power.length; k++) this.sum[k] = (this.sum[k] as number) + (power[k] as number);
    this.blocks++;
    this.filled = 0;
  }

  get samples(): number {
    return this.count;
  }

  /** Dominant frequency over all full blocks; with none yet, over the partial one. */
  dominantHz(): number | undefined {
    if (this.sum) return spectrumPeakHz(this.sum, this.fftSize, this.sampleRate);
    if (this.filled < 960) return undefined;
    return dominantFrequency(this.block.subarray(0, this.filled), this.sampleRate);
  }

  /** Dominant frequency of the last block's worth of samples (for once-a-second progress lines). */
  recentHz(): number | undefined {
    const length = Math.min(this.recentEnd, this.blockSamples);
    if (length < 960) return undefined;
    const ordered = new Float64Array(length);
    const start = this.recentEnd - length;
    for (let i = 0; i < length; i++) ordered[i] = this.recent[(start + i) % this.blockSamples] as number;
    return dominantFrequency(ordered, this.sampleRate);
  }

  rms(): number {
    return this.count === 0 ? 0 : Math.sqrt(this.sumSquares / this.count);
  }
}
