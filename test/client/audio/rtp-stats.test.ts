import t from 'tap';
import { RtpStats } from '../../../client/audio/rtp-stats.js';

/** Feed (seq, timestamp, arrival) triples; arrival defaults to the media time (no jitter). */
function feed(stats: RtpStats, packets: [number, number?, number?][]): string[] {
  return packets.map(([seq, ts = seq * 960, at = ((ts ?? 0) * 1000) / 48000]) => stats.record(seq, ts, at));
}

t.test('in-order packets: no loss, no jitter', async (t) => {
  const stats = new RtpStats();
  feed(stats, [[10], [11], [12], [13]]);
  t.match(stats.snapshot(), { packets: 4, lost: 0, expected: 4, reordered: 0, duplicates: 0, jitterMs: 0 });
});

t.test('gaps count as loss', async (t) => {
  const stats = new RtpStats();
  feed(stats, [[1], [2], [5], [6], [9]]);
  t.match(stats.snapshot(), { packets: 5, expected: 9, lost: 4 });
});

t.test('the 16-bit sequence wrap is neither loss nor reordering', async (t) => {
  const stats = new RtpStats();
  const kinds = feed(stats, [
    [65533, 0],
    [65534, 960],
    [65535, 1920],
    [0, 2880],
    [1, 3840],
  ]);
  t.same(kinds, ['new', 'new', 'new', 'new', 'new']);
  t.match(stats.snapshot(), { packets: 5, lost: 0, expected: 5, reordered: 0, highestSequence: 1 });
});

t.test('loss across the wrap', async (t) => {
  const stats = new RtpStats();
  feed(stats, [
    [65534, 0],
    [2, 3840],
  ]); // 65535, 0, 1 missing
  t.match(stats.snapshot(), { packets: 2, expected: 5, lost: 3 });
});

t.test('a late packet is reordering, and fills its gap', async (t) => {
  const stats = new RtpStats();
  const kinds = feed(stats, [[100], [102], [101], [103]]);
  t.same(kinds, ['new', 'new', 'reordered', 'new']);
  t.match(stats.snapshot(), { packets: 4, lost: 0, reordered: 1 });
});

t.test('reordering across the wrap', async (t) => {
  const stats = new RtpStats();
  const kinds = feed(stats, [
    [65535, 0],
    [1, 1920],
    [0, 960],
  ]);
  t.same(kinds, ['new', 'new', 'reordered']);
  t.match(stats.snapshot(), { packets: 3, lost: 0, reordered: 1, expected: 3 });
});

t.test('duplicates are counted once and do not hide loss', async (t) => {
  const stats = new RtpStats();
  const kinds = feed(stats, [[7], [8], [8], [7], [10], [10]]);
  t.same(kinds, ['new', 'new', 'duplicate', 'duplicate', 'new', 'duplicate']);
  t.match(stats.snapshot(), { packets: 3, duplicates: 3, expected: 4, lost: 1 });
});

t.test('packets from before the first one, or far too old, are discarded', async (t) => {
  const stats = new RtpStats();
  const kinds = feed(stats, [[500], [499]]);
  t.same(kinds, ['new', 'late']);
  for (let s = 501; s < 501 + 2000; s++) stats.record(s & 0xffff, s * 960, s * 20);
  t.equal(stats.record(600, 600 * 960, 99_999), 'late', 'a stray packet 1900 behind');
  t.equal(stats.record(2501, 2501 * 960, 99_999), 'new', 'does not stop counting');
  t.match(stats.snapshot(), { discarded: 2, lost: 0, restarts: 0, packets: 2002 });
});

t.test('a sender that renumbers: counting restarts after the jump is confirmed', async (t) => {
  const stats = new RtpStats();
  const first = Array.from({ length: 50 }, (_, i): [number, number, number] => [100 + i, i * 960, i * 20]);
  // The second run starts far away, with a new timestamp base, 2 ms "late" every other packet.
  const second = Array.from({ length: 50 }, (_, i): [number, number, number] => [
    40_000 + i,
    7_000_000 + i * 960,
    1000 + i * 20 + (i % 2) * 2,
  ]);
  const kinds = feed(stats, [...first, ...second]);
  t.equal(kinds[50], 'late', 'the first packet after the jump is held as a stray');
  t.same(kinds.slice(51), new Array(49).fill('new'), 'the second confirms the restart');
  t.match(stats.snapshot(), { packets: 99, lost: 0, expected: 99, discarded: 1, restarts: 1, highestSequence: 40_049 });
  t.ok(
    stats.snapshot().jitterMs < 2.1,
    `no jitter spike from the new timestamp base (${stats.snapshot().jitterMs} ms)`,
  );
});

t.test('jitter follows RFC 3550 A.8: J += (|D| - J) / 16', async (t) => {
  // Every other packet arrives 2 ms late: |D| is 2 ms (96 ticks) for every pair.
  const stats = new RtpStats();
  let expected = 0;
  for (let i = 0; i < 50; i++) {
    const ts = i * 960;
    const at = i * 20 + (i % 2 === 1 ? 2 : 0);
    stats.record(i, ts, at);
    if (i > 0) expected += (96 - expected) / 16;
  }
  const ms = (expected * 1000) / 48000;
  t.ok(Math.abs(stats.snapshot().jitterMs - ms) < 1e-9, `jitter ${stats.snapshot().jitterMs} ms, expected ${ms}`);
  t.ok(ms > 1.9 && ms < 2, 'converges towards the 2 ms swing');
});

t.test('a constant delay is no jitter, even across the 32-bit timestamp wrap', async (t) => {
  const stats = new RtpStats();
  const start = 2 ** 32 - 960 * 3;
  for (let i = 0; i < 10; i++) stats.record(i, (start + i * 960) >>> 0, 5000 + i * 20);
  t.equal(stats.snapshot().jitterMs, 0);
});

t.test('a single spike decays', async (t) => {
  const stats = new RtpStats();
  stats.record(0, 0, 0);
  stats.record(1, 960, 30); // 10 ms late: D = 480 ticks
  const spike = stats.snapshot().jitterMs;
  t.ok(Math.abs(spike - 10 / 16) < 1e-9, `one 10 ms spike -> ${spike} ms`);
  for (let i = 2; i < 100; i++) stats.record(i, i * 960, i * 20 + 10);
  t.ok(stats.snapshot().jitterMs < 0.1, 'and fades once arrivals are regular');
});
