import t from 'tap';
import { planIceServers, relayProtocolOf } from '../../client/ice-servers.js';
import type { IceServer } from '../../signaling/protocol.js';

const service: IceServer[] = [
  { urls: ['stun:stun.lab:3478'] },
  { urls: ['turn:turn.lab:3478?transport=udp'], username: '1764000000:offerer', credential: 'c2VjcmV0' },
  { urls: ['turn:turn.lab:3478?transport=tcp'], username: '1764000000:offerer', credential: 'c2VjcmV0' },
];

t.test('without --with-turn the service TURN entries are dropped, and the CLI says so', async (t) => {
  const plan = planIceServers(service, { stun: [], turn: undefined, withTurn: false });
  t.same(plan.iceServers, [{ urls: ['stun:stun.lab:3478'] }]);
  t.equal(plan.stunUrl, 'stun:stun.lab:3478');
  t.equal(plan.turnUrl, undefined);
  t.match(plan.notes.join('\n'), /offered 2 TURN URLs; not used without --with-turn/);
});

t.test('with --with-turn: the first TURN URL is the one werift uses; the rest are named', async (t) => {
  const plan = planIceServers(service, { stun: [], turn: undefined, withTurn: true });
  t.equal(plan.turnUrl, 'turn:turn.lab:3478?transport=udp');
  t.equal(plan.turnRelayProtocol, 'udp');
  t.match(
    plan.notes.join('\n'),
    /werift uses only the first TURN URL \(turn:turn\.lab:3478\?transport=udp\); ignoring turn:turn\.lab:3478\?transport=tcp/,
  );
  t.equal(plan.iceServers.length, 3);
});

t.test('flags come first; extra STUN URLs are reported as ignored', async (t) => {
  const plan = planIceServers(service, {
    stun: ['stun:mine:3478', 'stun:mine2:3478'],
    turn: { url: 'turns:mine:5349', username: 'u', password: 'p' },
    withTurn: false,
  });
  t.equal(plan.stunUrl, 'stun:mine:3478');
  t.equal(plan.turnUrl, 'turns:mine:5349', 'an explicit --turn is used without --with-turn');
  t.equal(plan.turnRelayProtocol, 'tls');
  t.same(plan.iceServers[1], { urls: ['turns:mine:5349'], username: 'u', credential: 'p' });
  t.match(
    plan.notes.join('\n'),
    /werift uses only the first STUN URL \(stun:mine:3478\); ignoring stun:mine2:3478, stun:stun\.lab:3478/,
  );
});

t.test('a TURN server without credentials yields no relay and a note', async (t) => {
  const plan = planIceServers([{ urls: ['turn:bare:3478'] }], { stun: [], turn: undefined, withTurn: true });
  t.equal(plan.turnUrl, undefined);
  t.match(plan.notes.join('\n'), /turn:bare:3478 has no credentials/);
});

t.test("no servers at all: an explicit empty list, never werift's default", async (t) => {
  const plan = planIceServers([], { stun: [], turn: undefined, withTurn: true });
  t.same(plan.iceServers, []);
  t.same(plan.notes, []);
});

t.test('relay protocol of a TURN URL', async (t) => {
  t.equal(relayProtocolOf('turn:h:3478'), 'udp');
  t.equal(relayProtocolOf('turn:h:3478?transport=tcp'), 'tcp');
  t.equal(relayProtocolOf('turns:h:5349?transport=tcp'), 'tls');
});
