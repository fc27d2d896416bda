import type { MediaStreamTrack, RtpPacket } from 'werift';

/**
 * The seam between the session and the audio code in client/audio/. The session negotiates one Opus transceiver (sendrecv), and on
 * connectionState "connected" calls `start()` with the track to write RTP to
 * and the payload type the peers agreed on (docs/WERIFT.md, Media: werift drops
 * packets written before DTLS is up and rewrites SSRC and payload type).
 * Every RTP packet that arrives goes to `onRtp()`.
 */
export interface AudioHooks {
  /** Does the verdict `ok` need audio to have arrived? (CLI.md: unless `--audio none`.) */
  readonly required: boolean;
  /** Loads what start() needs. The session awaits it before its pings, so loading skews no round trip. Optional. */
  load?(): Promise<void>;
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

/** What the audio of one call is told by the command line. */
export interface AudioOptions {
  /** `tone`, `none` or an Ogg Opus file (validated at start with validateAudioOptions). */
  audio: string;
  toneHz: number;
  durationS: number;
  record: string | undefined;
}
