import t from 'tap';
import { parseArgs } from '../../client/cli.js';
import { coturnSkipReason, startCoturn } from '../helpers/coturn.js';
import { runClient } from '../helpers/processes.js';

t.test('--nat-only needs no --role and takes the STUN and TURN flags', async (t) => {
  const parsed = parseArgs(['--nat-only', '--stun', 'stun:192.0.2.1:3478', '--json']);
  t.same(parsed, {
    kind: 'nat-only',
    options: { stun: ['stun:192.0.2.1:3478'], turn: undefined, json: true, logLevel: 'info' },
  });
  t.throws(() => parseArgs([]), { name: 'UsageError', message: /--role/ }, 'without it --role is still required');
});

t.test('bin/client --nat-only with no STUN server says so and exits 1', async (t) => {
  const run = await runClient(['--nat-only', '--json']).result;
  t.equal(run.code, 1);
  t.match(run.stderr, /no STUN server to ask: give --stun/);
  t.match(run.stderr, /--nat-only does not register/);
  t.match(run.reports[0], { mapping: 'unknown', filtering: 'unknown', method: 'none', publicAddresses: [] });
});

t.test(
  'bin/client --nat-only against coturn prints the measurement and exits 0',
  { skip: coturnSkipReason() },
  async (t) => {
    const coturn = await startCoturn({ secret: 's' }, { moreListeningIps: ['127.0.0.2'] });
    t.teardown(() => coturn.stop());
    const run = await runClient(['--nat-only', '--stun', coturn.stunUrl, '--json']).result;
    t.equal(run.code, 0, run.stderr);
    t.match(
      run.stderr,
      /NAT: mapping no-nat, filtering endpoint-independent, hairpin yes \(measured in \d+ ms by RFC 5780/,
    );
    t.match(run.reports[0], { mapping: 'no-nat', filtering: 'endpoint-independent', hairpin: true, method: 'rfc5780' });
  },
);
