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

const windowCache = new Map<number, Float64Array>();

/** Hann window of n points, cached: the analyser uses one length over and over. */
function hann(n: number): Float64Array {
  let w = windowCache.get(n);
  if (!w) {
    w = new Float64Array(n);
    const step = (2 * Math.PI) / (n - 1 || 1);
    for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos(step * i);
    if (windowCache.size > 8) windowCache.clear();
    windowCache.set(n, w);
  }
  return w;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

/** Buffers powerSpectrum may reuse (re, im: size/2; power: size/2 + 1), to spare the GC a MB a second. */
export interface SpectrumScratch {
  re: Float64Array;
  im: Float64Array;
  power: Float64Array;
}

/**
 * Power spectrum (bins 0..size/2) of a Hann-windowed, mean-removed block
 * zero-padded to `size`. The input is real, so it is packed into a complex
 * FFT of half the size (even samples real, odd imaginary) and unpacked: half
 * the work of a plain complex FFT, which matters at one 64 Ki FFT a second.
 */
export function powerSpectrum(
  samples: Samples,
  size: number = nextPowerOfTwo(samples.length),
  scratch?: SpectrumScratch,
): Float64Array {
  if (size < 4 || size & (size - 1)) throw new RangeError('spectrum size must be a power of two, at least 4');
  const n = Math.min(samples.length, size);
  const half = size / 2;
  const re = scratch?.re.fill(0) ?? new Float64Array(half);
  const im = scratch?.im.fill(0) ?? new Float64Array(half);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += samples[i] as number;
  mean /= n || 1;
  const window = hann(n);
  for (let i = 0; i < n; i++) {
    const v = ((samples[i] as number) - mean) * (window[i] as number);
    if (i & 1) im[i >> 1] = v;
    else re[i >> 1] = v;
  }
  fft(re, im);
  const { cos, sin } = twiddles(size);
  const power = scratch?.power ?? new Float64Array(half + 1);
  for (let k = 0; k <= half; k++) {
    const a = k % half;
    const b = (half - k) % half;
    const zr = re[a] as number;
    const zi = im[a] as number;
    const cr = re[b] as number;
    const ci = -(im[b] as number);
    // Even part (Z[k] + conj Z[N/2-k]) / 2, odd part (Z[k] - conj Z[N/2-k]) / 2i.
    const er = (zr + cr) / 2;
    const ei = (zi + ci) / 2;
    const or = (zi - ci) / 2;
    const oi = -(zr - cr) / 2;
    const wr = k < half ? (cos[k] as number) : -1;
    const wi = k < half ? (sin[k] as number) : 0;
    const xr = er + wr * or - wi * oi;
    const xi = ei + wr * oi + wi * or;
    power[k] = xr * xr + xi * xi;
  }
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
  private readonly scratch: SpectrumScratch;
  private lastBlockHz: number | undefined;
  // Sum of squared s16 values: integers, exact in a double for hours of audio.
  private sumSquares = 0;
  private count = 0;

  constructor(options: { sampleRate?: number; blockSamples?: number } = {}) {
    this.sampleRate = options.sampleRate ?? SAMPLE_RATE;
    this.blockSamples = options.blockSamples ?? this.sampleRate;
    this.fftSize = nextPowerOfTwo(Math.ceil(this.blockSamples * 1.25));
    this.block = new Float64Array(this.blockSamples);
    const half = this.fftSize / 2;
    this.scratch = { re: new Float64Array(half), im: new Float64Array(half), power: new Float64Array(half + 1) };
  }

  /** Mono samples, s16 scale. */
  push(samples: Int16Array): void {
    let filled = this.filled;
    let sumSquares = this.sumSquares;
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i] as number;
      sumSquares += v * v;
      this.block[filled++] = v;
      if (filled === this.blockSamples) {
        this.closeBlock();
        filled = 0;
      }
    }
    this.filled = filled;
    this.sumSquares = sumSquares;
    this.count += samples.length;
  }

  /** One FFT per block (a second by default) is all the analysis costs. */
  private closeBlock(): void {
    const power = powerSpectrum(this.block, this.fftSize, this.scratch);
    this.lastBlockHz = spectrumPeakHz(power, this.fftSize, this.sampleRate);
    if (!this.sum) this.sum = Float64Array.from(power);
    else for (let k = 0; k < power.length; k++) this.sum[k] = (this.sum[k] as number) + (power[k] as number);
  }

  get samples(): number {
    return this.count;
  }

  /** Dominant frequency over all full blocks; with none yet, over the partial one. */
  dominantHz(): number | undefined {
    if (this.sum) return spectrumPeakHz(this.sum, this.fftSize, this.sampleRate);
    return this.partialHz();
  }

  /**
   * Dominant frequency of the last full block (for once-a-second progress
   * lines; no extra FFT), or of what there is before the first block is full.
   */
  recentHz(): number | undefined {
    return this.lastBlockHz ?? this.partialHz();
  }

  private partialHz(): number | undefined {
    if (this.filled < 960) return undefined;
    return dominantFrequency(this.block.subarray(0, this.filled), this.sampleRate);
  }

  rms(): number {
    return this.count === 0 ? 0 : Math.sqrt(this.sumSquares / this.count) / 32768;
  }
}
