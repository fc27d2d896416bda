/**
 * The service's own page (GET /) in Debian's chromium against bin/client,
 * in both roles: both ends complete, each hears the other's tone, the
 * page's table lists every candidate both sides sent, it shows the verdict
 * line and the timeline, window.labReport has the CLI's report shape
 * (test/helpers/report-shape.ts) and agrees with what bin/client saw, a
 * report file dropped on the page (and one given as ?report=) is drawn, and
 * the page asks nothing of any other origin. And once with `audio=mic`:
 * chromium's fake microphone, heard by bin/client.
 */
import type * as Playwright from 'playwright-core';
import t, { type Test } from 'tap';
import { DEFAULT_TONE_HZ as CLI_TONE_HZ, type Role } from '../../client/cli.js';
import type { ReportCandidate } from '../../client/ice-log.js';
import type { Report } from '../../client/report.js';
import { launchChromium, loadPlaywright } from '../../scripts/chromium.js';
import { overlappingLabels } from '../../scripts/timeline-overlaps.js';
import { PAGE_TONE_HZ } from '../../web/options.js';
import type { PageReport } from '../../web/page-report.js';
import { runClient, startService, type Service } from '../helpers/processes.js';
import { reportShapeErrors } from '../helpers/report-shape.js';

const EXCHANGE = { messages: 3, intervalMs: 200, durationS: 2 };
/** What chromium's fake microphone sends: a 20 ms beep of 400 Hz (media/audio/fake_audio_input_stream.cc). */
const FAKE_MIC_HZ = 400;

let rooms = 0;

const near = (hz: number | null | undefined, expected: number): boolean =>
  typeof hz === 'number' && Math.abs(hz - expected) <= expected * 0.05;

