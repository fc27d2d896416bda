import { randomInt } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import {
  GRANULE_NONE,
  HEADER_BOS,
  HEADER_CONTINUED,
  HEADER_EOS,
  MAX_SEGMENTS,
  lacingFor,
  serializeOggPage,
} from './ogg-page.js';
import { encodeOpusHead, encodeOpusTags } from './opus-headers.js';
import { OPUS_LOOKAHEAD_SAMPLES } from './opus.js';
import { opusPacketIsStereo, opusPacketSamples } from './opus-packet.js';
import { SAMPLE_RATE } from './tone.js';

export interface OggOpusWriterOptions {
  /** Channel count for OpusHead; by default the first packet's TOC decides (mono or stereo). */
  channels?: 1 | 2;
  /** Samples the decoder drops at the start: libopus' lookahead (312) unless the encoder said otherwise. */
  preSkip?: number;
  inputSampleRate?: number;
  vendor?: string;
  comments?: string[];
  serial?: number;
  /**
   * Audio held before a page is written, in 48 kHz samples (default 100 ms).
   * Short pages cost ~28 bytes each and bound what an abrupt end loses.
   */
  pageSamples?: number;
}

/**
 * Ogg Opus writer (RFC 7845 over RFC 3533) that hands finished pages to a sink
 * as it goes. The newest packet is always held back so that close() has one to
 * put on the end-of-stream page; everything older is on disk within pageSamples.
 */
export class OggOpusWriter {
  private readonly sink: (page: Buffer) => void;
  private readonly options: OggOpusWriterOptions;
  private readonly serial: number;
  private readonly pageSamples: number;
  private sequence = 0;
  private granule = 0n;
  private pending: { data: Buffer; samples: number }[] = [];
  private pendingSamples = 0;
  private headersWritten = false;
  private closed = false;
  private packetCount = 0;

  constructor(sink: (page: Buffer) => void, options: OggOpusWriterOptions = {}) {
    this.sink = sink;
    this.options = options;
    this.serial = options.serial ?? randomInt(0, 2 ** 32 - 1);
    this.pageSamples = options.pageSamples ?? SAMPLE_RATE / 10;
  }

  get packets(): number {
    return this.packetCount;
  }

  /** Samples written so far (pre-skip included): the granule position the stream has reached. */
  get samples(): bigint {
    return this.granule + BigInt(this.pendingSamples);
  }

  writePacket(packet: Buffer, samples: number | undefined = opusPacketSamples(packet)): void {
    if (this.closed) throw new Error('Ogg Opus writer is closed');
    if (samples === undefined) throw new RangeError('not a valid Opus packet (bad TOC)');
    if (!this.headersWritten) this.writeHeaders(opusPacketIsStereo(packet) ? 2 : 1, false);
    this.pending.push({ data: Buffer.from(packet), samples });
    this.pendingSamples += samples;
    this.packetCount++;
    const held = this.pending.at(-1)?.samples ?? 0;
    if (this.pendingSamples - held >= this.pageSamples) this.writePages(this.pending.length - 1, false);
  }

  /** Write everything held, with the end-of-stream flag on the last page. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.headersWritten) {
      this.writeHeaders(this.options.channels ?? 1, true);
      return;
    }
    this.writePages(this.pending.length, true);
  }

  private writeHeaders(channels: 1 | 2, endOfStream: boolean): void {
    this.headersWritten = true;
    const head = encodeOpusHead({
      channels: this.options.channels ?? channels,
      preSkip: this.options.preSkip ?? OPUS_LOOKAHEAD_SAMPLES,
      inputSampleRate: this.options.inputSampleRate ?? SAMPLE_RATE,
      outputGain: 0,
    });
    // RFC 7845 §3: OpusHead alone on the first page, OpusTags finishing its own
    // page(s), audio starting on a fresh page; header pages carry granule 0.
    this.emitPackets([head], [0], HEADER_BOS, false);
    const tags = encodeOpusTags({
      vendor: this.options.vendor ?? 'webrtc-lab',
      comments: this.options.comments ?? [],
    });
    this.emitPackets([tags], [0], 0, endOfStream);
  }

  private writePages(count: number, endOfStream: boolean): void {
    const batch = this.pending.splice(0, count);
    if (batch.length === 0 && !endOfStream) return;
    this.pendingSamples -= batch.reduce((n, p) => n + p.samples, 0);
    this.emitPackets(
      batch.map((p) => p.data),
      batch.map((p) => p.samples),
      0,
      endOfStream,
    );
  }

  /** Lay packets out on as many pages as their lacing needs and send each page. */
  private emitPackets(packets: Buffer[], samples: number[], firstFlags: number, endOfStream: boolean): void {
    let segments: number[] = [];
    let bodies: Buffer[] = [];
    let flags = firstFlags;
    let pageGranule = GRANULE_NONE;
    const flush = (last: boolean, continued: boolean): void => {
      this.sink(
        serializeOggPage({
          headerType: flags | (last && endOfStream ? HEADER_EOS : 0),
          granule: pageGranule,
          serial: this.serial,
          sequence: this.sequence++,
          segments,
          body: Buffer.concat(bodies),
        }),
      );
      segments = [];
      bodies = [];
      flags = continued ? HEADER_CONTINUED : 0;
      pageGranule = GRANULE_NONE;
    };
    if (packets.length === 0) {
      // Only reached by close() right after a page boundary: an empty EOS page.
      pageGranule = this.granule;
      flush(true, false);
      return;
    }
    packets.forEach((packet, i) => {
      let lacing = lacingFor(packet.length);
      let offset = 0;
      while (lacing.length > 0) {
        const room = MAX_SEGMENTS - segments.length;
        const take = lacing.slice(0, room);
        lacing = lacing.slice(room);
        const bytes = take.reduce((a, b) => a + b, 0);
        segments.push(...take);
        bodies.push(packet.subarray(offset, offset + bytes));
        offset += bytes;
        if (lacing.length === 0) {
          this.granule += BigInt(samples[i] ?? 0);
          pageGranule = this.granule;
        }
        if (segments.length === MAX_SEGMENTS) flush(i === packets.length - 1 && lacing.length === 0, lacing.length > 0);
      }
    });
    if (segments.length > 0) flush(true, false);
  }
}

/**
 * An Ogg Opus file written page by page with synchronous writes, so whatever
 * reached a page is in the file even if the process dies before close().
 * The file is created (and errors surface) at open, before any audio arrives.
 */
export class OggOpusFileWriter {
  readonly path: string;
  private fd: number | undefined;
  private readonly writer: OggOpusWriter;

  constructor(path: string, options: OggOpusWriterOptions = {}) {
    this.path = path;
    const fd = openSync(path, 'w');
    this.fd = fd;
    this.writer = new OggOpusWriter((page) => {
      writeSync(fd, page);
    }, options);
  }

  get packets(): number {
    return this.writer.packets;
  }

  get samples(): bigint {
    return this.writer.samples;
  }

  writePacket(packet: Buffer, samples?: number): void {
    this.writer.writePacket(packet, samples);
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      this.writer.close();
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
