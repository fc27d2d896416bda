import t from 'tap';
import {
  HEADER_BOS,
  HEADER_CONTINUED,
  HEADER_EOS,
  OggFormatError,
  parseOggPages,
} from '../../../client/audio/ogg-page.js';
import { parseOggOpus } from '../../../client/audio/ogg-reader.js';
import { OggOpusWriter } from '../../../client/audio/ogg-writer.js';
import { OpusEncoder } from '../../../client/audio/opus.js';
import { ToneGenerator } from '../../../client/audio/tone.js';

function collect(): { pages: Buffer[]; sink: (page: Buffer) => void; bytes: () => Buffer } {
  const pages: Buffer[] = [];
  return { pages, sink: (p) => pages.push(p), bytes: () => Buffer.concat(pages) };
}

function tonePackets(count: number): Buffer[] {
  const encoder = new OpusEncoder();
  const tone = new ToneGenerator({ hz: 440 });
  const out = Array.from({ length: count }, () => encoder.encode(tone.nextFrame()));
  encoder.close();
  return out;
}

t.test('write then read: packets, headers and granules come back', async (t) => {
  const out = collect();
  const writer = new OggOpusWriter(out.sink, { serial: 1234, comments: ['TITLE=test'], vendor: 'unit' });
  const packets = tonePackets(150);
  for (const p of packets) writer.writePacket(p);
  writer.close();
  writer.close();

  const stream = parseOggOpus(out.bytes());
  t.equal(stream.serial, 1234);
  t.match(stream.head, {
    version: 1,
    channels: 1,
    preSkip: 312,
    inputSampleRate: 48000,
    outputGain: 0,
    mappingFamily: 0,
  });
  t.same(stream.tags, { vendor: 'unit', comments: ['TITLE=test'] });
  t.equal(stream.packets.length, 150);
  t.ok(
    stream.packets.every((p, i) => p.data.equals(packets[i] ?? Buffer.alloc(0))),
    'every packet byte for byte',
  );
  t.equal(stream.packets.at(-1)?.granule, 150n * 960n);
  t.equal(stream.finalGranule, 144000n);
  t.equal(stream.durationSamples, 144000 - 312, 'playable length excludes the pre-skip');
  t.ok(stream.endOfStream);
  t.same(stream.warnings, []);

  const pages = [...parseOggPages(out.bytes())];
  t.equal(pages[0]?.headerType, HEADER_BOS, 'OpusHead alone on a BOS page');
  t.equal(pages[0]?.segments.length, 1);
  t.equal(pages[1]?.granule, 0n, 'OpusTags page has granule 0');
  t.equal(pages.at(-1)?.headerType, HEADER_EOS, 'last page is EOS');
  t.ok(pages.length > 10, `pages written as audio arrives (${pages.length})`);
  t.same(
    pages.map((p) => p.sequence),
    pages.map((_, i) => i),
    'page sequence numbers count up',
  );
});

t.test('pages are written as packets arrive, the newest one held for EOS', async (t) => {
  const out = collect();
  const writer = new OggOpusWriter(out.sink, { pageSamples: 960 * 5 });
  const packets = tonePackets(11);
  writer.writePacket(packets[0] ?? Buffer.alloc(0));
  t.equal(out.pages.length, 2, 'headers at the first packet');
  for (const p of packets.slice(1)) writer.writePacket(p);
  t.equal(out.pages.length, 4, 'two audio pages of five packets');
  // An abrupt end: no close(). What is there already reads as Ogg Opus.
  const truncated = parseOggOpus(out.bytes());
  t.equal(truncated.packets.length, 10);
  t.equal(truncated.finalGranule, 9600n);
  t.match(truncated.warnings, [/no end-of-stream/]);
  writer.close();
  const whole = parseOggOpus(out.bytes());
  t.equal(whole.packets.length, 11);
  t.same(whole.warnings, []);
});

