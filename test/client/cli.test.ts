import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildCli, parseArgs, toOptions, UsageError, type Flags } from '../../client/cli.js';

const parse = (args: string[]): Flags => buildCli().parseSync(args);
const options = (args: string[]) => toOptions(parse(args));

t.test('defaults follow CLI.md', async (t) => {
  const o = options(['--role', 'offerer']);
  t.same(o, {
    role: 'offerer',
    signalingAddr: 'http://127.0.0.1:8080',
    room: 'default',
    id: 'offerer',
    peer: 'answerer',
    apiKey: undefined,
    withTurn: false,
    stun: [],
    turn: undefined,
    relayOnly: false,
    only: undefined,
    messages: 5,
    intervalMs: 500,
    audio: 'tone',
    toneHz: 440,
    record: undefined,
    durationS: 3,
    timeoutS: 30,
    forever: false,
    json: false,
    logLevel: 'info',
  });
  const a = options(['--role', 'answerer']);
  t.equal(a.id, 'answerer');
  t.equal(a.peer, 'offerer');
  t.equal(a.toneHz, 660, 'the answerer sings a fifth above');
});

t.test('every flag parses, kebab-case', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
  const ogg = join(dir, 'in.ogg');
  writeFileSync(ogg, 'OggS');
  const o = options([
    '--role',
    'answerer',
    '--signaling-addr',
    'https://signal.example.org:8443/',
    '--room',
    'lab.1',
    '--id',
    'bob',
    '--peer',
    'alice',
    '--api-key',
    'k3y',
    '--with-turn',
    '--stun',
    'stun:a.example:3478',
    '--stun',
    'stun:b.example:3478',
    '--turn',
    'turn:t.example:3478?transport=tcp',
    '--turn-username',
    'u',
    '--turn-password',
    'p',
    '--relay-only',
    '--messages',
    '7',
    '--interval-ms',
    '250',
    '--audio',
    ogg,
    '--tone-hz',
    '523.25',
    '--record',
    join(dir, 'out.ogg'),
    '--duration-s',
    '1.5',
    '--timeout-s',
    '12',
    '--forever',
    '--json',
    '--log-level',
    'debug',
  ]);
  t.same(o, {
    role: 'answerer',
    signalingAddr: 'https://signal.example.org:8443',
    room: 'lab.1',
    id: 'bob',
    peer: 'alice',
    apiKey: 'k3y',
    withTurn: true,
    stun: ['stun:a.example:3478', 'stun:b.example:3478'],
    turn: { url: 'turn:t.example:3478?transport=tcp', username: 'u', password: 'p' },
    relayOnly: true,
    only: 'relay',
    messages: 7,
    intervalMs: 250,
    audio: ogg,
    toneHz: 523.25,
    record: join(dir, 'out.ogg'),
    durationS: 1.5,
    timeoutS: 12,
    forever: true,
    json: true,
    logLevel: 'debug',
  });
  t.equal(options(['--role', 'offerer', '--only', 'srflx']).only, 'srflx');
  t.equal(options(['--role', 'offerer', '--only', 'host']).only, 'host');
  t.equal(options(['--role', 'offerer', '--audio', 'none']).audio, 'none');
  t.equal(options(['--role', 'offerer', '--messages', '0']).messages, 0, 'zero pings is a valid (silent) run');
  t.equal(
    options(['--role', 'offerer', '--messages', '3', '--messages', '50']).messages,
    50,
    'a flag given twice: the last wins',
  );
  t.equal(options(['--role', 'offerer', '--audio', 'none', '--audio', 'tone']).audio, 'tone');
});

