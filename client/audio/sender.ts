import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RtpHeader, RtpPacket } from 'werift';
import { type AudioSource, type FrameSource, openFrameSource } from './source.js';
import { SAMPLE_RATE } from './tone.js';

/** Where packets go: a werift MediaStreamTrack (writeRtp), or anything shaped like one. */
export interface RtpSink {
  writeRtp(packet: RtpPacket): void;
}

export interface AudioSenderOptions {
  track: RtpSink;
  /** The negotiated Opus payload type (werift rewrites it anyway; set it right for other sinks). */
  payloadType: number;
  source: AudioSource;
  /** Media time to send, in ms; default until stop(). */
  durationMs?: number;
  /** Monotonic ms clock; performance.now by default. */
  now?: () => number;
  /**
   * First sequence number and RTP timestamp; random by default. A sender that
   * follows another on the same track must continue from the previous one's
   * nextSequence/nextTimestamp: SRTP guesses its rollover counter from the
   * sequence number, and a random jump backwards makes the receiver drop everything.
   */
  sequence?: number;
  timestamp?: number;
}

export interface AudioSenderSnapshot {
  packets: number;
  bytes: number;
  /** Media time sent, ms. */
  mediaMs: number;
  toneHz?: number;
  file?: string;
  finished: boolean;
  nextSequence: number;
  nextTimestamp: number;
}

/**
 * Sends one Opus packet per frame duration as RTP. Each packet's send time is
 * computed from the start time and the media time sent so far, never from the
 * previous timer, so setTimeout lateness does not accumulate: 3 s of audio is
 * 150 packets finishing 3 s after the start. A late event loop sends the packets
 * that are due at once (their timestamps stay on the media clock).
 */
export class AudioSender {
  readonly done: Promise<AudioSenderSnapshot>;
  private readonly options: AudioSenderOptions;
  private readonly now: () => number;
  private readonly frames: FrameSource;
  private readonly limitSamples: number;
  private readonly startMs: number;
  private sequence: number;
  private timestamp: number;
  private sentSamples = 0;
  private packets = 0;
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private resolveDone!: (snapshot: AudioSenderSnapshot) => void;

  constructor(options: AudioSenderOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
    this.frames = openFrameSource(options.source);
    this.sequence = (options.sequence ?? randomInt(0, 0x10000)) & 0xffff;
    this.timestamp = (options.timestamp ?? randomInt(0, 2 ** 32 - 1)) >>> 0;
    this.limitSamples = options.durationMs === undefined ? Infinity : (options.durationMs * SAMPLE_RATE) / 1000;
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.startMs = this.now();
    this.tick();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.finished) return;
    const elapsedSamples = ((this.now() - this.startMs) * SAMPLE_RATE) / 1000;
    while (this.sentSamples <= elapsedSamples && this.sentSamples < this.limitSamples) this.sendOne();
    if (this.sentSamples >= this.limitSamples) {
      this.stop();
      return;
    }
    const dueMs = this.startMs + (this.sentSamples * 1000) / SAMPLE_RATE;
    this.timer = setTimeout(() => this.tick(), Math.max(0, dueMs - this.now()));
  }

  private sendOne(): void {
    const frame = this.frames.next();
    const header = new RtpHeader({
      payloadType: this.options.payloadType,
      sequenceNumber: this.sequence,
      timestamp: this.timestamp,
      // RFC 3551 §4.1: the marker starts a talkspurt; for a continuous stream, the first packet.
      marker: this.packets === 0,
    });
    this.options.track.writeRtp(new RtpPacket(header, frame.payload));
    this.sequence = (this.sequence + 1) & 0xffff;
    this.timestamp = (this.timestamp + frame.samples) >>> 0;
    this.sentSamples += frame.samples;
    this.packets++;
    this.bytes += frame.payload.length;
  }

  snapshot(): AudioSenderSnapshot {
    const source = this.options.source;
    return {
      packets: this.packets,
      bytes: this.bytes,
      mediaMs: Math.round((this.sentSamples * 1000) / SAMPLE_RATE),
      ...(source.kind === 'tone' ? { toneHz: source.hz } : { file: source.path }),
      finished: this.finished,
      nextSequence: this.sequence,
      nextTimestamp: this.timestamp,
    };
  }

  /** Stop sending (idempotent); `done` resolves with the totals. */
  stop(): AudioSenderSnapshot {
    if (!this.finished) {
      this.finished = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.frames.close();
      this.resolveDone(this.snapshot());
    }
    return this.snapshot();
  }
}

/** Start sending at once; call on connectionState "connected" (werift drops RTP before DTLS is up). */
export function startAudioSender(options: AudioSenderOptions): AudioSender {
  return new AudioSender(options);
}
