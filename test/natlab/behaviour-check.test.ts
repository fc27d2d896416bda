import t from 'tap';
import { judgeClient } from '../../natlab/behaviour-check.js';

// natlab/behaviour-check.ts: bin/client --nat-only's measurement against coturn's.

t.test("judgeClient: bin/client --nat-only's measurement against coturn's", async (t) => {
  t.same(
    judgeClient(
      { reachable: false, mapping: null, filtering: null },
      { exitCode: 1, mapping: 'unknown', filtering: 'unknown', hairpin: null, method: 'none', publicAddresses: [] },
    ),
    [],
    'behind udpblock: nothing answered, exit 1',
  );
});
