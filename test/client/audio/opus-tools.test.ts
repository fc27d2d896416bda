import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { RtpHeader, RtpPacket } from 'werift';
import { dominantFrequency } from '../../../client/audio/detect.js';
import { readOggOpusFile } from '../../../client/audio/ogg-reader.js';
import { OggOpusFileWriter } from '../../../client/audio/ogg-writer.js';
import { OpusDecoder, OpusEncoder } from '../../../client/audio/opus.js';
import { AudioReceiver } from '../../../client/audio/receiver.js';
import { loadAudioSource } from '../../../client/audio/source.js';
import { ToneGenerator, s16leSamples } from '../../../client/audio/tone.js';
import { sine, toInt16, wavFile } from './wav.js';

/** Interop with Debian's opus-tools (opusenc, opusinfo, opusdec): the reference implementation. */
function missing(tool: string): string | false {
  const probe = spawnSync(tool, ['-V'], { encoding: 'utf8' });
  return probe.error ? `${tool} not installed (apt-get install opus-tools)` : false;
}

function run(tool: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(tool, args, { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function writeTone(path: string, packets: number, close: boolean): void {
  const writer = new OggOpusFileWriter(path);
  const encoder = new OpusEncoder();
  const tone = new ToneGenerator({ hz: 440 });
  for (let i = 0; i < packets; i++) writer.writePacket(encoder.encode(tone.nextFrame()));
  encoder.close();
  if (close) writer.close();
}

t.test('reads a file opusenc made, and hears its tone', { skip: missing('opusenc') }, async (t) => {
  const dir = t.testdir();
  const wav = join(dir, 'tone.wav');
  const ogg = join(dir, 'tone.opus');
  writeFileSync(wav, wavFile(toInt16(sine(550, 2, 0.4))));
  const enc = run('opusenc', ['--quiet', '--comment', 'TITLE=550 Hz', wav, ogg]);
  t.equal(enc.status, 0, enc.output);

  const stream = await readOggOpusFile(ogg);
  t.match(stream.head, { channels: 1, inputSampleRate: 48000, mappingFamily: 0 });
  t.ok(stream.head.preSkip > 0, `pre-skip ${stream.head.preSkip}`);
  t.match(stream.tags.vendor, /libopus/);
  t.ok(stream.tags.comments.includes('TITLE=550 Hz'), 'comments survive');
  t.ok(stream.endOfStream);
  t.same(stream.warnings, []);
  t.equal(stream.durationSamples, 96000, 'granules say exactly the 2 s that went in (end-trimmed)');
  const total = stream.packets.reduce((n, p) => n + p.samples, 0);
  t.equal(stream.packets.at(-1)?.granule, BigInt(total));

  const decoder = new OpusDecoder();
  t.teardown(() => decoder.close());
  const pcm = Buffer.concat(stream.packets.map((p) => decoder.decode(p.data)));
  const samples = s16leSamples(pcm).subarray(stream.head.preSkip, stream.head.preSkip + 96000);
  const hz = dominantFrequency(samples);
  t.ok(hz !== undefined && Math.abs(hz - 550) < 1, `decoded at ${hz?.toFixed(2)} Hz`);

  const source = loadAudioSource(ogg, 440);
  t.equal(source?.kind, 'file', '--audio accepts it');
});

t.test(
  'opusinfo and opusdec accept what the writer writes',
  { skip: missing('opusinfo') || missing('opusdec') },
  async (t) => {
    const dir = t.testdir();
    const ogg = join(dir, 'written.ogg');
    writeTone(ogg, 150, true);
    const info = run('opusinfo', [ogg]);
    t.equal(info.status, 0, 'opusinfo exit status 0');
    t.notMatch(info.output, /WARNING|ERROR|error/i, info.output);
    t.match(info.output, /Pre-skip: 312/);
    t.match(info.output, /Channels: 1/);
    t.match(info.output, /Playback length: 0m:02\.99\ds/);
    t.match(info.output, /Logical stream 1 ended/);

    const wav = join(dir, 'decoded.wav');
    const dec = run('opusdec', ['--quiet', ogg, wav]);
    t.equal(dec.status, 0, dec.output);
    const decoded = readFileSync(wav);
    // 44-byte header then 16-bit mono PCM: 3 s minus the pre-skip.
    t.equal((decoded.length - 44) / 2, 150 * 960 - 312, 'opusdec plays exactly the granule length');
    const hz = dominantFrequency(s16leSamples(decoded.subarray(44)));
    t.ok(hz !== undefined && Math.abs(hz - 440) < 1, `opusdec output at ${hz?.toFixed(2)} Hz`);
  },
);

t.test(
  'a recording cut off without close still plays',
  { skip: missing('opusinfo') || missing('opusdec') },
  async (t) => {
    const dir = t.testdir();
    const ogg = join(dir, 'cut.ogg');
    writeTone(ogg, 60, false); // the process "dies": no close(), no EOS page
    const info = run('opusinfo', [ogg]);
    t.match(info.output, /EOS not set/, 'opusinfo notices the missing EOS...');
    t.notMatch(info.output, /ERROR|corrupt|hole/i, '...and nothing else');
    const wav = join(dir, 'cut.wav');
    const dec = run('opusdec', ['--quiet', ogg, wav]);
    t.equal(dec.status, 0, dec.output);
    const samples = (readFileSync(wav).length - 44) / 2;
    // At most one page (100 ms) plus the held-back newest packet is lost.
    t.ok(samples >= 60 * 960 - 312 - 6 * 960, `${samples} samples survived the cut`);
  },
);

t.test(
  'a --record with lost packets passes opusinfo and plays for the full time',
  { skip: missing('opusinfo') || missing('opusdec') },
  async (t) => {
    const dir = t.testdir();
    const ogg = join(dir, 'gap.ogg');
    const receiver = new AudioReceiver({ record: ogg });
    const encoder = new OpusEncoder();
    const tone = new ToneGenerator({ hz: 440 });
    for (let i = 0; i < 150; i++) {
      const payload = encoder.encode(tone.nextFrame());
      if (i >= 50 && i < 60) continue; // 200 ms lost on the way
      receiver.push(new RtpPacket(new RtpHeader({ sequenceNumber: i, timestamp: i * 960, payloadType: 111 }), payload));
    }
    encoder.close();
    t.match(receiver.close(), { packets: 140, lost: 10, recorded: { packets: 150 } });
    const info = run('opusinfo', [ogg]);
    t.equal(info.status, 0);
    t.notMatch(info.output, /WARNING|ERROR/, info.output);
    const wav = join(dir, 'gap.wav');
    t.equal(run('opusdec', ['--quiet', ogg, wav]).status, 0);
    t.equal((readFileSync(wav).length - 44) / 2, 150 * 960 - 312, 'the gap is concealed, not cut out');
  },
);

t.test(
  'a stereo stream is recorded as stereo and opusdec agrees',
  { skip: missing('opusinfo') || missing('opusdec') },
  async (t) => {
    const dir = t.testdir();
    const ogg = join(dir, 'stereo.ogg');
    const writer = new OggOpusFileWriter(ogg); // channels from the first packet's TOC
    const encoder = new OpusEncoder({ channels: 2 });
    const tone = new ToneGenerator({ hz: 1000, channels: 2 });
    for (let i = 0; i < 50; i++) writer.writePacket(encoder.encode(tone.nextFrame()));
    encoder.close();
    writer.close();
    const info = run('opusinfo', [ogg]);
    t.equal(info.status, 0);
    t.match(info.output, /Channels: 2/);
    t.notMatch(info.output, /WARNING|ERROR/);
    const wav = join(dir, 'stereo.wav');
    t.equal(run('opusdec', ['--quiet', ogg, wav]).status, 0);
    const decoded = readFileSync(wav);
    t.equal(decoded.readUInt16LE(22), 2, 'opusdec writes two channels');
    t.equal((decoded.length - 44) / 4, 50 * 960 - 312);
  },
);
