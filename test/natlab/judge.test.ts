import t from 'tap';
import { expectationFor } from '../../natlab/expectation.js';
import { judge } from '../../natlab/judge.js';
import { summarise } from '../../natlab/peer-report.js';

// natlab/judge.ts: a cell's two peer reports against its expectation.

t.test('judge: a direct cell, seen from both sides', async (t) => {
  const report = (local: string, remote: string): unknown => ({
    ok: true,
    timingsMs: { dataChannelOpen: 900 },
    selectedPair: {
      local: { type: local, protocol: 'udp', address: '203.0.113.10' },
      remote: { type: remote, protocol: 'udp', address: '203.0.113.102' },
      rttMs: 2,
    },
  });
  const hosts = { answerer: '10.0.1.2', offerer: '10.0.2.2' };
  const expect = expectationFor({ answerer: 'easy', offerer: 'easy', mode: 'default' });
  const both = judge(
    expect,
    { answerer: summarise(report('host', 'srflx')), offerer: summarise(report('host', 'srflx')) },
    hosts,
  );
  t.same(both, { met: true, misses: [], notes: [] });
  // werift's controlling side nominates the first pair to succeed: one side may settle on its relay.
  const asymmetric = judge(
    expect,
    { answerer: summarise(report('relay', 'srflx')), offerer: summarise(report('host', 'srflx')) },
    hosts,
  );
  t.equal(asymmetric.met, true);
  t.equal(asymmetric.notes.length, 1);
  const relayed = judge(
    expect,
    { answerer: summarise(report('relay', 'srflx')), offerer: summarise(report('host', 'relay')) },
    hosts,
  );
  t.equal(relayed.met, false, 'relayed on both sides is not a direct path');
  const failed = judge(
    expect,
    { answerer: summarise({ ok: false, error: { code: 'timeout' } }), offerer: summarise(null) },
    hosts,
  );
  t.equal(failed.met, false);
  t.match(failed.misses[0], /timeout/);
});