const playwright = await loadPlaywright();
if (typeof playwright === 'string') {
  t.test('the page against bin/client', { skip: `chromium: ${playwright}` }, () => undefined);
} else {
  const service = await startService();
  t.teardown(() => service.stop());
  // Real host addresses instead of mDNS names, so the table can be checked against what bin/client saw.
  const browser = await launchChromium(playwright, ['--disable-features=WebRtcHideLocalIpsWithMdns']);
  t.teardown(() => browser.close());
  let lastReport: string | undefined;

  for (const pageRole of ['answerer', 'offerer'] as const) {
    t.test(`the page as ${pageRole}`, async (t) => {
      const report = await call(t, browser, service, pageRole, 'tone');
      lastReport ??= report;
    });
  }

  // PAGE.md: the fake-device flags for the microphone (scripts/chromium.ts); http://127.0.0.1 is a secure context.
  t.test("the page's microphone (chromium's fake device) as answerer: bin/client receives it", async (t) => {
    await call(t, browser, service, 'answerer', 'mic');
  });

  t.test('a report file is drawn: dropped on the page, or given as ?report=', async (t) => {
    if (lastReport === undefined) {
      t.fail('no report from the calls');
      return;
    }
    const context = await browser.newContext();
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.goto(`${service.url}/`);
    // A drop as the browser delivers it: a DataTransfer holding the file (the page's own types are not the test's).
    await page.evaluate(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([${JSON.stringify(lastReport)}], 'client.json', { type: 'application/json' }));
      document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true }));
    })()`);
    await page.waitForSelector('#timeline svg');
    t.ok((await page.locator('#timeline svg .lane').count()) >= 2, 'the dropped report: both sides drawn');
    t.same(await overlappingLabels(page), [], 'no two of its labels overlap');
    t.match(await page.locator('#timeline svg title').first().textContent(), /client\.json/);

    // ?report= is fetched from the page's own origin (its CSP allows no other).
    await page.route(`${service.url}/reports/run.json`, (route) =>
      route.fulfill({ contentType: 'application/json', body: lastReport ?? '' }),
    );
    await page.goto(`${service.url}/?report=/reports/run.json`);
    await page.waitForSelector('#timeline svg');
    t.match(await page.locator('#timeline svg title').first().textContent(), /reports\/run\.json/);
    t.ok((await page.locator('#timeline svg .mark').count()) >= 5, 'its marks drawn');
  });
}

/** One call: the page in `pageRole` sending `audio`, bin/client in the other; every check; returns its --json line. */
async function call(
  t: Test,
  browser: Playwright.Browser,
  service: Service,
  pageRole: Role,
  audio: 'tone' | 'mic',
): Promise<string> {
  const room = `page-${process.pid}-${++rooms}`;
  const cliRole: Role = pageRole === 'offerer' ? 'answerer' : 'offerer';
  const client = runClient([
    '--role',
    cliRole,
    '--signaling-addr',
    service.url,
    '--room',
    room,
    '--messages',
    String(EXCHANGE.messages),
    '--interval-ms',
    String(EXCHANGE.intervalMs),
    '--duration-s',
    String(EXCHANGE.durationS),
    '--timeout-s',
    '30',
    '--json',
  ]);
  const kill = setTimeout(() => client.child.kill('SIGKILL'), 60_000);
  t.teardown(() => clearTimeout(kill));
  const context = await browser.newContext();
  t.teardown(() => context.close());
  const page = await context.newPage();
  const requests: string[] = [];
  let log = '';
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => (log += `${message.text()}\n`));
  page.on('pageerror', (error) => (log += `page error: ${String(error)}\n`));
  const query = new URLSearchParams({
    room,
    role: pageRole,
    audio,
    messages: String(EXCHANGE.messages),
    intervalMs: String(EXCHANGE.intervalMs),
    durationS: String(EXCHANGE.durationS),
    autostart: '1',
  });
  await page.goto(`${service.url}/?${query.toString()}`);
  await page.waitForFunction(() => (globalThis as { labReport?: unknown }).labReport !== undefined, null, {
    timeout: 60_000,
    polling: 250,
  });
  const labReport = (await page.evaluate(() => (globalThis as { labReport?: unknown }).labReport)) as PageReport;
  const ours = await client.result;
  const cli = ours.reports.at(-1);
  const pageLog = await page.locator('#log').innerText();
  const context_ = { clientLog: ours.stderr, pageLog, console: log };

  t.equal(ours.code, 0, `bin/client (${cliRole}) exits 0`, context_);
  if (audio === 'tone')
    t.ok(near(cli?.audio?.received.dominantHz, PAGE_TONE_HZ), `bin/client hears the page's ${PAGE_TONE_HZ} Hz tone`, {
      audio: cli?.audio,
    });
  else {
    t.ok((cli?.audio?.received.packets ?? 0) >= 50, "bin/client received a second of the page's microphone", {
      audio: cli?.audio,
    });
    t.ok(
      near(cli?.audio?.received.dominantHz, FAKE_MIC_HZ),
      `bin/client hears the fake device's ${FAKE_MIC_HZ} Hz beep`,
      {
        audio: cli?.audio,
      },
    );
    t.notMatch(pageLog, /sending the tone instead/, 'the page had the microphone');
  }
  t.equal(cli?.peerReport?.role, pageRole, "bin/client got the page's report");
  t.match(cli?.joint, /^joint: OK both ways/, 'and printed the joint line from both reports');

  t.equal(labReport.ok, true, 'the page reports ok', { error: labReport.error, pageLog });
  t.same(reportShapeErrors(cli), [], "bin/client's own report fits the report schema");
  t.same(reportShapeErrors(labReport), [], "window.labReport has bin/client's report shape");
  if (cli)
    checkLabReport(t, labReport, cli, { room, url: service.url, toneHz: audio === 'tone' ? PAGE_TONE_HZ : null });
  t.ok(
    near(labReport.audio?.received.dominantHz, CLI_TONE_HZ[cliRole]),
    `the page hears bin/client's ${CLI_TONE_HZ[cliRole]} Hz tone`,
    { audio: labReport.audio },
  );

  const rows = await page
    .locator('#candidates tbody tr')
    .evaluateAll((trs) => trs.map((tr) => ({ side: tr.className, address: tr.children[4]?.textContent ?? '' })));
  const listed = (side: string, c: ReportCandidate): boolean =>
    rows.some(
      (r) => r.side === side && r.address === `${c.address.includes(':') ? `[${c.address}]` : c.address}:${c.port}`,
    );
  t.ok((cli?.candidates.local.length ?? 0) > 0, 'bin/client sent candidates');
  for (const c of cli?.candidates.local ?? [])
    t.ok(listed('remote', c), `remote ${c.type} ${c.address}:${c.port} listed`);
  for (const c of cli?.candidates.remote ?? [])
    t.ok(listed('local', c), `local ${c.type} ${c.address}:${c.port} listed`);
  t.equal(
    rows.filter((r) => r.side === 'local').length,
    labReport.candidates.local.length,
    'one row per local candidate',
  );

  t.match(await page.locator('#verdict').textContent(), /^OK: 3\/3 pongs/, "the verdict line in bin/client's words");
  t.equal(await page.locator('#timeline svg .lane').count(), 3, 'the timeline: this side, the service, the other side');
  t.notMatch(await page.locator('#timeline figcaption').textContent(), /sent no report/);
  t.same(await overlappingLabels(page), [], 'no two of its labels overlap');
  const lane = page.getByRole('list', { name: `this side (${pageRole})` });
  t.equal(await lane.getByRole('listitem').count(), labReport.events.length, 'a screen reader lists every mark');
  t.equal(await lane.getByRole('listitem', { name: /ms: ICE connected$/ }).count(), 1, 'each named by its <title>');

  const foreign = requests.filter((url) => !url.startsWith(`${service.url}/`) && !/^(blob|data):/.test(url));
  t.same(foreign, [], 'the page asked nothing of any other origin');
  return (
    ours.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .at(-1) ?? ''
  );
}

