import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { MediaStreamTrack } from 'werift';
import { createOpusAudio } from '../../../client/audio/opus-audio.js';
import { readOggOpusFile } from '../../../client/audio/ogg-reader.js';

/**
 * The session's seam (client/audio/types.ts AudioHooks) end to end without a
 * network: two OpusAudio instances whose tracks feed each other. A local
 * werift MediaStreamTrack hands what is written to its own onReceiveRtp.
 */
function logSink(): { log: pino.Logger; lines: () => string[] } {
  const records: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      records.push(chunk.toString());
      done();
    },
  });
  return {
    log: pino({ level: 'info' }, stream),
    lines: () => records.map((r) => (JSON.parse(r) as { msg: string }).msg),
  };
}

t.test('two sides exchange tones through the hooks; report, log lines and recording', async (t) => {
  const record = join(t.testdir(), 'heard.ogg');
  const logs = logSink();
  const offerer = createOpusAudio({ audio: 'tone', toneHz: 440, durationS: 1.2, record: undefined }, logs.log);
  const answerer = createOpusAudio({ audio: 'tone', toneHz: 660, durationS: 1.2, record }, logs.log);
  t.ok(offerer.required);
  const offerTrack = new MediaStreamTrack({ kind: 'audio' });
  const answerTrack = new MediaStreamTrack({ kind: 'audio' });
  offerTrack.onReceiveRtp.subscribe((rtp) => answerer.onRtp(rtp));
  answerTrack.onReceiveRtp.subscribe((rtp) => offerer.onRtp(rtp));

  await Promise.all([
    offerer.start({ track: offerTrack, payloadType: 111, codec: 'opus/48000/2' }),
    answerer.start({ track: answerTrack, payloadType: 111, codec: 'opus/48000/2' }),
  ]);
  await offerer.stop();
  await answerer.stop();
  await answerer.stop();

  const a = offerer.report();
  const b = answerer.report();
  t.match(a, { codec: 'opus/48000/2', sent: { packets: 60, toneHz: 440 }, received: { packets: 60, lost: 0 } });
  t.match(b, { sent: { packets: 60, toneHz: 660 }, received: { packets: 60, lost: 0 } });
  t.ok(
    a.received.dominantHz !== null && Math.abs(a.received.dominantHz - 660) <= 3,
    `offerer heard ${a.received.dominantHz} Hz`,
  );
  t.ok(
    b.received.dominantHz !== null && Math.abs(b.received.dominantHz - 440) <= 3,
    `answerer heard ${b.received.dominantHz} Hz`,
  );

  const lines = logs.lines();
  t.ok(
    lines.some((l) => /^audio out: sending a 440 Hz tone as opus\/48000\/2 \(payload type 111\) for 1.2 s$/.test(l)),
  );
  t.ok(lines.some((l) => /^audio out: sent 60 packets \(1.2 s of a 660 Hz tone\)$/.test(l)));
  t.ok(
    lines.some((l) =>
      /^audio in: \d+ packets, 0 lost, jitter [\d.]+ ms, 4[34]\d\.\d Hz at -(8|9|10)\.\d dBFS$/.test(l),
    ),
    'progress lines',
  );
  t.ok(
    lines.some((l) => l.startsWith(`audio in: recorded 1.19 s to ${record}`)),
    'the recording is announced',
  );

  const recording = await readOggOpusFile(record);
  t.equal(recording.packets.length, 60);
  t.ok(recording.endOfStream);
});

t.test('stop() before the duration ends the sending and resolves start()', async (t) => {
  const logs = logSink();
  const audio = createOpusAudio({ audio: 'tone', toneHz: 440, durationS: 60, record: undefined }, logs.log);
  const played = audio.start({
    track: new MediaStreamTrack({ kind: 'audio' }),
    payloadType: 111,
    codec: 'opus/48000/2',
  });
  await audio.stop();
  await played;
  t.ok(audio.report().sent.packets < 3000, `stopped after ${audio.report().sent.packets} packets`);
});
