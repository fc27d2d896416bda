/**
 * Ogg pages (RFC 3533 §6): the framing both the reader and the writer share.
 */

export const OGG_CAPTURE = Buffer.from('OggS', 'latin1');
export const HEADER_CONTINUED = 0x01;
export const HEADER_BOS = 0x02;
export const HEADER_EOS = 0x04;
/** Granule position of a page on which no packet ends. */
export const GRANULE_NONE = -1n;
export const MAX_SEGMENTS = 255;
const FIXED_HEADER = 27;

// CRC-32 with polynomial 0x04c11db7, MSB first, no reflection, initial 0 and
// no final xor: Ogg's own variant, not zlib's.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

export function oggCrc(data: Uint8Array, crc = 0): number {
  for (let i = 0; i < data.length; i++) {
    crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ (data[i] ?? 0)) & 0xff] ?? 0)) >>> 0;
  }
  return crc >>> 0;
}

export interface OggPage {
  headerType: number;
  /** Signed: -1 means no packet ends on this page. */
  granule: bigint;
  serial: number;
  sequence: number;
  /** Segment lengths, each 0..255; a segment under 255 ends a packet. */
  segments: number[];
  body: Buffer;
}

export function serializeOggPage(page: OggPage): Buffer {
  if (page.segments.length > MAX_SEGMENTS) throw new RangeError('an Ogg page holds at most 255 segments');
  const bodyLength = page.segments.reduce((a, b) => a + b, 0);
  if (bodyLength !== page.body.length) throw new RangeError('segment table does not match the page body');
  const out = Buffer.alloc(FIXED_HEADER + page.segments.length + bodyLength);
  OGG_CAPTURE.copy(out, 0);
  out.writeUInt8(0, 4); // stream structure version
  out.writeUInt8(page.headerType, 5);
  out.writeBigInt64LE(page.granule, 6);
  out.writeUInt32LE(page.serial >>> 0, 14);
  out.writeUInt32LE(page.sequence >>> 0, 18);
  // CRC field stays zero while the checksum is computed.
  out.writeUInt8(page.segments.length, 26);
  Buffer.from(page.segments).copy(out, FIXED_HEADER);
  page.body.copy(out, FIXED_HEADER + page.segments.length);
  out.writeUInt32LE(oggCrc(out), 22);
  return out;
}

export class OggFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OggFormatError';
  }
}

/**
 * Every page in a buffer, in order, each CRC-checked. Bytes before the first
 * capture pattern are refused rather than resynchronised: a file for this tool
 * is either Ogg or not.
 */
export function* parseOggPages(data: Buffer): Generator<OggPage> {
  let offset = 0;
  while (offset < data.length) {
    if (data.length - offset < FIXED_HEADER) {
      throw new OggFormatError(
        offset === 0 ? `not an Ogg file${formatGuess(data)}` : `truncated Ogg page header at byte ${offset}`,
      );
    }
    if (!data.subarray(offset, offset + 4).equals(OGG_CAPTURE)) {
      throw new OggFormatError(
        offset === 0 ? `not an Ogg file${formatGuess(data)}` : `no Ogg capture pattern "OggS" at byte ${offset}`,
      );
    }
    const version = data.readUInt8(offset + 4);
    if (version !== 0) throw new OggFormatError(`unsupported Ogg version ${version} at byte ${offset}`);
    const count = data.readUInt8(offset + 26);
    const headerLength = FIXED_HEADER + count;
    if (data.length - offset < headerLength) throw new OggFormatError(`truncated segment table at byte ${offset}`);
    const segments = [...data.subarray(offset + FIXED_HEADER, offset + headerLength)];
    const bodyLength = segments.reduce((a, b) => a + b, 0);
    const end = offset + headerLength + bodyLength;
    if (end > data.length) throw new OggFormatError(`truncated Ogg page body at byte ${offset}`);
    const raw = Buffer.from(data.subarray(offset, end));
    const stored = raw.readUInt32LE(22);
    raw.writeUInt32LE(0, 22);
    const computed = oggCrc(raw);
    if (computed !== stored) {
      throw new OggFormatError(
        `bad CRC on the Ogg page at byte ${offset}: stored ${stored.toString(16)}, computed ${computed.toString(16)}`,
      );
    }
    yield {
      headerType: data.readUInt8(offset + 5),
      granule: data.readBigInt64LE(offset + 6),
      serial: data.readUInt32LE(offset + 14),
      sequence: data.readUInt32LE(offset + 18),
      segments,
      body: Buffer.from(data.subarray(offset + headerLength, end)),
    };
    offset = end;
  }
}

/** What a file that is not Ogg probably is, for the error message. */
function formatGuess(data: Buffer): string {
  const head = data.subarray(0, 12).toString('latin1');
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WAVE') return ': it is a WAV file (encode it with opusenc)';
  if (head.startsWith('ID3') || (data[0] === 0xff && ((data[1] ?? 0) & 0xe0) === 0xe0)) return ': it looks like MP3';
  if (head.startsWith('fLaC')) return ': it is a FLAC file';
  if (head.slice(4, 8) === 'ftyp') return ': it is an MP4/M4A file';
  return '';
}

/** Lacing values for one packet: 255s then the remainder (0 when it is a multiple of 255). */
export function lacingFor(length: number): number[] {
  const values = new Array<number>(Math.floor(length / 255)).fill(255);
  values.push(length % 255);
  return values;
}