t.test('big packets: lacing of 255 multiples and packets spanning pages', async (t) => {
  const out = collect();
  const writer = new OggOpusWriter(out.sink, { channels: 2 });
  const sizes = [255, 510, 200_000, 1, 254, 256, 255 * 255];
  const packets = sizes.map((size, i) => {
    const p = Buffer.alloc(size, i + 1);
    p[0] = 0xfc; // CELT FB 20 ms stereo
    return p;
  });
  for (const p of packets) writer.writePacket(p);
  writer.close();
  const stream = parseOggOpus(out.bytes());
  t.equal(stream.head.channels, 2);
  t.same(
    stream.packets.map((p) => p.data.length),
    sizes,
  );
  t.ok(stream.packets.every((p, i) => p.data.equals(packets[i] ?? Buffer.alloc(0))));
  const pages = [...parseOggPages(out.bytes())];
  t.ok(
    pages.some((p) => p.headerType & HEADER_CONTINUED),
    'a 200 kB packet continues across pages',
  );
  t.ok(pages.filter((p) => p.granule === -1n).length > 0, 'a page on which no packet ends has granule -1');
  t.equal(stream.finalGranule, BigInt(sizes.length * 960));
  t.same(stream.warnings, []);
});

t.test('channels follow the first packet unless fixed', async (t) => {
  const out = collect();
  const writer = new OggOpusWriter(out.sink);
  writer.writePacket(Buffer.from([0xfc, 1, 2, 3]));
  writer.close();
  t.equal(parseOggOpus(out.bytes()).head.channels, 2);
});

t.test('a stream closed before any audio is still a valid, empty Ogg Opus stream', async (t) => {
  const out = collect();
  const writer = new OggOpusWriter(out.sink);
  writer.close();
  const stream = parseOggOpus(out.bytes());
  t.equal(stream.packets.length, 0);
  t.ok(stream.endOfStream);
  t.throws(() => writer.writePacket(Buffer.from([0xf8])), /closed/);
});

t.test('corruption and foreign data are refused', async (t) => {
  const out = collect();
  const writer = new OggOpusWriter(out.sink);
  for (const p of tonePackets(3)) writer.writePacket(p);
  writer.close();
  const good = out.bytes();

  const flipped = Buffer.from(good);
  flipped[flipped.length - 3] = (flipped[flipped.length - 3] ?? 0) ^ 0x40;
  t.throws(() => parseOggOpus(flipped), /bad CRC/);
  t.throws(() => parseOggOpus(good.subarray(0, good.length - 5)), /truncated/);
  t.throws(() => parseOggOpus(Buffer.from('RIFF....WAVEfmt not ogg at all, sorry')), OggFormatError);
  t.throws(() => parseOggOpus(Buffer.alloc(0)), /empty/);

  // An Ogg stream of another codec: a BOS page whose first packet is not OpusHead.
  const vorbis = collect();
  const foreign = new OggOpusWriter(vorbis.sink);
  foreign.writePacket(Buffer.from([0xf8]));
  foreign.close();
  const bytes = vorbis.bytes();
  const patched = Buffer.from(bytes);
  patched.write('\x01vorbis\0', 28, 'latin1'); // overwrite the magic of the first packet
  const pages = [...parseOggPages(bytes)];
  t.ok(pages.length > 0);
  t.throws(() => parseOggOpus(patched), OggFormatError, 'CRC or magic: either way not Opus');
});

t.test('a lost page is reported and the packet it carried a piece of is dropped', async (t) => {
  const out = collect();
  const writer = new OggOpusWriter(out.sink, { pageSamples: 960 });
  const big = Buffer.alloc(100_000, 7);
  big[0] = 0xf8;
  const small = (n: number): Buffer => Buffer.from([0xf8, n]);
  for (const p of [small(1), small(2), big, small(3), small(4), small(5)]) writer.writePacket(p);
  writer.close();
  const pages = [...parseOggPages(out.bytes())];
  const spanning = pages.findIndex((p) => p.headerType & HEADER_CONTINUED);
  t.ok(spanning > 2, 'the big packet spans pages');
  // Drop the page before the first continuation: the big packet loses its middle.
  const raw: Buffer[] = [];
  let offset = 0;
  const bytes = out.bytes();
  for (const page of pages) {
    const length = 27 + page.segments.length + page.body.length;
    raw.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  const damaged = Buffer.concat(raw.filter((_, i) => i !== spanning - 1));
  const stream = parseOggOpus(damaged);
  t.match(stream.warnings.join('\n'), /pages lost/);
  t.match(stream.warnings.join('\n'), /continues a packet that was never started/);
  t.notOk(
    stream.packets.some((p) => p.data.length === big.length),
    'no half packet is passed off as whole',
  );
  t.ok(
    stream.packets.some((p) => p.data.equals(small(5))),
    'packets after the damage are read',
  );
});
