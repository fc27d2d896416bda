import type { MediaStreamTrack, RtpPacket } from 'werift';
import type { ClientOptions } from './cli.js';
import type { Logger } from './log.js';

/**
 * The seam between the session and the audio code (client/audio/, written
 * separately). The session negotiates one Opus transceiver (sendrecv), and on
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

export type AudioOptions = Pick<ClientOptions, 'audio' | 'toneHz' | 'durationS' | 'record'>;

/** The audio of one call: client/audio's OpusAudio, loaded when the call needs it. */
export function createAudio(options: AudioOptions, log: Logger): AudioHooks {
  return new LazyAudio(options, log);
}

/**
 * Opus in wasm and the audio stack take as long to load as werift itself, and
 * loading is CPU the connection needs: loaded at start-up it would delay the
 * offer, loaded during ICE and DTLS it would delay the data channel. So the
 * session loads it once the data channel is open, before the pings start.
 * With `--audio none` it is loaded only if the peer's audio arrives; packets
 * that arrive while it loads are kept and handed over.
 */
class LazyAudio implements AudioHooks {
  readonly required: boolean;
  private loading: Promise<AudioHooks> | undefined;
  private loaded: AudioHooks | undefined;
  private early: RtpPacket[] = [];
  private stopped = false;

  constructor(
    private readonly options: AudioOptions,
    private readonly log: Logger,
  ) {
    this.required = options.audio !== 'none';
  }

  async load(): Promise<void> {
    if (this.required || this.options.record !== undefined) await this.stack();
  }

  async start(target: AudioSendTarget): Promise<void> {
    if (!this.required) {
      this.log.info(
        { payloadType: target.payloadType },
        `audio out: --audio none, the ${target.codec} track stays silent`,
      );
      return;
    }
    return (await this.stack()).start(target);
  }

  onRtp(packet: RtpPacket): void {
    if (this.loaded) {
      this.loaded.onRtp(packet);
      return;
    }
    if (this.early.length < MAX_EARLY_PACKETS) this.early.push(packet);
    this.stack().catch(() => undefined);
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
        received: { packets: this.early.length, lost: null, jitterMs: null, dominantHz: null },
      }
    );
  }

  private stack(): Promise<AudioHooks> {
    if (this.loading) return this.loading;
    const loading = import('./audio/hooks.js').then((audio): AudioHooks => {
      const loaded = audio.createOpusAudio(this.options, this.log);
      for (const packet of this.early.splice(0)) loaded.onRtp(packet);
      this.loaded = loaded;
      return loaded;
    });
    // A call that ends before anyone awaits it must not crash the process with its failure.
    loading.catch((error: unknown) => this.log.debug(`audio stack: ${String(error)}`));
    this.loading = loading;
    return loading;
  }
}

/** 10 s of 20 ms frames: more than any load takes. */
const MAX_EARLY_PACKETS = 500;
