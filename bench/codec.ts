/**
 * CPU cost of the audio codec per stream (the target: under 1 % of a core).
 *
 * 1. Per 20 ms frame, over 2000 frames: Opus encode and decode (medians), tone
 *    generation, and the analyser (mean: its FFT runs once a second), against a
 *    baseline of what every packet costs without a codec (copy the PCM, build
 *    and serialise the RTP packet).
 * 2. Process CPU share (process.cpuUsage over wall time) while two werift peers
 *    in this process carry audio both ways, paced by AudioSender, in three
 *    modes on the same connection, interleaved round by round: baseline
 *    (pre-encoded packets out, RTP statistics in), codec (the same plus an
 *    encode per packet sent and a decode per packet received) and full (the
 *    production AudioSender tone + AudioReceiver). Differences against the
 *    baseline, halved (two streams), are the cost per stream. The first round
 *    of each mode is reported apart: it pays V8's JIT and wasm tier-up.
 *
 *   npm run build && node dist/bench/codec.js [--seconds 3] [--rounds 3]
 *
 * Not a test: it asserts nothing; the machine is shared, so expect noise.
 */
import { performance } from 'node:perf_hooks';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import { parseOggOpus } from '../client/audio/ogg-reader.js';
import { OggOpusWriter } from '../client/audio/ogg-writer.js';
import { DEFAULT_BITRATE, DEFAULT_COMPLEXITY, OpusDecoder, OpusEncoder } from '../client/audio/opus.js';
import { AudioReceiver } from '../client/audio/receiver.js';
import { RtpStats } from '../client/audio/rtp-stats.js';
import { AudioSender, type RtpSink } from '../client/audio/sender.js';
import type { AudioSource } from '../client/audio/source.js';
import { FRAME_MS, ToneGenerator, s16leSamples } from '../client/audio/tone.js';
import { AudioAnalyser } from '../client/audio/detect.js';
import { median } from './stats.js';

const FRAMES = 2000;
const WARMUP = 200;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

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

interface Micro {
  encodeMs: number;
  decodeMs: number;
  toneMs: number;
  analyseMs: number;
  baselineMs: number;
}

function microbench(): Micro {
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

/** One second of pre-encoded tone as an in-memory Ogg Opus "file": the sender then does no encoding. */
function preEncodedSource(): AudioSource {
  const pages: Buffer[] = [];
  const writer = new OggOpusWriter((p) => pages.push(p));
  const encoder = new OpusEncoder();
  const tone = new ToneGenerator({ hz: 440 });
  for (let i = 0; i < 50; i++) writer.writePacket(encoder.encode(tone.nextFrame()));
  writer.close();
  encoder.close();
  return { kind: 'file', path: '(pre-encoded, in memory)', stream: parseOggOpus(Buffer.concat(pages)) };
}

interface Pair {
  tracks: [MediaStreamTrack, MediaStreamTrack];
  pcs: RTCPeerConnection[];
  payloadTypes: [number, number];
}

async function connectedPair(): Promise<Pair> {
  const config = {
    iceServers: [],
    bundlePolicy: 'max-bundle' as const,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
    codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })] },
  };
  const a = new RTCPeerConnection(config);
  const b = new RTCPeerConnection(config);
  const ta = new MediaStreamTrack({ kind: 'audio' });
  const tb = new MediaStreamTrack({ kind: 'audio' });
  const xa = a.addTransceiver(ta, { direction: 'sendrecv' });
  const xb = b.addTransceiver(tb, { direction: 'sendrecv' });
  a.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => sinks[0](rtp)));
  b.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => sinks[1](rtp)));
  await a.setLocalDescription(await a.createOffer());
  if (!a.localDescription) throw new Error('no offer');
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  if (!b.localDescription) throw new Error('no answer');
  await a.setRemoteDescription(b.localDescription);
  await Promise.all(
    [a, b].map(
      (pc) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`peers not connected in 30 s (${pc.connectionState})`)),
            30_000,
          );
          const connected = (): void => {
            clearTimeout(timer);
            resolve();
          };
          if (pc.connectionState === 'connected') connected();
          pc.connectionStateChange.subscribe((s) => s === 'connected' && connected());
        }),
    ),
  ).catch(async (error: unknown) => {
    await Promise.all([a.close(), b.close()]);
    throw error;
  });
  return {
    tracks: [ta, tb],
    pcs: [a, b],
    payloadTypes: [xa.sender.codec?.payloadType ?? 111, xb.sender.codec?.payloadType ?? 111],
  };
}

