import { readFile } from 'node:fs/promises';
import { GRANULE_NONE, HEADER_BOS, HEADER_CONTINUED, HEADER_EOS, OggFormatError, parseOggPages } from './ogg-page.js';
import { type OpusHead, type OpusTags, isOpusHead, parseOpusHead, parseOpusTags } from './opus-headers.js';
import { opusPacketSamples } from './opus-packet.js';

export interface OggOpusPacket {
  data: Buffer;
  /** Samples at 48 kHz this packet decodes to, from its TOC byte. */
  samples: number;
  /** Granule position at the end of this packet (cumulative samples, pre-skip included). */
  granule: bigint;
}

export interface OggOpusStream {
  serial: number;
  head: OpusHead;
  tags: OpusTags;
  packets: OggOpusPacket[];
  /** Granule position of the last page: pre-skip plus playable samples. */
  finalGranule: bigint;
  /** Playable length in 48 kHz samples: final granule minus pre-skip. */
  durationSamples: number;
  endOfStream: boolean;
  /** Things a strict reader would reject but a player tolerates (missing EOS, lost pages, ...). */
  warnings: string[];
}

/**
 * Parse a whole Ogg Opus stream (RFC 7845) from memory: the first logical
 * stream that starts with an OpusHead; other multiplexed streams are skipped.
 * Every page is CRC-checked; packets are reassembled across lacing and pages.
 */
export function parseOggOpus(data: Buffer): OggOpusStream {
  if (data.length === 0) throw new OggFormatError('the file is empty');
  let serial: number | undefined;
  let expectedSequence = 0;
  let partial: Buffer[] = [];
  let endOfStream = false;
  let finalGranule = 0n;
  const packets: Buffer[] = [];
  const pageEnds: { packetCount: number; granule: bigint }[] = [];
  const warnings: string[] = [];
  const otherCodecs: string[] = [];

  for (const page of parseOggPages(data)) {
    if (serial === undefined) {
      if (!(page.headerType & HEADER_BOS)) continue;
      const first = page.body.subarray(0, page.segments[0] ?? 0);
      if (!isOpusHead(first)) {
        otherCodecs.push(codecName(first)); // another codec's stream: not ours
        continue;
      }
      serial = page.serial;
      expectedSequence = page.sequence;
    }
    if (page.serial !== serial) continue;
    if (endOfStream) {
      warnings.push('pages after the end-of-stream page were ignored');
      break;
    }
    if (page.sequence !== expectedSequence) {
      warnings.push(`page sequence jumps from ${expectedSequence} to ${page.sequence}: pages lost`);
      partial = [];
    }
    expectedSequence = page.sequence + 1;
    if (page.headerType & HEADER_CONTINUED) {
      if (partial.length === 0) warnings.push(`page ${page.sequence} continues a packet that was never started`);
    } else if (partial.length > 0) {
      warnings.push(`page ${page.sequence} drops an unfinished packet`);
      partial = [];
    }
    const orphan = page.headerType & HEADER_CONTINUED && partial.length === 0;
    let offset = 0;
    let skipping = orphan;
    let completed = false;
    for (const length of page.segments) {
      if (!skipping) partial.push(page.body.subarray(offset, offset + length));
      offset += length;
      if (length < 255) {
        if (!skipping) packets.push(Buffer.concat(partial));
        partial = [];
        skipping = false;
        completed = true;
      }
    }
    if (completed && page.granule !== GRANULE_NONE) {
      pageEnds.push({ packetCount: packets.length, granule: page.granule });
      finalGranule = page.granule;
    }
    if (page.headerType & HEADER_EOS) endOfStream = true;
  }

  if (serial === undefined) {
    throw new OggFormatError(
      otherCodecs.length > 0
        ? `the Ogg file holds ${otherCodecs.join(' and ')}, not Opus`
        : 'no Ogg Opus stream (no page starts with an OpusHead)',
    );
  }
  const [headPacket, tagsPacket, ...audio] = packets;
  if (headPacket === undefined) throw new OggFormatError('the Ogg Opus stream has no OpusHead');
  const head = parseOpusHead(headPacket);
  if (tagsPacket === undefined) throw new OggFormatError('the Ogg Opus stream ends before its OpusTags header');
  const tags = parseOpusTags(tagsPacket);
  if (partial.length > 0) warnings.push('the stream ends inside a packet');
  if (!endOfStream) warnings.push('no end-of-stream page: the file may be truncated');

  const out: OggOpusPacket[] = [];
  let granule = 0n;
  for (const [i, packet] of audio.entries()) {
    const samples = opusPacketSamples(packet);
    if (samples === undefined) throw new OggFormatError(`audio packet ${i} is not a valid Opus packet`);
    granule += BigInt(samples);
    out.push({ data: packet, samples, granule });
  }
  // RFC 7845 §4: the last page's granule may be below the packet total (end trimming).
  const lastEnd = pageEnds.at(-1);
  if (lastEnd && lastEnd.packetCount === packets.length && lastEnd.granule > granule) {
    warnings.push(`final granule ${lastEnd.granule} is beyond the ${granule} samples the packets hold`);
  }
  const playable = finalGranule - BigInt(head.preSkip);
  return {
    serial,
    head,
    tags,
    packets: out,
    finalGranule,
    durationSamples: playable > 0n ? Number(playable) : 0,
    endOfStream,
    warnings,
  };
}

/** The usual suspects in .ogg files, from the first header packet's magic. */
function codecName(packet: Buffer): string {
  const text = packet.subarray(0, 8).toString('latin1');
  if (text.startsWith('\x01vorbis')) return 'Vorbis';
  if (text.startsWith('\x7fFLAC')) return 'FLAC';
  if (text.startsWith('Speex')) return 'Speex';
  if (text.startsWith('\x80theora')) return 'Theora';
  return 'an unknown codec';
}

export async function readOggOpusFile(path: string): Promise<OggOpusStream> {
  return parseOggOpus(await readFile(path));
}
