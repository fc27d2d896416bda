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
  /** The offer or answer is out: a good moment to load what start() needs. Optional. */
  prepare?(): void;
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

export type AudioOptions = Pick<ClientOptions, 'audio' | 'toneHz' | 'durationS' | 'record'>;

/** The audio of one call: client/audio's OpusAudio, loaded when the call needs it. */
export function createAudio(options: AudioOptions, log: Logger): AudioHooks {
  return new LazyAudio(options, log);
}

/**
 * Opus in wasm and the audio stack take a while to load: longer than
 * registration, about as long as werift itself. Loading them at start-up
 * would delay the offer; instead `prepare()` starts the load once the offer
 * or answer is out, while ICE and DTLS (mostly waiting) run, and `start()`
 * awaits it on "connected".
 */
class LazyAudio implements AudioHooks {
  readonly required: boolean;
  private loading: Promise<AudioHooks> | undefined;
  private loaded: AudioHooks | undefined;
  private early = 0;
  private stopped = false;

  constructor(
    private readonly options: AudioOptions,
    private readonly log: Logger,
  ) {
    this.required = options.audio !== 'none';
  }

  prepare(): void {
    if (this.loading) return;
    this.loading = import('./audio/hooks.js').then((audio) => {
      this.loaded = audio.createOpusAudio(this.options, this.log);
      return this.loaded;
    });
    // A call that ends before "connected" never awaits it: its failure must not crash the process.
    this.loading.catch((error: unknown) => this.log.debug(`audio stack: ${String(error)}`));
  }

  async start(target: AudioSendTarget): Promise<void> {
    this.prepare();
    const audio = await this.loading!;
    if (this.early > 0) this.log.debug({ packets: this.early }, `audio: ${this.early} RTP packets arrived before the audio stack was loaded`);
    return audio.start(target);
  }

  onRtp(packet: RtpPacket): void {
    if (this.loaded) this.loaded.onRtp(packet);
    else this.early += 1;
  }

  /** Idempotent; waits for a load in flight so that nothing is left half-open. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const audio = await this.loading?.catch(() => undefined);
    await audio?.stop();
  }

  report(): AudioReport {
    return (
      this.loaded?.report() ?? {
        codec: OPUS.name,
        sent: { packets: 0, toneHz: null },
        received: { packets: this.early, lost: null, jitterMs: null, dominantHz: null },
      }
    );
  }
}