/** Where each peer's received RTP goes during the current round. */
const sinks: [(rtp: RtpPacket) => void, (rtp: RtpPacket) => void] = [() => undefined, () => undefined];

/** Where each direction's RTP stream stands: every round continues it (SRTP breaks on a random restart). */
const continuation: { sequence: number; timestamp: number }[] = [
  { sequence: 1000, timestamp: 0 },
  { sequence: 30000, timestamp: 0 },
];

type Mode = 'baseline' | 'codec' | 'full';

/**
 * One round of audio both ways. All modes pace packets with AudioSender.
 * - baseline: pre-encoded packets out; receivers only keep RTP statistics.
 * - codec: the same, plus one Opus encode of a real tone frame per packet sent
 *   (in the send path, result discarded) and a decode of every packet received.
 * - full: the production path: AudioSender encoding a live tone, AudioReceiver
 *   (statistics, decode, analysis).
 */
async function round(
  pair: Pair,
  seconds: number,
  mode: Mode,
  fileSource: AudioSource,
): Promise<{ cpuShare: number; received: number }> {
  const codecs: { close(): void }[] = [];
  const counted: (() => number)[] = [];
  const tracks: RtpSink[] = pair.tracks.map((track, i) => {
    if (mode === 'full') {
      const receiver = new AudioReceiver();
      sinks[i as 0 | 1] = (rtp) => receiver.push(rtp);
      counted.push(() => receiver.close().packets);
      return track;
    }
    const stats = new RtpStats();
    counted.push(() => stats.snapshot().packets);
    if (mode === 'baseline') {
      sinks[i as 0 | 1] = (rtp) => stats.record(rtp.header.sequenceNumber, rtp.header.timestamp, performance.now());
      return track;
    }
    const decoder = new OpusDecoder();
    const encoder = new OpusEncoder();
    codecs.push(decoder, encoder);
    sinks[i as 0 | 1] = (rtp) => {
      stats.record(rtp.header.sequenceNumber, rtp.header.timestamp, performance.now());
      decoder.decode(rtp.payload);
    };
    let frame = 0;
    return {
      writeRtp: (packet: RtpPacket) => {
        encoder.encode(tonePcm[frame++ % tonePcm.length] ?? Buffer.alloc(1920));
        track.writeRtp(packet);
      },
    };
  });
  const cpu = process.cpuUsage();
  const start = performance.now();
  const senders = tracks.map(
    (track, i) =>
      new AudioSender({
        track,
        payloadType: pair.payloadTypes[i] ?? 111,
        source: mode === 'full' ? { kind: 'tone', hz: i === 0 ? 440 : 660 } : fileSource,
        durationMs: seconds * 1000,
        ...continuation[i],
      }),
  );
  const done = await Promise.all(senders.map((s) => s.done));
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - start;
  done.forEach((d, i) => (continuation[i] = { sequence: d.nextSequence, timestamp: d.nextTimestamp }));
  const received = counted.reduce((n, count) => n + count(), 0);
  for (const codec of codecs) codec.close();
  return { cpuShare: (used.user + used.system) / 1000 / wallMs, received };
}

/** One second of a 440 Hz tone: 440 whole cycles, so it loops without a seam. */
const tonePcm = (() => {
  const tone = new ToneGenerator({ hz: 440 });
  return Array.from({ length: 50 }, () => tone.nextFrame());
})();

const pct = (share: number): string => `${(share * 100).toFixed(2)} %`;
const us = (ms: number): string => `${(ms * 1000).toFixed(1).padStart(6)} µs`;

