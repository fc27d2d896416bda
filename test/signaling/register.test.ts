import t from 'tap';
import { buildTestServer, forEachStore } from '../helpers/server.js';
import { join, list, poll, register } from '../helpers/protocol-client.js';
import { turnRestCredential } from '../../signaling/ice-servers.js';

forEachStore(t, async (t, kind) => {
  t.test('register answers 201 with a token, the other peers and the settings', async (t) => {
    const app = await buildTestServer(t, kind, { pollTimeoutMs: 1234, ttlMs: 5678 });
    const first = await register(app, 'lab', { name: 'offerer', meta: { agent: 'test' } });
    t.equal(first.status, 201);
    t.match(first.body, { room: 'lab', name: 'offerer', peers: [], iceServers: [], pollTimeoutMs: 1234, ttlMs: 5678 });
    t.ok(Buffer.from(first.body.token, 'base64url').length >= 16, 'token carries at least 128 bits');
    const second = await register(app, 'lab', { name: 'answerer' });
    t.same(second.body.peers, ['offerer']);
    t.not(second.body.token, first.body.token);
    const news = await poll(app, first.body);
    t.match(news.body.messages, [{ seq: 1, type: 'peer-joined', from: 'answerer', data: { meta: {} } }]);
    const quiet = await poll(app, second.body);
    t.same(quiet.body.messages, [], 'a newcomer learns who is there from peers, not from peer-joined');
  });

  t.test('an empty body counts as {} and the server picks a unique name', async (t) => {
    const app = await buildTestServer(t, kind);
    const a = await register(app, 'lab');
    const b = await register(app, 'lab', undefined, { 'content-type': 'application/json' });
    t.equal(a.status, 201);
    t.equal(b.status, 201);
    t.match(a.body.name, /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
    t.not(a.body.name, b.body.name);
  });

  t.test('peer-joined carries the meta exactly as sent', async (t) => {
    const app = await buildTestServer(t, kind);
    const host = await join(app, 'lab', 'host');
    const meta = { b: 1, 10: 'ten', nested: { z: [1, 2, { y: null }] } };
    const guest = await register(app, 'lab', { name: 'guest', meta });
    t.equal(guest.status, 201);
    const news = await poll(app, host);
    t.match(news.text, /"data":\{"meta":\{"10":"ten","b":1,"nested":\{"z":\[1,2,\{"y":null\}\]\}\}\}/);
    const listing = await list(app, host);
    t.same(
      listing.body.peers.map((p) => p.name),
      ['host', 'guest'],
    );
    t.same(listing.body.peers[1]?.meta, meta);
  });

  t.test('meta over 1024 bytes is refused and changes nothing', async (t) => {
    const app = await buildTestServer(t, kind);
    const host = await join(app, 'lab', 'host');
    const fits = await register(app, 'lab', { name: 'fits', meta: { x: 'a'.repeat(1024 - '{"x":""}'.length) } });
    t.equal(fits.status, 201);
    const big = await register(app, 'lab', { name: 'big', meta: { x: 'a'.repeat(1024 - '{"x":""}'.length + 1) } });
    t.equal(big.status, 400);
    t.equal(big.body.error, 'invalid_request');
    const news = await poll(app, host);
    t.same(
      news.body.messages.map((m) => m.from),
      ['fits'],
      'only the accepted peer was announced',
    );
  });

  t.test('a live name is taken, with the time until it can be free', async (t) => {
    const app = await buildTestServer(t, kind, { ttlMs: 10000 });
    await join(app, 'lab', 'offerer');
    const again = await register(app, 'lab', { name: 'offerer' });
    t.equal(again.status, 409);
    t.equal(again.body.error, 'name_taken');
    const retry = again.body.retryAfterMs ?? -1;
    t.ok(retry > 9000 && retry <= 10000, `retryAfterMs ${retry} is the holder's remaining time-to-live`);
    t.equal((await register(app, 'other', { name: 'offerer' })).status, 201, 'names are per room');
    t.equal((await register(app, 'lab', { name: 'Offerer' })).status, 201, 'names are case-sensitive');
  });

  t.test('room_full and server_full', async (t) => {
    const app = await buildTestServer(t, kind, { maxRoomPeers: 2, maxPeers: 3 });
    await join(app, 'a', 'p1');
    await join(app, 'a', 'p2');
    const full = await register(app, 'a', { name: 'p3' });
    t.equal(full.status, 403);
    t.equal(full.body.error, 'room_full');
    const taken = await register(app, 'a', { name: 'p1' });
    t.equal(taken.body.error, 'name_taken', 'name_taken answers before room_full');
    await join(app, 'b', 'q1');
    const server = await register(app, 'c', { name: 'r1' });
    t.equal(server.status, 503);
    t.equal(server.body.error, 'server_full');
  });

  t.test('the API key guards register', async (t) => {
    const app = await buildTestServer(t, kind, { apiKey: 'sesame' });
    t.equal((await register(app, 'lab', {})).status, 401);
    t.equal((await register(app, 'lab', {}, { authorization: 'Bearer wrong' })).status, 401);
    const ok = await register(app, 'lab', {}, { authorization: 'Bearer sesame' });
    t.equal(ok.status, 201);
    const other = await app.inject({
      method: 'GET',
      url: '/v1/rooms/lab/peers',
      headers: { authorization: 'Bearer sesame' },
    });
    t.equal(other.statusCode, 401, 'the API key is no peer token');
  });

  t.test('iceServers: STUN as configured, TURN with REST credentials', async (t) => {
    const app = await buildTestServer(t, kind, {
      stun: ['stun:stun.example.org:3478'],
      turn: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349?transport=tcp'],
      turnSecret: 'north',
      turnTtlS: 600,
    });
    const before = Math.floor(Date.now() / 1000);
    const peer = await join(app, 'lab', 'answerer');
    t.same(peer.iceServers[0], { urls: ['stun:stun.example.org:3478'] });
    t.equal(peer.iceServers.length, 3);
    const turn = peer.iceServers[1]!;
    t.same(turn.urls, ['turn:turn.example.org:3478?transport=udp']);
    const [expiry, name] = turn.username!.split(':');
    t.equal(name, 'answerer');
    t.ok(Number(expiry) >= before + 600 && Number(expiry) <= before + 602, 'expiry is now + turn-ttl-s');
    t.equal(turn.credential, turnRestCredential('north', turn.username!));
    t.same(peer.iceServers[2]?.urls, ['turns:turn.example.org:5349?transport=tcp']);
  });

  t.test('iceServers: fixed TURN credentials', async (t) => {
    const app = await buildTestServer(t, kind, { turn: ['turn:127.0.0.1:3478'], turnUsername: 'u', turnPassword: 'p' });
    const peer = await join(app, 'lab', 'x');
    t.same(peer.iceServers, [{ urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'p' }]);
  });
});

t.test('TURN REST credential matches the coturn scheme (HMAC-SHA1, base64)', async (t) => {
  // Vector from `printf '%s' '1764000000:answerer' | openssl dgst -sha1 -hmac north -binary | base64`.
  t.equal(turnRestCredential('north', '1764000000:answerer'), 'g21PPuY1AF8HyxUWSaNkZz/vDDY=');
});