const endpoint = (c: ReportCandidate | undefined): string => `${c?.protocol} ${c?.address}:${c?.port}`;

/** window.labReport after a complete call, field by field, and against what bin/client saw of the same call. */
function checkLabReport(
  t: Test,
  lab: PageReport,
  cli: Report,
  call: { room: string; url: string; toneHz: number | null },
): void {
  const other: Role = lab.role === 'offerer' ? 'answerer' : 'offerer';
  t.match(
    lab,
    { role: cli.peer, id: cli.peer, peer: cli.id, room: call.room, signalingAddr: call.url, error: null },
    "who and where: the CLI's peer, in its room",
  );
  t.equal(other, cli.role);
  const steps = [
    lab.timingsMs.registered,
    lab.timingsMs.iceConnected,
    lab.timingsMs.dtlsConnected,
    lab.timingsMs.dataChannelOpen,
    lab.timingsMs.done,
  ];
  t.ok(
    steps.every((s, i) => typeof s === 'number' && (i === 0 || s >= (steps[i - 1] ?? 0))),
    'registered, ICE, DTLS, data channel, done: each step reached, in order',
    { timingsMs: lab.timingsMs },
  );
  t.equal(typeof lab.timingsMs.gatheringComplete, 'number', 'gathering completed');

  // The candidates one side gathered are the ones the other received, and the pair is the same pair seen from each end.
  const set = (cs: readonly ReportCandidate[]): string[] => cs.map((c) => `${c.type} ${endpoint(c)}`).sort();
  t.ok(lab.candidates.local.length > 0, 'the page gathered candidates');
  t.same(set(lab.candidates.remote), set(cli.candidates.local), 'remote candidates: every one bin/client gathered');
  t.same(set(lab.candidates.local), set(cli.candidates.remote), 'local candidates: every one bin/client received');
  const pair = lab.selectedPair;
  t.ok(pair && typeof pair.rttMs === 'number', 'a selected pair with its round-trip time', { pair });
  t.ok(
    lab.candidates.local.some((c) => endpoint(c) === endpoint(pair?.local)),
    'its local end is a gathered candidate',
  );
  t.ok(
    lab.candidates.remote.some((c) => endpoint(c) === endpoint(pair?.remote)),
    'its remote end a signalled one',
  );
  t.same(
    [endpoint(pair?.local), endpoint(pair?.remote)],
    [endpoint(cli.selectedPair?.remote), endpoint(cli.selectedPair?.local)],
    'the pair bin/client selected, from the other end',
  );
  t.match(lab.verdict, { path: { local: pair?.local.type, remote: pair?.remote.type, relayedBy: null } });

  const dc = lab.dataChannel;
  t.match(
    dc,
    { label: 'chat', sent: EXCHANGE.messages, received: EXCHANGE.messages, peerDone: true },
    'every ping answered, done received',
  );
  t.ok(
    dc?.rttMs && dc.rttMs.min <= dc.rttMs.median && dc.rttMs.median <= dc.rttMs.max,
    'ping rtt min <= median <= max',
  );
  t.equal(cli.dataChannel?.received, EXCHANGE.messages, "and bin/client's pings answered by the page");

  const audio = lab.audio;
  t.equal(audio?.codec, 'opus/48000/2');
  t.equal(audio?.sent.toneHz, call.toneHz, call.toneHz === null ? 'no tone: the microphone' : 'the tone it sent');
  t.ok((audio?.sent.packets ?? 0) >= 50, 'the page sent a second of audio or more');
  t.ok((audio?.received.packets ?? 0) >= 50, "the page received a second of bin/client's audio");
  t.ok((audio?.received.lost ?? 0) < (audio?.received.packets ?? 0) * 0.1, 'with under 10 % loss');
  t.ok(
    Math.abs((audio?.sent.packets ?? 0) - (cli.audio?.received.packets ?? 0)) <= 10,
    'bin/client got about what the page sent',
    { sent: audio?.sent, received: cli.audio?.received },
  );
  t.same(lab.states, { gathering: 'complete', ice: 'connected', dtls: 'connected', connection: 'connected' });
  t.match(lab.peerReport, { role: cli.role, ok: true }, "bin/client's report summary reached the page");
  t.match(lab.joint, /^joint: OK both ways/);
  t.ok(lab.events.length > 0 && lab.service.length > 0, 'events and the service stamps for the timeline');
}
