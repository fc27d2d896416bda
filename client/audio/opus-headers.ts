import { OggFormatError } from './ogg-page.js';

/** The identification header, RFC 7845 §5.1. */
export interface OpusHead {
  version: number;
  channels: number;
  /** Samples at 48 kHz to drop from the start of the decoded output. */
  preSkip: number;
  /** The original input rate, informational only; 0 when unknown. */
  inputSampleRate: number;
  /** Q7.8 dB. */
  outputGain: number;
  mappingFamily: number;
}

/** The comment header, RFC 7845 §5.2. */
export interface OpusTags {
  vendor: string;
  comments: string[];
}

const HEAD_MAGIC = Buffer.from('OpusHead', 'latin1');
const TAGS_MAGIC = Buffer.from('OpusTags', 'latin1');

export function encodeOpusHead(head: Omit<OpusHead, 'version' | 'mappingFamily'>): Buffer {
  if (head.channels !== 1 && head.channels !== 2) {
    throw new RangeError('only channel mapping family 0 (mono or stereo) is written');
  }
  const out = Buffer.alloc(19);
  HEAD_MAGIC.copy(out, 0);
  out.writeUInt8(1, 8);
  out.writeUInt8(head.channels, 9);
  out.writeUInt16LE(head.preSkip, 10);
  out.writeUInt32LE(head.inputSampleRate, 12);
  out.writeInt16LE(head.outputGain, 16);
  out.writeUInt8(0, 18);
  return out;
}

export function isOpusHead(packet: Buffer): boolean {
  return packet.length >= 8 && packet.subarray(0, 8).equals(HEAD_MAGIC);
}

export function parseOpusHead(packet: Buffer): OpusHead {
  if (!isOpusHead(packet)) throw new OggFormatError('the first packet is not an OpusHead: not an Ogg Opus stream');
  if (packet.length < 19) throw new OggFormatError('OpusHead is shorter than 19 bytes');
  const version = packet.readUInt8(8);
  // RFC 7845 §5.1: the upper four bits are the major version; only 0 is understood.
  if (version >> 4 !== 0) throw new OggFormatError(`unsupported OpusHead version ${version}`);
  const channels = packet.readUInt8(9);
  if (channels === 0) throw new OggFormatError('OpusHead says 0 channels');
  const mappingFamily = packet.readUInt8(18);
  if (mappingFamily === 0 && channels > 2) throw new OggFormatError(`mapping family 0 with ${channels} channels`);
  return {
    version,
    channels,
    preSkip: packet.readUInt16LE(10),
    inputSampleRate: packet.readUInt32LE(12),
    outputGain: packet.readInt16LE(16),
    mappingFamily,
  };
}

export function encodeOpusTags(tags: OpusTags): Buffer {
  const vendor = Buffer.from(tags.vendor, 'utf8');
  const comments = tags.comments.map((c) => Buffer.from(c, 'utf8'));
  const out = Buffer.alloc(8 + 4 + vendor.length + 4 + comments.reduce((n, c) => n + 4 + c.length, 0));
  let offset = TAGS_MAGIC.copy(out, 0);
  offset = out.writeUInt32LE(vendor.length, offset);
  offset += vendor.copy(out, offset);
  offset = out.writeUInt32LE(comments.length, offset);
  for (const c of comments) {
    offset = out.writeUInt32LE(c.length, offset);
    offset += c.copy(out, offset);
  }
  return out;
}

export function parseOpusTags(packet: Buffer): OpusTags {
  if (packet.length < 16 || !packet.subarray(0, 8).equals(TAGS_MAGIC)) {
    throw new OggFormatError('the second packet is not an OpusTags header');
  }
  const fail = (): never => {
    throw new OggFormatError('OpusTags lengths run past the end of the packet');
  };
  let offset = 8;
  const vendorLength = packet.readUInt32LE(offset);
  offset += 4;
  if (offset + vendorLength + 4 > packet.length) fail();
  const vendor = packet.toString('utf8', offset, offset + vendorLength);
  offset += vendorLength;
  const count = packet.readUInt32LE(offset);
  offset += 4;
  const comments: string[] = [];
  for (let i = 0; i < count; i++) {
    if (offset + 4 > packet.length) fail();
    const length = packet.readUInt32LE(offset);
    offset += 4;
    if (offset + length > packet.length) fail();
    comments.push(packet.toString('utf8', offset, offset + length));
    offset += length;
  }
  return { vendor, comments };
}
