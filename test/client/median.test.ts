import t from 'tap';
import { median } from '../../client/median.js';

// client/median.ts: the one median (the report's round trips, the benchmarks).

t.test('median: the middle sample, or the mean of the two in the middle', async (t) => {
  t.equal(median([3, 1, 2]), 2, 'odd count: the middle one, whatever the order');
  t.equal(median([4, 1, 3, 2]), 2.5, 'even count: the mean of the two in the middle');
  t.equal(median([7]), 7);
  t.ok(Number.isNaN(median([])), 'no samples: NaN');
  const samples = [5, 1, 4];
  median(samples);
  t.same(samples, [5, 1, 4], 'the samples are left as they were');
});
