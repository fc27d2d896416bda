import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { OpusEncoder } from './opus.js';
import { type OggOpusStream, parseOggOpus } from './ogg-reader.js';
import { FRAME_SAMPLES, ToneGenerator } from './tone.js';

/**
 * What the audio track carries, decided and validated before the call so a bad
 * `--audio FILE` exits 2 at start instead of failing after connecting.
 */
export type AudioSource = { kind: 'tone'; hz: number } | { kind: 'file'; path: string; stream: OggOpusStream };

export type AudioFileErrorCode =
  'audio_file_missing' | 'audio_file_unreadable' | 'audio_file_not_opus' | 'audio_file_empty' | 'record_unwritable';

/** A `--audio FILE` that cannot be played or a `--record FILE` that cannot be written; `code` is stable, `message` is for people. */
export class AudioFileError extends Error {
  readonly code: AudioFileErrorCode;
  readonly path: string;
  constructor(code: AudioFileErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AudioFileError';
    this.code = code;
    this.path = path;
  }
}

/**
 * Turn the `--audio` and `--tone-hz` flags into a source: undefined for `none`,
 * a tone for `tone`, anything else is an Ogg Opus file that must exist, parse
 * (CRC-checked pages, OpusHead, OpusTags) and hold at least one audio packet.
 * Throws AudioFileError (exit 2) or RangeError for a bad tone frequency.
 * Synchronous on purpose: it runs once, at start, inside the flag checks.
 */
export function loadAudioSource(audio: string, toneHz: number): AudioSource | undefined {
  if (audio === 'none') return undefined;
  if (audio === 'tone') {
    new ToneGenerator({ hz: toneHz }); // validates the frequency now, not on connect
    return { kind: 'tone', hz: toneHz };
  }
  const path = audio;
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AudioFileError(
      missing ? 'audio_file_missing' : 'audio_file_unreadable',
      path,
      missing
        ? `--audio ${path}: no such file (--audio takes tone, none or an Ogg Opus file)`
        : `--audio ${path}: cannot read it (${String(error)})`,
      { cause: error },
    );
  }
  if (statSync(path).isDirectory()) {
    throw new AudioFileError('audio_file_unreadable', path, `--audio ${path}: is a directory, not an Ogg Opus file`);
  }
  let stream: OggOpusStream;
  try {
    stream = parseOggOpus(readFileSync(path));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AudioFileError('audio_file_not_opus', path, `--audio ${path}: not an Ogg Opus file (${reason})`, {
      cause: error,
    });
  }
  if (stream.head.mappingFamily !== 0) {
    // RFC 7587: WebRTC's opus/48000/2 carries one Opus stream, mono or stereo.
    throw new AudioFileError(
      'audio_file_not_opus',
      path,
      `--audio ${path}: ${stream.head.channels}-channel Ogg Opus (channel mapping family ${stream.head.mappingFamily}) cannot be sent as opus/48000/2; use a mono or stereo file`,
    );
  }
  if (stream.packets.length === 0) {
    throw new AudioFileError('audio_file_empty', path, `--audio ${path}: the Ogg Opus stream holds no audio`);
  }
  return { kind: 'file', path, stream };
}

/**
 * Everything about the audio flags that can be wrong before the call: the
 * `--audio` source (see loadAudioSource) and whether `--record`'s directory
 * exists and is writable (the file itself is only created when a call starts).
 */
export function validateAudioOptions(options: {
  audio: string;
  toneHz?: number | undefined;
  record?: string | undefined;
}): void {
  loadAudioSource(options.audio, options.toneHz ?? 440);
  if (options.record === undefined) return;
  const directory = dirname(options.record);
  try {
    if (!statSync(directory).isDirectory()) throw new Error('not a directory');
    accessSync(directory, constants.W_OK);
    if (statSync(options.record, { throwIfNoEntry: false })?.isDirectory()) throw new Error('it is a directory');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AudioFileError(
      'record_unwritable',
      options.record,
      `--record ${options.record}: cannot write there (${reason})`,
      {
        cause: error,
      },
    );
  }
}

export interface OpusFrame {
  payload: Buffer;
  /** 48 kHz samples this packet lasts: how far the RTP timestamp and the clock advance. */
  samples: number;
}

/** An endless supply of Opus packets from a source; files loop so audio lasts --duration-s. */
export interface FrameSource {
  next(): OpusFrame;
  close(): void;
}

export function openFrameSource(source: AudioSource): FrameSource {
  if (source.kind === 'tone') {
    const tone = new ToneGenerator({ hz: source.hz });
    const encoder = new OpusEncoder();
    return {
      next: () => ({ payload: encoder.encode(tone.nextFrame()), samples: FRAME_SAMPLES }),
      close: () => encoder.close(),
    };
  }
  const packets = source.stream.packets;
  let index = 0;
  return {
    next: () => {
      const packet = packets[index % packets.length];
      index++;
      if (packet === undefined) throw new Error('the Ogg Opus source holds no packets');
      return { payload: packet.data, samples: packet.samples };
    },
    close: () => undefined,
  };
}
