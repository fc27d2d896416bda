/**
 * The codec's cost per 20 ms frame (bench/codec.ts, part 1): Opus encode and
 * decode, tone generation and the analyser, against a baseline of what every
 * packet costs without a codec.
 */
import { performance } from 'node:perf_hooks';
import { RtpHeader, RtpPacket } from 'werift';
import { OpusDecoder, OpusEncoder } from '../client/audio/opus.js';
import { ToneGenerator, s16leSamples } from '../client/audio/tone.js';
import { AudioAnalyser } from '../client/audio/detect.js';
import { median } from './stats.js';

export const FRAMES = 2000;
const WARMUP = 200;

/** Median wall time (ms) of fn over FRAMES calls, after a warm-up. */
function perFrame(fn: (i: number) => void): number {
  for (let i = 0; i < WARMUP; i++) fn(i);
  const times: number[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const start = performance.now();
    fn(i);
    times.push(performance.now() - start);
  }
  return median(times);
}

/** Mean wall time (ms) of fn over FRAMES calls: for work that spikes once a block (the FFT). */
function meanPerFrame(fn: (i: number) => void): number {
  for (let i = 0; i < WARMUP * 5; i++) fn(i);
  const start = performance.now();
  for (let i = 0; i < FRAMES; i++) fn(i);
  return (performance.now() - start) / FRAMES;
}

export interface Micro {
  encodeMs: number;
  decodeMs: number;
  toneMs: number;
  analyseMs: number;
  baselineMs: number;
}

export function microbench(): Micro {
  const tone = new ToneGenerator({ hz: 440 });
  const frames = Array.from({ length: 50 }, () => tone.nextFrame());
  const encoder = new OpusEncoder();
  const decoder = new OpusDecoder();
  const packets = frames.map((f) => encoder.encode(f));
  const encodeMs = perFrame((i) => encoder.encode(frames[i % frames.length] ?? Buffer.alloc(1920)));
  const decodeMs = perFrame((i) => decoder.decode(packets[i % packets.length] ?? Buffer.from([0xf8])));
  const baselineMs = perFrame((i) => {
    const pcm = Buffer.from(frames[i % frames.length] ?? Buffer.alloc(1920));
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: i & 0xffff, timestamp: i * 960, marker: i === 0 });
    new RtpPacket(header, packets[i % packets.length] ?? pcm).serialize();
  });
  const toneMs = perFrame(() => tone.nextFrame());
  const analyser = new AudioAnalyser();
  const pcm = frames.map((f) => s16leSamples(f));
  const analyseMs = meanPerFrame((i) => analyser.push(pcm[i % pcm.length] ?? new Int16Array(960)));
  encoder.close();
  decoder.close();
  return { encodeMs, decodeMs, toneMs, analyseMs, baselineMs };
}
