import { performance } from 'node:perf_hooks';
import type { RtpPacket } from 'werift';
import { AudioAnalyser, toDbfs } from './detect.js';
import { OggOpusFileWriter } from './ogg-writer.js';
import { OPUS_LOOKAHEAD_SAMPLES, OpusDecoder } from './opus.js';
import { opusLostPacket, opusPacketIsStereo, opusPacketSamples } from './opus-packet.js';
import { RtpStats } from './rtp-stats.js';
import { SAMPLE_RATE, s16leSamples } from './tone.js';

export interface AudioReceiveSnapshot {
  packets: number;
  lost: number;
  jitterMs: number;
  /** Over everything decoded; null before there is enough audio. */
  dominantHz: number | null;
  /** RMS of what was decoded, fraction of full scale, and in dBFS. */
  rms: number;
  rmsDbfs: number | null;
  /** Audio decoded, ms: the "at least one second arrived and decoded" of the report's ok. */
  decodedMs: number;
  reordered: number;
  duplicates: number;
  decodeErrors: number;
  /** Set when --record is on. */
  recorded?: { path: string; packets: number; durationMs: number };
}

export interface AudioProgress extends AudioReceiveSnapshot {
  /** Dominant frequency of the last second only. */
  recentHz: number | null;
  elapsedMs: number;
}

export interface AudioReceiverOptions {
  /** --record FILE.ogg: created now (errors surface before the call), written page by page. */
  record?: string;
  /** Called about once a second while packets arrive. */
  onProgress?: (progress: AudioProgress) => void;
  progressIntervalMs?: number;
  /** Only this payload type is audio; others are counted as ignored. Default: all. */
  payloadType?: number;
  now?: () => number;
}

/** Longest silence (DTX or loss) a recording fills in, in samples: beyond it, time is not kept. */
const MAX_FILL_SAMPLES = 10 * SAMPLE_RATE;

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/**
 * The receiving end of the audio track: feed it every RtpPacket of the track
 * (push), read snapshot() for the report, close() at the end.
 */
export class AudioReceiver {
  private readonly options: AudioReceiverOptions;
  private readonly now: () => number;
  private readonly stats = new RtpStats(SAMPLE_RATE);
  private readonly decoder = new OpusDecoder({ channels: 1 });
  private readonly analyser = new AudioAnalyser();
  private readonly recorder: OggOpusFileWriter | undefined;
  private decodeErrors = 0;
  private ignored = 0;
  private firstArrival: number | undefined;
  private nextProgress = 0;
  private lastArrival: number | undefined;
  // Recording keeps the media timeline: the RTP timestamp where the next packet should start.
  private recordNextTimestamp: number | undefined;
  private closed = false;

  constructor(options: AudioReceiverOptions = {}) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
    this.recorder = options.record === undefined ? undefined : new OggOpusFileWriter(options.record);
  }

  /** Monotonic ms of the last packet: a sign of life for the session's watchdog. */
  get lastPacketAt(): number | undefined {
    return this.lastArrival;
  }

  /** Packets seen with another payload type than options.payloadType. */
  get ignoredPackets(): number {
    return this.ignored;
  }

  push(packet: RtpPacket): void {
    if (this.closed) return;
    const { header, payload } = packet;
    if (this.options.payloadType !== undefined && header.payloadType !== this.options.payloadType) {
      this.ignored++;
      return;
    }
    const arrival = this.now();
    this.lastArrival = arrival;
    if (this.firstArrival === undefined) {
      this.firstArrival = arrival;
      this.nextProgress = arrival + (this.options.progressIntervalMs ?? 1000);
    }
    const kind = this.stats.record(header.sequenceNumber, header.timestamp, arrival);
    if (kind === 'duplicate' || kind === 'late') return;
    try {
      this.analyser.push(s16leSamples(this.decoder.decode(payload)));
    } catch {
      this.decodeErrors++;
    }
    if (kind === 'new') this.record(payload, header.timestamp);
    if (this.options.onProgress && arrival >= this.nextProgress) {
      this.nextProgress += this.options.progressIntervalMs ?? 1000;
      if (this.nextProgress <= arrival) this.nextProgress = arrival + (this.options.progressIntervalMs ?? 1000);
      this.options.onProgress({
        ...this.snapshot(),
        recentHz: nullable(this.analyser.recentHz(), 1),
        elapsedMs: Math.round(arrival - this.firstArrival),
      });
    }
  }

  /**
   * Write a packet to the recording, first filling any timestamp gap (loss, or a
   * sender's DTX) with "lost" packets so the file plays in real time. Packets that
   * arrive late are already covered by the filler and are not recorded.
   */
  private record(payload: Buffer, timestamp: number): void {
    if (!this.recorder) return;
    const samples = opusPacketSamples(payload);
    if (samples === undefined) return;
    if (this.recordNextTimestamp !== undefined) {
      let gap = (timestamp - this.recordNextTimestamp) >>> 0;
      if (gap > 2 ** 31) gap = 0; // behind the timeline: overlap, nothing to fill
      if (gap <= MAX_FILL_SAMPLES) {
        const stereo = opusPacketIsStereo(payload);
        for (const size of [960, 480, 240, 120]) {
          while (gap >= size) {
            this.recorder.writePacket(opusLostPacket(size, stereo), size);
            gap -= size;
          }
        }
      }
    }
    this.recorder.writePacket(payload, samples);
    this.recordNextTimestamp = (timestamp + samples) >>> 0;
  }

  snapshot(): AudioReceiveSnapshot {
    const stats = this.stats.snapshot();
    const level = this.analyser.rms();
    const dbfs = toDbfs(level);
    return {
      packets: stats.packets,
      lost: stats.lost,
      jitterMs: round(stats.jitterMs, 2),
      dominantHz: nullable(this.analyser.dominantHz(), 1),
      rms: round(level, 4),
      rmsDbfs: Number.isFinite(dbfs) ? round(dbfs, 1) : null,
      decodedMs: Math.round((this.analyser.samples * 1000) / SAMPLE_RATE),
      reordered: stats.reordered,
      duplicates: stats.duplicates,
      decodeErrors: this.decodeErrors,
      ...(this.recorder
        ? {
            recorded: {
              path: this.recorder.path,
              packets: this.recorder.packets,
              durationMs: Math.round(
                (Math.max(0, Number(this.recorder.samples) - OPUS_LOOKAHEAD_SAMPLES) * 1000) / SAMPLE_RATE,
              ),
            },
          }
        : {}),
    };
  }

  /** Finish the recording (end-of-stream page) and free the decoder; idempotent. Safe in exit handlers. */
  close(): AudioReceiveSnapshot {
    if (!this.closed) {
      this.closed = true;
      try {
        this.recorder?.close();
      } finally {
        this.decoder.close();
      }
    }
    return this.snapshot();
  }
}

function nullable(value: number | undefined, digits: number): number | null {
  return value === undefined ? null : round(value, digits);
}
