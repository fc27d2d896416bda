import t from 'tap';
import { join } from 'node:path';
import { RtpHeader, RtpPacket } from 'werift';
import { readOggOpusFile } from '../../../client/audio/ogg-reader.js';
import { OpusEncoder } from '../../../client/audio/opus.js';
import { type AudioProgress, AudioReceiver } from '../../../client/audio/receiver.js';
import { ToneGenerator } from '../../../client/audio/tone.js';

/** Crafted RTP streams into the receiver, with its clock injected: loss, reordering, duplicates, recording. */
function toneStream(count: number, hz = 440): Buffer[] {
  const encoder = new OpusEncoder();
  const tone = new ToneGenerator({ hz });
  const out = Array.from({ length: count }, () => encoder.encode(tone.nextFrame()));
  encoder.close();
  return out;
}

function rtp(seq: number, timestamp: number, payload: Buffer, payloadType = 111): RtpPacket {
  return new RtpPacket(
    new RtpHeader({ sequenceNumber: seq & 0xffff, timestamp: timestamp >>> 0, payloadType }),
    payload,
  );
}

t.test('loss, reordering and duplicates; the recording keeps real time', async (t) => {
  const record = join(t.testdir(), 'gappy.ogg');
  let clock = 0;
  const progress: AudioProgress[] = [];
  const receiver = new AudioReceiver({
    record,
    payloadType: 111,
    now: () => clock,
    onProgress: (p) => progress.push(p),
  });
  const payloads = toneStream(150);
  const base = 65500; // the sequence wraps inside the stream
  const ts0 = 2 ** 32 - 960 * 40; // and so does the timestamp
  const order: number[] = [];
  for (let i = 0; i < 150; i++) {
    if (i >= 50 && i < 55) continue; // 100 ms lost
    if (i === 80) continue; // sent after 81
    order.push(i);
    if (i === 81) order.push(80);
    if (i === 100) order.push(100); // duplicated
  }
  for (const i of order) {
    clock = i * 20;
    receiver.push(rtp(base + i, ts0 + i * 960, payloads[i] ?? Buffer.alloc(0)));
  }
  receiver.push(rtp(base + 150, ts0 + 150 * 960, Buffer.from([0xf8, 1, 2]), 0)); // PCMU on the track: not audio
  const heard = receiver.close();
  t.match(heard, { packets: 145, lost: 5, reordered: 1, duplicates: 1, decodeErrors: 0, decodedMs: 2900 });
  t.ok(heard.dominantHz !== null && Math.abs(heard.dominantHz - 440) <= 3, `${heard.dominantHz} Hz`);
  t.same(
    progress.map((p) => p.elapsedMs),
    [1100, 2000],
    'a progress line per second of arrivals (the clock is injected; nothing arrived at 1000 ms)',
  );
  t.match(progress[0], { packets: 51, lost: 5 });

  const recording = await readOggOpusFile(record);
  // 144 packets in order, 5 fillers for the gap and 1 for packet 80, whose slot
  // was filled when 81 arrived first.
  t.equal(recording.packets.length, 150, 'every 20 ms slot is in the file once');
  t.equal(
    recording.packets.filter((p) => p.data.length === 1).length,
    6,
    'six of them stand in for lost or late packets',
  );
  t.equal(recording.finalGranule, 150n * 960n, 'the file lasts as long as the stream');
  t.same(recording.warnings, []);
});

t.test('only the given payload type is audio', async (t) => {
  const receiver = new AudioReceiver({ payloadType: 111 });
  const [payload] = toneStream(1);
  receiver.push(rtp(1, 0, payload ?? Buffer.alloc(0), 111));
  receiver.push(rtp(2, 960, Buffer.from([0xff]), 0));
  t.equal(receiver.ignoredPackets, 1);
  t.match(receiver.close(), { packets: 1, lost: 0 });
});

t.test('undecodable payloads are counted, not fatal; nothing after close', async (t) => {
  const receiver = new AudioReceiver();
  receiver.push(rtp(1, 0, Buffer.from([0xfb, 0xff, 0xff, 0xff, 0xff]))); // code 3 with a bad frame count
  t.equal(receiver.snapshot().decodeErrors, 1);
  t.equal(receiver.snapshot().dominantHz, null);
  t.equal(receiver.snapshot().rmsDbfs, null);
  receiver.close();
  receiver.push(rtp(2, 960, Buffer.from([0xf8])));
  t.equal(receiver.snapshot().packets, 1);
  t.ok(receiver.lastPacketAt !== undefined);
});

t.test('a recording closed before any packet is a valid empty file', async (t) => {
  const record = join(t.testdir(), 'empty.ogg');
  new AudioReceiver({ record }).close();
  const recording = await readOggOpusFile(record);
  t.equal(recording.packets.length, 0);
  t.ok(recording.endOfStream);
  t.throws(() => new AudioReceiver({ record: join(record, 'x.ogg') }), 'an unwritable path throws at construction');
});
