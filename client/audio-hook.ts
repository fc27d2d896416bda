import type { MediaStreamTrack, RtpPacket } from 'werift';
import type { ClientOptions } from './cli.js';
import type { Logger } from './log.js';

/**
 * The seam between the session and the audio code (client/audio/, written
 * separately). The session negotiates one Opus transceiver (sendrecv), and on
 * connectionState "connected" calls `start()` with the track to write RTP to
 * and the payload type the peers agreed on (WERIFT-NOTES trap 9: werift drops
 * packets written before DTLS is up and rewrites SSRC and payload type).
 * Every RTP packet that arrives goes to `onRtp()`.
 */
export interface AudioHooks {
  /** Does the verdict `ok` need audio to have arrived? (CLI.md: unless `--audio none`.) */
  readonly required: boolean;
  /** Starts sending. Resolves when this side's audio has played for `--duration-s`. */
  start(target: AudioSendTarget): Promise<void>;
  onRtp(packet: RtpPacket): void;
  /** Stops sending and finishes any recording. */
  stop(): Promise<void>;
  report(): AudioReport;
}

export interface AudioSendTarget {
  track: MediaStreamTrack;
  payloadType: number;
  /** e.g. "opus/48000/2" */
  codec: string;
}

export interface AudioReport {
  codec: string;
  sent: { packets: number; toneHz: number | null };
  received: { packets: number; lost: number | null; jitterMs: number | null; dominantHz: number | null };
  /** Set when the numbers need explaining, e.g. nothing was sent and why. */
  note?: string;
}

export const OPUS = { mimeType: 'audio/opus', clockRate: 48_000, channels: 2, name: 'opus/48000/2' } as const;

/**
 * The audio for this run. Until client/audio/ lands this is the placeholder
 * below for every `--audio`; the audio work replaces this function's body.
 */
export function createAudio(options: Pick<ClientOptions, 'audio' | 'toneHz' | 'durationS' | 'record'>, log: Logger): AudioHooks {
  return new PlaceholderAudio(options, log);
}

/**
 * Sends nothing and counts what arrives. Honest about it: the report's note
 * says why, and `required` is false so the verdict treats the run like
 * `--audio none`.
 */
class PlaceholderAudio implements AudioHooks {
  readonly required = false;
  private packets = 0;
  private readonly note: string | undefined;

  constructor(
    options: Pick<ClientOptions, 'audio' | 'toneHz' | 'durationS' | 'record'>,
    private readonly log: Logger,
  ) {
    const wanted = options.audio === 'tone' ? `a ${options.toneHz} Hz tone` : options.audio === 'none' ? undefined : options.audio;
    this.note = wanted
      ? `audio sending and decoding are not in this build yet: ${wanted} was not sent${options.record ? `, ${options.record} not written` : ''}; ok does not require audio`
      : undefined;
  }

  start(target: AudioSendTarget): Promise<void> {
    if (this.note) this.log.warn({ payloadType: target.payloadType }, `audio: ${this.note}`);
    else this.log.info({ payloadType: target.payloadType }, `audio: --audio none, the ${target.codec} track stays silent`);
    return Promise.resolve();
  }

  onRtp(): void {
    this.packets += 1;
    if (this.packets === 1) this.log.info('audio: first RTP packet received');
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  report(): AudioReport {
    const report: AudioReport = {
      codec: OPUS.name,
      sent: { packets: 0, toneHz: null },
      received: { packets: this.packets, lost: null, jitterMs: null, dominantHz: null },
    };
    if (this.note) report.note = this.note;
    return report;
  }
}
