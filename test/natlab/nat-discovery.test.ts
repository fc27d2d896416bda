import t from 'tap';
import { parseNatDiscovery } from '../../natlab/nat-discovery.js';

// natlab/nat-discovery.ts: coturn's turnutils_natdiscovery output, read.

t.test('parseNatDiscovery reads coturn 4.6 verdicts', async (t) => {
  const out = [
    '0: : IPv4. UDP reflexive addr: 203.0.113.101:55277',
    'NAT with Endpoint Independent Mapping!',
    '0: : IPv4. UDP reflexive addr: 203.0.113.101:41241',
    'NAT with Address and Port Dependent Filtering!',
  ].join('\n');
  t.same(parseNatDiscovery(out, false), {
    reachable: true,
    mapping: 'endpoint-independent',
    filtering: 'address-and-port-dependent',
    reflexive: ['203.0.113.101:55277', '203.0.113.101:41241'],
    timedOut: false,
  });
  t.same(parseNatDiscovery('', true), {
    reachable: false,
    mapping: null,
    filtering: null,
    reflexive: [],
    timedOut: true,
  });
});
