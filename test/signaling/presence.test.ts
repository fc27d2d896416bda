/**
 * Presence is bounded: a peer that joins and leaves before a mailbox's owner
 * could see it (its peer-joined never delivered, nothing else sent there)
 * leaves no trace in that mailbox. Anything the owner may have seen is
 * followed by its peer-left.
 */
import t from 'tap';
import { buildTestServer, forEachStore } from '../helpers/server.js';
import { join, leave, list, poll, send } from '../helpers/protocol-client.js';

forEachStore(t, async (t, kind) => {
  t.test('150 register/leave cycles leave nothing in a mailbox capped at 5', async (t) => {
    const app = await buildTestServer(t, kind, { maxQueue: 5 });
    const host = await join(app, 'lab', 'host');
    for (let i = 0; i < 150; i++) {
      const churn = await join(app, 'lab', i % 2 === 0 ? 'churn' : undefined);
      t.equal((await leave(app, churn)).status, 204);
    }
    const mailbox = await poll(app, host);
    t.same(mailbox.body.messages, [], 'no presence piled up');
    const a = await join(app, 'lab', 'a');
    t.equal((await send(app, a, 'host', { type: 'hello' })).status, 202, 'the mailbox takes mail');
    t.match((await poll(app, host)).body.messages, [{ type: 'peer-joined', from: 'a', seq: 151 }, { type: 'hello' }]);
  });

  t.test('a peer-joined that was delivered is followed by its peer-left', async (t) => {
    const app = await buildTestServer(t, kind);
    const host = await join(app, 'lab', 'host');
    const guest = await join(app, 'lab', 'guest');
    t.match((await poll(app, host)).body.messages, [{ seq: 1, type: 'peer-joined', from: 'guest' }]);
    await leave(app, guest);
    t.match((await poll(app, host, 'after=0&timeoutMs=0')).body.messages, [
      { seq: 1, type: 'peer-joined', from: 'guest' },
      { seq: 2, type: 'peer-left', from: 'guest', data: { reason: 'left' } },
    ]);
  });

  t.test('a joiner that sent something is announced leaving, with all it sent', async (t) => {
    const app = await buildTestServer(t, kind);
    const host = await join(app, 'lab', 'host');
    const guest = await join(app, 'lab', 'guest');
    await send(app, guest, 'host', { type: 'offer', data: 1 });
    await leave(app, guest);
    t.match((await poll(app, host)).body.messages, [
      { seq: 1, type: 'peer-joined', from: 'guest' },
      { seq: 2, type: 'offer', from: 'guest' },
      { seq: 3, type: 'peer-left', from: 'guest' },
    ]);
  });

  t.test('a peer the owner has listed, or was told of at registration, is announced leaving', async (t) => {
    const app = await buildTestServer(t, kind);
    const host = await join(app, 'lab', 'host');
    const listed = await join(app, 'lab', 'listed');
    t.same(
      (await list(app, host)).body.peers.map((p) => p.name),
      ['host', 'listed'],
    );
    await leave(app, listed);
    t.match((await poll(app, host)).body.messages, [
      { seq: 1, type: 'peer-joined', from: 'listed' },
      { seq: 2, type: 'peer-left', from: 'listed' },
    ]);
    const late = await join(app, 'lab', 'late');
    t.same(late.peers, ['host']);
    await leave(app, host);
    t.match((await poll(app, late)).body.messages, [{ seq: 1, type: 'peer-left', from: 'host' }]);
  });

  t.test('each mailbox decides for itself; seqs skip the withdrawn ones and cursors still work', async (t) => {
    const app = await buildTestServer(t, kind);
    const seen = await join(app, 'lab', 'seen');
    const unseen = await join(app, 'lab', 'unseen');
    await poll(app, unseen); // delivers nothing yet: unseen's mailbox is empty
    const guest = await join(app, 'lab', 'guest');
    t.match((await poll(app, seen)).body.messages, [
      { seq: 1, type: 'peer-joined', from: 'unseen' },
      { seq: 2, type: 'peer-joined', from: 'guest' },
    ]);
    await leave(app, guest);
    t.match((await poll(app, seen, 'after=2&timeoutMs=0')).body.messages, [
      { seq: 3, type: 'peer-left', from: 'guest' },
    ]);
    t.same((await poll(app, unseen)).body.messages, [], 'withdrawn where it was never seen');
    const other = await join(app, 'lab', 'other');
    const news = (await poll(app, unseen)).body.messages;
    t.match(news, [{ seq: 2, type: 'peer-joined', from: 'other' }], 'seq 1 was given, then withdrawn');
    t.equal((await poll(app, unseen, 'after=3&timeoutMs=0')).body.error, 'invalid_cursor', 'no seq past the last');
    t.same((await poll(app, unseen, 'after=2&timeoutMs=0')).body.messages, [], 'acknowledged across the gap');
    await leave(app, other);
    t.match((await poll(app, unseen)).body.messages, [{ seq: 3, type: 'peer-left', from: 'other' }]);
  });
});
