import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { oggCrc } from '../../../client/audio/ogg-page.js';
import { OggOpusWriter } from '../../../client/audio/ogg-writer.js';
import {
  AudioFileError,
  loadAudioSource,
  openFrameSource,
  validateAudioOptions,
} from '../../../client/audio/source.js';
import { sine, toInt16, wavFile } from './wav.js';

function oggOf(packets: Buffer[]): Buffer {
  const pages: Buffer[] = [];
  const writer = new OggOpusWriter((p) => pages.push(p));
  for (const p of packets) writer.writePacket(p);
  writer.close();
  return Buffer.concat(pages);
}

/** Rewrite the first packet (OpusHead) of a one-packet-per-page file in place, and fix that page's CRC. */
function retagged(file: Buffer, edit: (head: Buffer) => void): Buffer {
  const copy = Buffer.from(file);
  const headerLength = 27 + (copy[26] ?? 0);
  const bodyLength = copy.subarray(27, headerLength).reduce((a, b) => a + b, 0);
  edit(copy.subarray(headerLength, headerLength + bodyLength));
  copy.writeUInt32LE(0, 22);
  copy.writeUInt32LE(oggCrc(copy.subarray(0, headerLength + bodyLength)), 22);
  return copy;
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

t.test('tone and none', async (t) => {
  t.same(loadAudioSource('tone', 660), { kind: 'tone', hz: 660 });
  t.equal(loadAudioSource('none', 660), undefined);
  t.throws(() => loadAudioSource('tone', -5), RangeError, 'a bad --tone-hz is refused at start too');
});

t.test('bad --audio files are refused before the call, each with its own code', async (t) => {
  const dir = t.testdir();
  const cases: [string, string, RegExp][] = [
    [join(dir, 'nope.ogg'), 'audio_file_missing', /no such file/],
    [join(dir, 'tone.wav'), 'audio_file_not_opus', /not an Ogg Opus file \(not an Ogg file: it is a WAV file/],
    [join(dir, 'empty.ogg'), 'audio_file_not_opus', /not an Ogg Opus file \(the file is empty\)/],
    [join(dir, 'silent.ogg'), 'audio_file_empty', /holds no audio/],
    [join(dir, 'a-directory'), 'audio_file_unreadable', /directory/],
    [join(dir, 'vorbis.ogg'), 'audio_file_not_opus', /holds Vorbis, not Opus/],
    [join(dir, 'surround.ogg'), 'audio_file_not_opus', /6-channel Ogg Opus \(channel mapping family 1\)/],
  ];
  writeFileSync(
    join(dir, 'vorbis.ogg'),
    retagged(oggOf([Buffer.from([0xf8])]), (head) => head.write('\x01vorbis', 0, 'latin1')),
  );
  writeFileSync(
    join(dir, 'surround.ogg'),
    retagged(oggOf([Buffer.from([0xf8])]), (head) => {
      head.writeUInt8(6, 9);
      head.writeUInt8(1, 18);
    }),
  );
  writeFileSync(join(dir, 'tone.wav'), wavFile(toInt16(sine(440, 0.1))));
  writeFileSync(join(dir, 'empty.ogg'), Buffer.alloc(0));
  writeFileSync(join(dir, 'silent.ogg'), oggOf([]));
  mkdirSync(join(dir, 'a-directory'));
  for (const [path, code, message] of cases) {
    const error = caught(() => loadAudioSource(path, 440));
    t.ok(error instanceof AudioFileError, `${path} is refused`);
    if (error instanceof AudioFileError) {
      t.equal(error.code, code);
      t.equal(error.path, path);
      t.match(error.message, message);
      t.match(error.message, path, 'the message names the file');
    }
  }
});

t.test('a file source loops its packets so audio lasts the whole duration', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'three.ogg');
  const packets = [Buffer.from([0xf8, 1]), Buffer.from([0xf8, 2]), Buffer.from([(31 << 3) | 1, 3, 3])];
  writeFileSync(path, oggOf(packets));
  const source = loadAudioSource(path, 440);
  if (source?.kind !== 'file') throw new Error('expected a file source');
  const frames = openFrameSource(source);
  const got = Array.from({ length: 7 }, () => frames.next());
  frames.close();
  t.same(
    got.map((f) => f.payload[1]),
    [1, 2, 3, 1, 2, 3, 1],
  );
  t.same(
    got.map((f) => f.samples),
    [960, 960, 1920, 960, 960, 1920, 960],
    'durations from each TOC',
  );
});

t.test('validateAudioOptions checks the source and where --record would write', async (t) => {
  const dir = t.testdir({ sub: {} });
  t.doesNotThrow(() => validateAudioOptions({ audio: 'tone', toneHz: 440 }));
  t.doesNotThrow(() => validateAudioOptions({ audio: 'none', record: join(dir, 'out.ogg') }));
  const missingDir = caught(() => validateAudioOptions({ audio: 'tone', record: join(dir, 'no-such-dir', 'out.ogg') }));
  t.ok(
    missingDir instanceof AudioFileError && missingDir.code === 'record_unwritable',
    'a missing directory is refused',
  );
  const isDir = caught(() => validateAudioOptions({ audio: 'tone', record: join(dir, 'sub') }));
  t.ok(isDir instanceof AudioFileError && isDir.code === 'record_unwritable', 'a directory is refused');
  const badAudio = caught(() => validateAudioOptions({ audio: join(dir, 'x.ogg') }));
  t.ok(badAudio instanceof AudioFileError && badAudio.code === 'audio_file_missing');
  // The only check of --audio: the flag parser leaves it to this one (client/cli-checks.ts).
  t.throws(() => validateAudioOptions({ audio: 'song.mp3' }), {
    name: 'AudioFileError',
    message: /^--audio song\.mp3: no such file \(--audio takes tone, none or an Ogg Opus file\)/,
  });
  t.throws(() => validateAudioOptions({ audio: '/nonexistent/x.ogg' }), { message: /no such file/ });
});
