import type { RtpPacket } from 'werift';
import type { Logger } from '../log.js';
import { OPUS, type AudioHooks, type AudioOptions, type AudioReport, type AudioSendTarget } from './types.js';

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
    const loading = import('./opus-audio.js').then((audio): AudioHooks => {
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
