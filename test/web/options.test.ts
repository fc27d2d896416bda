/** web/options.ts: the page's query string and form fields, read into a call's options with bin/client's defaults. */
import t from 'tap';
import { parseArgs } from '../../client/cli.js';
import { otherRole, PAGE_TONE_HZ, readOptions, type PageOptions } from '../../web/options.js';

const read = (query: string): PageOptions => readOptions(new URLSearchParams(query));

t.test('no fields: the answerer with the CLI defaults and the 550 Hz tone', async (t) => {
  t.same(read(''), {
    role: 'answerer',
    room: 'default',
    id: 'answerer',
    peer: 'offerer',
    turn: false,
    relayOnly: false,
    audio: 'tone',
    toneHz: 550,
    messages: 5,
    intervalMs: 500,
    durationS: 3,
    timeoutS: 30,
  });
  t.equal(PAGE_TONE_HZ, 550);
});

t.test("the defaults are bin/client's own, in both roles", async (t) => {
  for (const role of ['offerer', 'answerer'] as const) {
    const cli = parseArgs(['--role', role], {});
    if (cli.kind !== 'run') throw new Error(`bin/client --role ${role} does not parse to a run`);
    const page = read(`role=${role}`);
    const { room, id, peer, messages, intervalMs, durationS, timeoutS } = cli.options;
    t.same(
      { room: page.room, id: page.id, peer: page.peer, messages: page.messages },
      { room, id, peer, messages },
      role,
    );
    t.same(
      { intervalMs: page.intervalMs, durationS: page.durationS, timeoutS: page.timeoutS },
      { intervalMs, durationS, timeoutS },
    );
    t.not(page.toneHz, cli.options.toneHz, `the page's tone is never the CLI ${role}'s`);
  }
});

t.test('every documented parameter fills its option', async (t) => {
  const o = read(
    'room=lab-1&role=offerer&id=laptop&peer=vps.eu&turn=1&relayOnly=1&audio=mic&toneHz=880&messages=2&intervalMs=100&durationS=0&timeoutS=5',
  );
  t.same(o, {
    role: 'offerer',
    room: 'lab-1',
    id: 'laptop',
    peer: 'vps.eu',
    turn: true,
    relayOnly: true,
    audio: 'mic',
    toneHz: 880,
    messages: 2,
    intervalMs: 100,
    durationS: 0,
    timeoutS: 5,
  });
  t.equal(read('audio=none').audio, 'none');
  t.equal(read('role=offerer').peer, 'answerer', 'the peer name follows the role');
});

t.test('checkboxes: 1, true, on and yes are set; anything else, or nothing, is not', async (t) => {
  for (const value of ['1', 'true', 'on', 'yes']) {
    t.equal(read(`turn=${value}`).turn, true, `turn=${value}`);
    t.equal(read(`relayOnly=${value}`).relayOnly, true, `relayOnly=${value}`);
  }
  for (const value of ['0', 'false', 'off', 'no', '', 'TRUE ']) t.equal(read(`turn=${value}`).turn, false, value);
});

t.test('blank or padded fields: trimmed, and blank is the default', async (t) => {
  const o = read('room=%20lab%20&id=&peer=%20&messages=%203%20&toneHz=');
  t.equal(o.room, 'lab');
  t.equal(o.id, 'answerer');
  t.equal(o.peer, 'offerer');
  t.equal(o.messages, 3);
  t.equal(o.toneHz, PAGE_TONE_HZ);
  t.equal(read('messages=2.6').messages, 3, 'pings are a whole number');
  t.equal(read('intervalMs=12.5').intervalMs, 12.5);
});

t.test('a bad field is refused, naming it', async (t) => {
  const refused: Array<[string, RegExp]> = [
    ['role=both', /role must be offerer or answerer, not both/],
    ['audio=speaker', /audio must be tone, mic or none/],
    ['room=two%20words', /room: "two words" is not a valid name/],
    ['id=-dash', /id: "-dash" is not a valid name/],
    [`peer=${'p'.repeat(65)}`, /peer: .* is not a valid name/],
    ['toneHz=10', /toneHz must be a number from 20 to 20000/],
    ['toneHz=loud', /toneHz must be a number/],
    ['messages=-1', /messages must be a number from 0 to 1000/],
    ['messages=1001', /messages must be a number from 0 to 1000/],
    ['intervalMs=Infinity', /intervalMs must be a number/],
    ['durationS=3601', /durationS must be a number from 0 to 3600/],
    ['timeoutS=0', /timeoutS must be a number from 1 to 3600/],
  ];
  for (const [query, message] of refused) t.throws(() => read(query), { message }, query);
  t.equal(read(`id=${'a'.repeat(64)}`).id.length, 64, 'a name of 64 characters is fine');
});

t.test('the fields can come from anything with get(): the form goes through URLSearchParams', async (t) => {
  const form = new Map([
    ['role', 'offerer'],
    ['room', 'from-form'],
  ]);
  const o = readOptions({ get: (name) => form.get(name) ?? null });
  t.equal(o.role, 'offerer');
  t.equal(o.room, 'from-form');
});

t.test('otherRole', async (t) => {
  t.equal(otherRole('offerer'), 'answerer');
  t.equal(otherRole('answerer'), 'offerer');
});