t.test('every bad flag is a UsageError', async (t) => {
  const bad: Array<[string[], RegExp]> = [
    [[], /role/],
    [['--role', 'caller'], /role/],
    [['--role', 'offerer', '--bogus'], /Unknown argument/],
    [['--role', 'offerer', 'extra'], /Unknown argument|unexpected argument/],
    [['--role', 'offerer', '--signaling-addr', 'not a url'], /signaling-addr/],
    [['--role', 'offerer', '--signaling-addr', 'ftp://x'], /signaling-addr/],
    [['--role', 'offerer', '--room', 'has space'], /--room/],
    [['--role', 'offerer', '--room=-leading-dash'], /--room/],
    [['--role', 'offerer', '--id', 'x'.repeat(65)], /--id/],
    [['--role', 'offerer', '--peer', 'a/b'], /--peer/],
    [['--role', 'offerer', '--id', 'same', '--peer', 'same'], /cannot call itself/],
    [['--role', 'offerer', '--id', 'answerer'], /cannot call itself/],
    [['--role', 'offerer', '--stun', 'turn:x'], /--stun/],
    [['--role', 'offerer', '--turn', 'stun:x', '--turn-username', 'u', '--turn-password', 'p'], /--turn/],
    [['--role', 'offerer', '--turn', 'turn:x'], /credentials|--turn-username/],
    [['--role', 'offerer', '--turn', 'turn:x', '--turn-username', 'u'], /--turn-password/],
    [['--role', 'offerer', '--turn-username', 'u', '--turn-password', 'p'], /need --turn/],
    [['--role', 'offerer', '--relay-only'], /--relay-only needs a TURN server/],
    [['--role', 'offerer', '--relay-only', '--with-turn', '--only', 'host'], /--only host/],
    [['--role', 'offerer', '--only', 'prflx'], /only/],
    [['--role', 'offerer', '--messages', 'abc'], /--messages/],
    [['--role', 'offerer', '--messages', '-1'], /--messages/],
    [['--role', 'offerer', '--messages', '2.5'], /--messages/],
    [['--role', 'offerer', '--interval-ms', '0'], /--interval-ms/],
    [['--role', 'offerer', '--tone-hz', '0'], /--tone-hz/],
    [['--role', 'offerer', '--tone-hz', 'loud'], /--tone-hz/],
    [['--role', 'offerer', '--record', 'out.wav'], /--record/],
    [['--role', 'offerer', '--duration-s', '0'], /--duration-s/],
    [['--role', 'offerer', '--timeout-s', '-3'], /--timeout-s/],
    [['--role', 'offerer', '--timeout-s', 'soon'], /--timeout-s/],
    [['--role', 'offerer', '--forever'], /answerer only/],
    [['--role', 'offerer', '--log-level', 'chatty'], /log-level/],
    [['--role', 'offerer', '--signalingAddr', 'http://x'], /Unknown argument/],
  ];
  for (const [args, message] of bad) {
    t.throws(() => parse(args), { name: 'UsageError', message }, args.join(' ') || '(no flags)');
  }
  t.type(new UsageError('x'), Error);
});

t.test('each flag is also read from CLIENT_<FLAG>; the command line wins', async (t) => {
  const env = {
    CLIENT_ROLE: 'answerer',
    CLIENT_SIGNALING_ADDR: 'http://10.0.0.1:8080',
    CLIENT_ROOM: 'from-env',
    CLIENT_STUN: 'stun:a.example:3478,stun:b.example:3478',
    CLIENT_MESSAGES: '7',
    CLIENT_WITH_TURN: 'true',
    // Names no flag (a platform's variable): ignored, where yargs' .env() would refuse to start.
    CLIENT_SERVICE_HOST: '10.0.0.9',
  };
  const fromEnv = parseArgs([], env);
  t.match(fromEnv, {
    kind: 'run',
    options: {
      role: 'answerer',
      signalingAddr: 'http://10.0.0.1:8080',
      room: 'from-env',
      stun: ['stun:a.example:3478', 'stun:b.example:3478'],
      messages: 7,
      withTurn: true,
    },
  });
  const flagged = parseArgs(['--room', 'from-flag', '--stun', 'stun:c.example:3478', '--messages', '2'], env);
  t.match(flagged, {
    kind: 'run',
    options: { role: 'answerer', room: 'from-flag', stun: ['stun:c.example:3478'], messages: 2 },
  });
  t.throws(() => parseArgs([], { ...env, CLIENT_MESSAGES: 'many' }), { name: 'UsageError', message: /--messages/ });
});

t.test('--relay-only is accepted with --with-turn or with --turn and credentials', async (t) => {
  t.equal(options(['--role', 'offerer', '--relay-only', '--with-turn']).relayOnly, true);
  const o = options([
    '--role',
    'offerer',
    '--relay-only',
    '--turn',
    'turns:t:5349',
    '--turn-username',
    'u',
    '--turn-password',
    'p',
  ]);
  t.equal(o.relayOnly, true);
  t.equal(o.only, 'relay', 'relay-only signals only relay candidates');
});

t.test('parseArgs: help is printed, not run', async (t) => {
  const help = parseArgs(['--help']);
  t.equal(help.kind, 'print');
  if (help.kind === 'print') {
    for (const flag of [
      '--role',
      '--signaling-addr',
      '--with-turn',
      '--relay-only',
      '--only',
      '--tone-hz',
      '--forever',
      '--json',
    ]) {
      t.match(help.text, flag);
    }
  }
  const run = parseArgs(['--role', 'answerer', '--forever']);
  t.equal(run.kind, 'run');
  t.throws(() => parseArgs(['--role']), UsageError);
});
