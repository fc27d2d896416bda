import type { Logger } from 'pino';
import { type AudioProgress, AudioReceiver } from './receiver.js';
import { AudioSender } from './sender.js';
import { type AudioSource, loadAudioSource } from './source.js';
import { OPUS, type AudioHooks, type AudioOptions, type AudioReport, type AudioSendTarget } from './types.js';

/**
 * The audio of one call, behind the session's AudioHooks seam: a tone or an
 * Ogg Opus file out, decoding, statistics, detection and --record in.
 * Everything happens between start() (on "connected") and stop(); the
 * recording file is created at construction, so a bad path fails before the call.
 */
export class OpusAudio implements AudioHooks {
  readonly required: boolean;
  private readonly options: AudioOptions;
  private readonly log: Pick<Logger, 'info' | 'warn'>;
  private readonly source: AudioSource | undefined;
  private readonly receiver: AudioReceiver;
  private sender: AudioSender | undefined;
  private codec: string = OPUS.name;

  constructor(options: AudioOptions, log: Pick<Logger, 'info' | 'warn'>) {
    this.options = options;
    this.log = log;
    this.required = options.audio !== 'none';
    this.source = loadAudioSource(options.audio, options.toneHz);
    this.receiver = new AudioReceiver({
      ...(options.record === undefined ? {} : { record: options.record }),
      onProgress: (p) => this.log.info(progressFields(p), `audio in: ${progressLine(p)}`),
    });
  }

  start(target: AudioSendTarget): Promise<void> {
    this.codec = target.codec;
    // With --audio none, lazy-audio.ts answers start() itself and loads this stack only to listen.
    if (!this.source) return Promise.reject(new Error('start() with --audio none: there is nothing to send'));
    const what = this.source.kind === 'tone' ? `a ${this.source.hz} Hz tone` : `${this.source.path}`;
    this.log.info(
      { payloadType: target.payloadType, durationS: this.options.durationS },
      `audio out: sending ${what} as ${target.codec} (payload type ${target.payloadType}) for ${this.options.durationS} s`,
    );
    const sender = new AudioSender({
      track: target.track,
      payloadType: target.payloadType,
      source: this.source,
      durationMs: this.options.durationS * 1000,
    });
    this.sender = sender;
    return sender.done.then((sent) => {
      this.log.info(
        { packets: sent.packets, bytes: sent.bytes },
        `audio out: sent ${sent.packets} packets (${(sent.mediaMs / 1000).toFixed(1)} s of ${what})`,
      );
    });
  }

  onRtp(packet: Parameters<AudioHooks['onRtp']>[0]): void {
    this.receiver.push(packet);
  }

  stop(): Promise<void> {
    this.sender?.stop();
    const heard = this.receiver.close();
    this.log.info(progressFields(heard), `audio in: ${progressLine(heard)}`);
    if (heard.recorded) {
      this.log.info(
        heard.recorded,
        `audio in: recorded ${(heard.recorded.durationMs / 1000).toFixed(2)} s to ${heard.recorded.path}`,
      );
    }
    return Promise.resolve();
  }

  report(): AudioReport {
    const sent = this.sender?.snapshot();
    const heard = this.receiver.snapshot();
    return {
      codec: this.codec,
      sent: { packets: sent?.packets ?? 0, toneHz: sent?.toneHz ?? null },
      received: { packets: heard.packets, lost: heard.lost, jitterMs: heard.jitterMs, dominantHz: heard.dominantHz },
    };
  }
}

function progressFields(
  p: Omit<AudioProgress, 'recentHz' | 'elapsedMs'> & Partial<AudioProgress>,
): Record<string, unknown> {
  const { recorded: _recorded, ...fields } = p;
  return fields;
}

function progressLine(p: Omit<AudioProgress, 'recentHz' | 'elapsedMs'> & Partial<AudioProgress>): string {
  const hz = p.recentHz ?? p.dominantHz;
  const tone = hz === null ? 'no tone yet' : `${hz.toFixed(1)} Hz`;
  const level = p.rmsDbfs === null ? 'silent' : `${p.rmsDbfs.toFixed(1)} dBFS`;
  const extra = [
    p.reordered ? `${p.reordered} reordered` : '',
    p.duplicates ? `${p.duplicates} duplicates` : '',
    p.decodeErrors ? `${p.decodeErrors} undecodable` : '',
  ].filter(Boolean);
  return `${p.packets} packets, ${p.lost} lost, jitter ${p.jitterMs.toFixed(2)} ms, ${tone} at ${level}${extra.length ? `, ${extra.join(', ')}` : ''}`;
}

/** What client/audio/lazy-audio.ts loads when the call needs audio. */
export function createOpusAudio(options: AudioOptions, log: Pick<Logger, 'info' | 'warn'>): OpusAudio {
  return new OpusAudio(options, log);
}