async function main(): Promise<void> {
  const seconds = flag('seconds', 3);
  const rounds = flag('rounds', 3);

  const micro = microbench();
  const codecMs = micro.encodeMs + micro.decodeMs;
  console.log(
    `per 20 ms frame, ${FRAMES} frames (mono, 48 kHz, opusscript wasm, complexity ${DEFAULT_COMPLEXITY}, ${DEFAULT_BITRATE / 1000} kbit/s):`,
  );
  console.log(`  encode (median)                      ${us(micro.encodeMs)}`);
  console.log(`  decode (median)                      ${us(micro.decodeMs)}`);
  console.log(`  tone generation (median)             ${us(micro.toneMs)}`);
  console.log(`  analysis (mean, 1 FFT per second)    ${us(micro.analyseMs)}`);
  console.log(`  baseline: PCM copy + RTP packet      ${us(micro.baselineMs)}`);
  console.log(`  codec / baseline ${(codecMs / micro.baselineMs).toFixed(1)}x`);
  console.log(`  codec (encode + decode) per stream: ${pct(codecMs / FRAME_MS)} of a core (target < 1 %)`);
  console.log(
    `  whole audio path per stream (+ tone, analysis): ${pct((codecMs + micro.toneMs + micro.analyseMs) / FRAME_MS)} of a core`,
  );

  const pair = await connectedPair();
  try {
    await callRounds(pair, seconds, rounds, micro);
  } finally {
    await Promise.all(pair.pcs.map((pc) => pc.close()));
  }
}

async function callRounds(pair: Pair, seconds: number, rounds: number, micro: Micro): Promise<void> {
  const codecMs = micro.encodeMs + micro.decodeMs;
  const fileSource = preEncodedSource();
  const modes: Mode[] = ['baseline', 'codec', 'full'];
  // One uncounted round of each first: V8 tiers the wasm codec and the hot JS up
  // during the first seconds, which would be billed to whichever mode ran first.
  // Reported, though: a 3 s CLI call pays exactly this.
  console.log('\ntwo werift peers in one process, audio both ways (process.cpuUsage / wall time, % of a core):');
  const cold: Record<string, number> = {};
  for (const mode of modes) cold[mode] = (await round(pair, seconds, mode, fileSource)).cpuShare;
  console.log(
    `  first ${seconds} s of each (cold: JIT, wasm tier-up): baseline ${pct(cold.baseline ?? 0)}, codec ${pct(cold.codec ?? 0)}, full ${pct(cold.full ?? 0)}`,
  );
  const shares: Record<Mode, number[]> = { baseline: [], codec: [], full: [] };
  let packets = 0;
  for (let r = 0; r < rounds; r++) {
    const line: string[] = [];
    for (const mode of modes) {
      const result = await round(pair, seconds, mode, fileSource);
      shares[mode].push(result.cpuShare);
      if (mode !== 'baseline') packets += result.received;
      line.push(`${mode} ${pct(result.cpuShare)} (${result.received} packets)`);
    }
    console.log(`  round ${r + 1}: ${line.join(', ')}`);
  }
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const base = mean(shares.baseline);
  const codec = mean(shares.codec);
  const full = mean(shares.full);
  // Two streams (one each way), each encoded once and decoded once.
  const codecPerStream = Math.max(0, codec - base) / 2;
  const fullPerStream = Math.max(0, full - base) / 2;
  console.log(`  warm, mean of ${rounds} × ${seconds} s:`);
  console.log(`    baseline (pre-encoded out, RTP stats in)        ${pct(base)}`);
  console.log(
    `    codec (+ encode and decode)                     ${pct(codec)}   ratio ${(codec / base).toFixed(2)}x`,
  );
  console.log(`    full audio path (tone, encode, decode, analysis) ${pct(full)}   ratio ${(full / base).toFixed(2)}x`);
  console.log(
    `    codec work per stream: ${pct(codecPerStream)} of a core (target < 1 %); whole audio path per stream: ${pct(fullPerStream)}`,
  );
  console.log(`    (${packets} packets decoded in the codec and full rounds)`);
  console.log(
    JSON.stringify({
      frame: {
        encodeUs: micro.encodeMs * 1000,
        decodeUs: micro.decodeMs * 1000,
        toneUs: micro.toneMs * 1000,
        analyseUs: micro.analyseMs * 1000,
        baselineUs: micro.baselineMs * 1000,
      },
      call: { baselineShare: base, codecShare: codec, fullShare: full, codecPerStream, fullPerStream, cold },
      codecWithinTarget: codecMs / FRAME_MS < 0.01 && codecPerStream < 0.01,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
