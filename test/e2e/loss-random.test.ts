import t, { type Test } from 'tap';
import type { Report } from '../../client/report.js';
import { createLossyPath, type LossyPath } from '../helpers/lossy-path.js';

/**
 * Calls across a path that drops random UDP: each side's incoming UDP is
 * dropped with the same probability (iptables `statistic`, this kernel has no
 * netem), so every packet of the handshakes and of the exchange is at risk.
 * A loss of the path is never a failure of the call: at 10 % every call
 * completes, at 20 % every call connects and every pong arrives. Audio is
 * judged by its own rule (under 10 % lost): at 10 % it sits on that limit, so
 * the calls that must complete carry no audio and two more carry it; at 20 %
 * it fails that rule, and only that one, with the loss in the words. Then a
 * blackout shorter than the 5 s silence limit, and one that lasts.
 *
 * 16 calls; about two and a half minutes on a quiet machine.
 */

if (process.getuid?.() !== 0) {
  t.plan(0, 'needs root: the calls run across two network namespaces whose iptables drop UDP');
  process.exit(0);
}

interface Side {
  role: string;
  code: number | null;
  report: Report;
  tail: string;
}

const FAST = ['--messages', '5', '--interval-ms', '200'];

// 16 calls of up to 15 s each: more than the default 180 s under load.
t.setTimeout(360_000);

let path: LossyPath;
t.before(async () => {
  path = await createLossyPath('loss-');
});
t.teardown(async () => await path.close());
t.afterEach(() => path.clear());

async function call(args: string[]): Promise<Side[]> {
  const { offerer, answerer } = await path.call(args);
  const runs = [
    ['offerer', offerer],
    ['answerer', answerer],
  ] as const;
  return await Promise.all(
    runs.map(async ([role, run]) => {
      const r = await run.result;
      return {
        role,
        code: r.code,
        report: r.reports.at(-1) as Report,
        tail: r.stderr.trim().split('\n').slice(-3).join('\n'),
      };
    }),
  );
}

function lossOf(report: Report): number {
  const received = report.audio?.received;
  if (!received || received.lost === null) return 0;
  return received.lost / (received.packets + received.lost);
}

async function calls(t: Test, n: number, what: string, args: string[], check: (t: Test, s: Side) => void) {
  for (let i = 1; i <= n; i++) {
    for (const side of await call(args)) check(t, side);
  }
  t.pass(`${n} calls ${what}`);
}

const completes = (t: Test, s: Side): void => {
  t.equal(s.code, 0, `${s.role} completes:\n${s.tail}`);
};

/**
 * Connected, every pong and the peer's done arrived; then the call passes, or
 * fails the audio rule (under 10 % lost) and only that rule, with the loss in the words.
 */
const judgedByAudioAlone = (t: Test, s: Side): void => {
  const { report } = s;
  t.equal(report.states.connection, 'connected', `${s.role} connected:\n${s.tail}`);
  t.equal(report.dataChannel?.received, 5, `${s.role}: every pong arrived`);
  t.equal(report.dataChannel?.peerDone, true, `${s.role}: the peer's done arrived`);
  const loss = lossOf(report);
  if (loss < 0.1) {
    t.equal(s.code, 0, `${s.role}: audio loss ${(loss * 100).toFixed(1)} % passes its rule:\n${s.tail}`);
    return;
  }
  t.equal(s.code, 1, `${s.role}: audio loss ${(loss * 100).toFixed(1)} % fails the call`);
  t.equal(report.error?.code, 'incomplete', `${s.role}: incomplete`);
  t.equal(
    report.error?.message,
    `audio loss ${(loss * 100).toFixed(1)} % (the limit is under 10 %)`,
    `${s.role}: the audio loss, and nothing else, is named`,
  );
};

t.test('no loss: every call completes', async (t) => {
  await calls(t, 3, 'without loss', FAST, completes);
});

t.test('5 % loss: every call completes, audio included', async (t) => {
  path.randomLoss(0.05);
  // 250 packets: 10 % lost out of 5 % dropped would be far out in the tail.
  await calls(t, 2, 'at 5 %', [...FAST, '--duration-s', '5'], completes);
});

// The audio rule (under 10 % lost) sits on this rate: a call with audio passes or
// fails it by chance. Without audio every call completes; with it, audio alone may fail it.
t.test('10 % loss: every call completes; with audio, only the audio rule may fail it', async (t) => {
  path.randomLoss(0.1);
  await calls(t, 4, 'at 10 % without audio', [...FAST, '--audio', 'none'], completes);
  await calls(t, 2, 'at 10 % with audio', FAST, judgedByAudioAlone);
});

t.test('20 % loss: every call connects and every pong arrives; audio fails its own rule, in words', async (t) => {
  path.randomLoss(0.2);
  await calls(t, 3, 'at 20 %', FAST, judgedByAudioAlone);
});

t.test('a 3 s blackout mid-call is survived', async (t) => {
  const { offerer, answerer } = await path.call(['--messages', '12', '--interval-ms', '500', '--audio', 'none']);
  await offerer.waitFor(/pong 2\/12 received/);
  path.randomLoss(1);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  path.clear();
  const [o, a] = await Promise.all([offerer.result, answerer.result]);
  t.equal(o.code, 0, `offerer completes:\n${o.stderr.trim().split('\n').slice(-3).join('\n')}`);
  t.equal(a.code, 0, `answerer completes:\n${a.stderr.trim().split('\n').slice(-3).join('\n')}`);
});

// What bounds it: the 5 s silence limit, then the hang-up (at most 2.5 s).
t.test('a blackout that lasts ends both sides within 10 s, exit 1, with what was received', async (t) => {
  const { offerer, answerer } = await path.call(['--messages', '40', '--interval-ms', '250', '--duration-s', '20']);
  await offerer.waitFor(/pong 3\/40 received/);
  path.randomLoss(1);
  const since = performance.now();
  const results = await Promise.all([offerer.result, answerer.result]);
  const elapsed = performance.now() - since;
  t.ok(elapsed < 10_000, `both sides ended ${(elapsed / 1000).toFixed(1)} s after the blackout began`);
  for (const [role, r] of [
    ['offerer', results[0]],
    ['answerer', results[1]],
  ] as const) {
    const report = r.reports.at(-1) as Report;
    t.equal(r.code, 1, `${role} exits 1`);
    t.match(
      report.error?.code,
      /^(peer_silent|peer_left)$/,
      `${role}: the peer went silent (${report.error?.message})`,
    );
    t.ok((report.dataChannel?.received ?? 0) >= (role === 'offerer' ? 3 : 1), `${role}: the pongs received are kept`);
    t.ok((report.audio?.received.packets ?? 0) > 0, `${role}: the audio received is kept`);
  }
});
