import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RtpPacket } from 'werift';
import { OggOpusWriter } from '../../../client/audio/ogg-writer.js';
import { AudioReceiver } from '../../../client/audio/receiver.js';
import { startAudioSender } from '../../../client/audio/sender.js';
import { loadAudioSource } from '../../../client/audio/source.js';

/**
 * The sender into a plain sink: RTP fields and counts, no network. The pacing
 * is real time (a few hundred ms); only counts are asserted, never timings.
 */
t.test('tone: 960-sample steps, consecutive sequence numbers, marker on the first', async (t) => {
  const sent: RtpPacket[] = [];
  const sender = startAudioSender({
    track: { writeRtp: (p) => sent.push(p) },
    payloadType: 111,
    source: { kind: 'tone', hz: 440 },
    durationMs: 400,
  });
  const done = await sender.done;
  t.match(done, { packets: 20, mediaMs: 400, toneHz: 440, finished: true });
  t.equal(sent.length, 20, '400 ms is 20 packets of 20 ms');
  for (const [i, p] of sent.entries()) {
    const first = sent[0];
    if (!first) break;
    t.equal(p.header.payloadType, 111);
    t.equal(p.header.sequenceNumber, (first.header.sequenceNumber + i) & 0xffff);
    t.equal(p.header.timestamp, (first.header.timestamp + i * 960) >>> 0);
    t.equal(p.header.marker, i === 0);
  }
  t.same(sender.stop(), done, 'stop after the end changes nothing');

  const receiver = new AudioReceiver();
  for (const p of sent) receiver.push(p);
  const heard = receiver.close();
  t.match(heard, { packets: 20, lost: 0, decodeErrors: 0, decodedMs: 400 });
  t.ok(heard.dominantHz !== null && Math.abs(heard.dominantHz - 440) < 3, `decoded at ${heard.dominantHz} Hz`);
});

t.test('stop() ends sending early and resolves done', async (t) => {
  const sent: RtpPacket[] = [];
  const sender = startAudioSender({
    track: { writeRtp: (p) => sent.push(p) },
    payloadType: 96,
    source: { kind: 'tone', hz: 660 },
  });
  t.ok(sent.length >= 1, 'the first packet goes out at once');
  const snapshot = sender.stop();
  t.equal((await sender.done).packets, snapshot.packets);
  const count = sent.length;
  // Absence has no event to await: wait out more than two 20 ms frame periods.
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(sent.length, count, 'nothing after stop');
});

t.test('file: packets at their own durations, timestamps follow them', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'mixed.ogg');
  const pages: Buffer[] = [];
  const writer = new OggOpusWriter((p) => pages.push(p));
  const packets = [Buffer.from([0xf8, 1]), Buffer.from([(31 << 3) | 1, 2, 2]), Buffer.from([0xf0, 3])]; // 20, 40, 10 ms
  for (const p of packets) writer.writePacket(p);
  writer.close();
  writeFileSync(path, Buffer.concat(pages));
  const source = loadAudioSource(path, 440);
  if (!source) throw new Error('expected a source');
  const sent: RtpPacket[] = [];
  const sender = startAudioSender({
    track: { writeRtp: (p) => sent.push(p) },
    payloadType: 111,
    source,
    durationMs: 140,
  });
  const done = await sender.done;
  t.match(done, { packets: 6, mediaMs: 140, file: path });
  const first = sent[0]?.header.timestamp ?? 0;
  t.same(
    sent.map((p) => (p.header.timestamp - first) >>> 0),
    [0, 960, 2880, 3360, 4320, 6240],
  );
  t.same(
    sent.map((p) => p.payload[1]),
    [1, 2, 3, 1, 2, 3],
  );
});

t.test('a follow-on sender continues the sequence and timestamp it is given', async (t) => {
  const sent: RtpPacket[] = [];
  const sink = { writeRtp: (p: RtpPacket) => sent.push(p) };
  const first = startAudioSender({
    track: sink,
    payloadType: 111,
    source: { kind: 'tone', hz: 440 },
    durationMs: 60,
    sequence: 65534,
    timestamp: 2 ** 32 - 960,
  });
  const a = await first.done;
  t.match(a, { nextSequence: 1, nextTimestamp: 1920 });
  const second = startAudioSender({
    track: sink,
    payloadType: 111,
    source: { kind: 'tone', hz: 660 },
    durationMs: 40,
    sequence: a.nextSequence,
    timestamp: a.nextTimestamp,
  });
  await second.done;
  t.same(
    sent.map((p) => p.header.sequenceNumber),
    [65534, 65535, 0, 1, 2],
    'sequence numbers wrap at 16 bits and carry on',
  );
  t.same(
    sent.map((p) => p.header.timestamp),
    [2 ** 32 - 960, 0, 960, 1920, 2880],
    'timestamps wrap at 32 bits and carry on',
  );
  t.same(
    sent.map((p) => p.header.marker),
    [true, false, false, true, false],
    'each sender marks its first packet',
  );
});

t.test('pacing follows the clock from the start: a stall is caught up at once, nothing drifts', async (t) => {
  let clock = 1000; // injected ms clock; the sender only reads it
  const sent: RtpPacket[] = [];
  let reached: (() => void) | undefined;
  let wanted = Infinity;
  const sink = {
    writeRtp: (p: RtpPacket) => {
      sent.push(p);
      if (sent.length >= wanted) reached?.();
    },
  };
  const until = (count: number): Promise<void> =>
    new Promise((resolve) => {
      wanted = count;
      reached = resolve;
      if (sent.length >= count) resolve();
    });
  const sender = startAudioSender({
    track: sink,
    payloadType: 111,
    source: { kind: 'tone', hz: 440 },
    now: () => clock,
  });
  t.teardown(() => sender.stop());
  t.equal(sent.length, 1, 'the packet due at the start goes at once');
  clock += 200; // the event loop "stalled" for 200 ms
  await until(11);
  t.equal(sent.length, 11, 'the next wake-up sends the ten packets due by then, no more');
  clock += 20; // packet 12 falls due at 220 ms
  await until(12);
  t.equal(sent.length, 12);
  const first = sent[0]?.header.timestamp ?? 0;
  t.same(
    sent.map((p) => (p.header.timestamp - first) >>> 0),
    Array.from({ length: 12 }, (_, i) => i * 960),
    'timestamps stay on the media clock through the stall',
  );
});
