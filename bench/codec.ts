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
import { DEFAULT_BITRATE, DEFAULT_COMPLEXITY } from '../client/audio/opus.js';
import { FRAME_MS } from '../client/audio/tone.js';
import { connectedPair, preEncodedSource, round, type Mode, type Pair } from './codec-call.js';
import { FRAMES, microbench, type Micro } from './codec-frame.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

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
