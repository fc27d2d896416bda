/**
 * Audio end to end, through real bin/signaling and bin/client processes on
 * loopback: each side must hear the other's tone, and --audio FILE.ogg and
 * --record FILE.ogg must carry real Ogg Opus both ways.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { readOggOpusFile } from '../../client/audio/ogg-reader.js';
import { runClient, startService, type Service } from '../helpers/processes.js';
import { sine, toInt16, wavFile } from '../client/audio/wav.js';

interface AudioReport {
  codec: string;
  sent: { packets: number; toneHz?: number };
  received: { packets: number; lost: number; jitterMs: number; dominantHz: number | null };
}

let service: Service;
t.before(async () => {
  service = await startService();
});
t.teardown(async () => {
  await service.stop();
});

let rooms = 0;
const room = (): string => `audio-${process.pid}-${++rooms}`;
const common = (r: string): string[] => [
  '--signaling-addr',
  service.url,
  '--room',
  r,
  '--json',
  '--timeout-s',
  '40',
  '--duration-s',
  '3',
];

async function call(
  t: Test,
  offererArgs: string[],
  answererArgs: string[],
): Promise<{ offerer: AudioReport; answerer: AudioReport }> {
  const r = room();
  const answerer = runClient(['--role', 'answerer', ...common(r), ...answererArgs]);
  await answerer.waitFor(/registered as answerer/);
  const offerer = runClient(['--role', 'offerer', ...common(r), ...offererArgs]);
  const [o, a] = await Promise.all([offerer.result, answerer.result]);
  t.equal(o.code, 0, 'offerer exits 0', { stderr: o.stderr });
  t.equal(a.code, 0, 'answerer exits 0', { stderr: a.stderr });
  return { offerer: o.reports[0]?.audio as AudioReport, answerer: a.reports[0]?.audio as AudioReport };
}

t.test('default tones for 3 s: each side hears the other within 3 Hz, with no loss', async (t) => {
  const { offerer, answerer } = await call(t, [], []);
  for (const [role, own, other, heardHz] of [
    ['offerer', offerer, answerer, 660],
    ['answerer', answerer, offerer, 440],
  ] as const) {
    t.equal(own.codec, 'opus/48000/2', `${role}: Opus`);
    t.ok(own.sent.packets >= 140, `${role}: sent ${own.sent.packets} packets (3 s is 150)`);
    const heard = own.received.dominantHz ?? NaN;
    t.ok(Math.abs(heard - heardHz) <= 3, `${role}: heard ${heard} Hz, the other side sends ${heardHz} Hz`);
    t.ok(
      own.received.packets >= 0.95 * other.sent.packets,
      `${role}: received ${own.received.packets} of ${other.sent.packets} packets`,
    );
    t.equal(own.received.lost, 0, `${role}: no loss on loopback`);
  }
});

t.test(
  '--audio FILE.ogg on one side, --record on the other',
  { skip: spawnSync('opusenc', ['-V']).error ? 'opusenc not installed (apt-get install opus-tools)' : false },
  async (t) => {
    const dir = t.testdir();
    const wav = join(dir, 'tone.wav');
    const source = join(dir, 'tone-550.ogg');
    const recording = join(dir, 'heard.ogg');
    writeFileSync(wav, wavFile(toInt16(sine(550, 3, 0.4))));
    const encoded = spawnSync('opusenc', ['--quiet', wav, source], { encoding: 'utf8' });
    t.equal(encoded.status, 0, encoded.stderr);

    const { answerer } = await call(t, ['--audio', source], ['--record', recording]);
    const heard = answerer.received.dominantHz ?? NaN;
    t.ok(Math.abs(heard - 550) <= 3, `the answerer heard the file's 550 Hz (${heard} Hz)`);

    const stream = await readOggOpusFile(recording);
    const seconds = stream.durationSamples / 48000;
    t.ok(stream.endOfStream, 'the recording is closed with an end-of-stream page');
    t.ok(seconds >= 2.5 && seconds <= 3.5, `the recording lasts ${seconds.toFixed(2)} s of a 3 s call`);
    const info = spawnSync('opusinfo', [recording], { encoding: 'utf8' });
    if (!info.error) {
      t.equal(info.status, 0, 'opusinfo accepts the recording');
      t.notMatch(`${info.stdout}${info.stderr}`, /WARNING|ERROR/i, 'without warnings');
    }
  },
);
