import t from 'tap';
import { dominantFrequency } from '../../../client/audio/detect.js';
import { OpusDecoder, OpusEncoder } from '../../../client/audio/opus.js';
import { opusLostPacket, opusPacketIsStereo, opusPacketSamples } from '../../../client/audio/opus-packet.js';
import { ToneGenerator, s16leSamples } from '../../../client/audio/tone.js';

t.test('a tone survives encode and decode at its frequency', async (t) => {
  const encoder = new OpusEncoder();
  const decoder = new OpusDecoder();
  t.teardown(() => {
    encoder.close();
    decoder.close();
  });
  const tone = new ToneGenerator({ hz: 440 });
  const decoded: number[] = [];
  for (let i = 0; i < 50; i++) {
    const packet = encoder.encode(tone.nextFrame());
    t.equal(opusPacketSamples(packet), 960, 'each packet is 20 ms');
    t.notOk(opusPacketIsStereo(packet), 'and mono');
    const pcm = decoder.decode(packet);
    t.equal(pcm.length, 960 * 2, 'decodes to 960 mono s16le samples');
    decoded.push(...s16leSamples(pcm));
  }
  const hz = dominantFrequency(Int16Array.from(decoded));
  t.ok(hz !== undefined && Math.abs(hz - 440) < 1, `decoded tone at ${hz?.toFixed(2)} Hz`);
});

t.test('stereo packets decode through a mono decoder', async (t) => {
  const encoder = new OpusEncoder({ channels: 2 });
  const decoder = new OpusDecoder();
  t.teardown(() => {
    encoder.close();
    decoder.close();
  });
  const packet = encoder.encode(new ToneGenerator({ hz: 660, channels: 2 }).nextFrame());
  t.ok(opusPacketIsStereo(packet));
  t.equal(decoder.decode(packet).length, 960 * 2);
});

t.test('wrong input sizes and closed codecs are refused', async (t) => {
  const encoder = new OpusEncoder();
  t.throws(() => encoder.encode(Buffer.alloc(960)), RangeError, 'half a frame (Int16Array-sized count) is refused');
  encoder.close();
  t.throws(() => encoder.encode(Buffer.alloc(1920)), /closed/);
  encoder.close();
  const decoder = new OpusDecoder();
  t.throws(() => decoder.decode(Buffer.alloc(0)), RangeError);
  decoder.close();
});

t.test('TOC durations per RFC 6716', async (t) => {
  t.equal(opusPacketSamples(Buffer.from([0xf8])), 960, 'CELT FB 20 ms, one frame');
  t.equal(opusPacketSamples(Buffer.from([(31 << 3) | 1])), 1920, 'two frames');
  t.equal(opusPacketSamples(Buffer.from([(3 << 3) | 0])), 2880, 'SILK 60 ms');
  t.equal(opusPacketSamples(Buffer.from([(16 << 3) | 3, 4])), 480, 'code 3: four 2.5 ms frames');
  t.equal(opusPacketSamples(Buffer.from([(3 << 3) | 3, 3])), undefined, '180 ms is over the 120 ms limit');
  t.equal(opusPacketSamples(Buffer.from([(16 << 3) | 3])), undefined, 'code 3 without a count byte');
  t.equal(opusPacketSamples(Buffer.alloc(0)), undefined);
});

t.test('a "lost" filler packet decodes to concealment of the right length', async (t) => {
  const decoder = new OpusDecoder();
  t.teardown(() => decoder.close());
  for (const size of [120, 240, 480, 960]) {
    const filler = opusLostPacket(size, false);
    t.equal(opusPacketSamples(filler), size);
    t.equal(decoder.decode(filler).length, size * 2, `${size} samples of concealment`);
  }
  t.throws(() => opusLostPacket(100, false), RangeError);
});
