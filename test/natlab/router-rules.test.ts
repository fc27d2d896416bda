import t from 'tap';
import { BEHAVIOURS } from '../../natlab/behaviour.js';
import { routerRules } from '../../natlab/router-rules.js';

// natlab/router-rules.ts: the iptables rules each router of the lab is built with.

const WAN = { primary: '203.0.113.101', second: '203.0.113.111' };

t.test('router rules: the firewall skeleton and each behaviour', async (t) => {
  for (const b of BEHAVIOURS) {
    const rules = routerRules(b, '10.0.1.2', WAN);
    t.match(rules, /-A INPUT -i wan0 -j DROP/, `${b}: unsolicited packets to the router are dropped`);
    t.match(rules, b === 'none' ? /:FORWARD ACCEPT/ : /:FORWARD DROP/, `${b}: forward policy`);
  }
  t.match(routerRules('hard', '10.0.1.2', WAN), /MASQUERADE --random-fully/);
  const adm = routerRules('adm', '10.0.1.2', WAN);
  t.ok(
    adm.indexOf('-d 203.0.113.10 -j SNAT --to-source 203.0.113.101') < adm.indexOf('-j SNAT --to-source 203.0.113.111'),
    'adm: the primary address toward coturn, the second toward everything else',
  );
  t.match(routerRules('full', '10.0.1.2', WAN), /-A PREROUTING -i wan0 -p udp -j DNAT --to-destination 10.0.1.2/);
  const udpblock = routerRules('udpblock', '10.0.1.2', WAN);
  t.ok(
    udpblock.indexOf('-p udp -j DROP') < udpblock.indexOf('-A FORWARD -i lan0 -o wan0 -j ACCEPT'),
    'udpblock drops UDP before the LAN may go out',
  );
  t.notMatch(routerRules('none', '203.0.113.130', WAN), /MASQUERADE/, 'none translates nothing');
});
