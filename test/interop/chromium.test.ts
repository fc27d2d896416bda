import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { launchChromium, loadPlaywright } from '../../scripts/chromium.js';
import { repoRoot } from '../helpers/signaling.js';
import { startService } from '../helpers/processes.js';
import { EXCHANGE, interopCall, type PeerOutcome, type PeerReport, type StartPeer } from './harness.js';

/**
 * Debian's chromium, driven by playwright-core (which drives an installed
 * browser and downloads none), against bin/client, both ways. The page is
 * served here on one port and the service runs on another, allowing only the
 * page's origin: every call the page makes is a cross-origin request, checked
 * by a real browser (preflights for the Authorization header included).
 */
const playwright = await loadPlaywright();
if (typeof playwright === 'string') {
  t.test('chromium against bin/client', { skip: `chromium: ${playwright}` }, () => undefined);
} else {
  const html = await readFile(`${repoRoot}test/interop/chromium/peer.html`);
  const pages = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => pages.close(() => resolve())));
  const pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;

  const service = await startService(['--cors-origin', pageOrigin]);
  t.teardown(() => service.stop());
  const browser = await launchChromium(playwright);
  t.teardown(() => browser.close());

  /** Opens the page in a fresh context, waits for its report. */
  const openPeer = async (query: Record<string, string>, origin = pageOrigin): Promise<PeerOutcome> => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      let log = '';
      page.on('console', (message) => (log += `${message.text()}\n`));
      page.on('pageerror', (error) => (log += `page error: ${String(error)}\n`));
      await page.goto(`${origin}/?${new URLSearchParams(query).toString()}`);
      await page.waitForFunction(() => 'peerReport' in globalThis, null, { timeout: 90_000, polling: 250 });
      const report = (await page.evaluate(
        () => (globalThis as unknown as { peerReport: unknown }).peerReport,
      )) as PeerReport;
      return { code: report.ok ? 0 : 1, report, log };
    } finally {
      await context.close();
    }
  };
  const chromium: StartPeer = (call) =>
    openPeer({
      role: call.role,
      signalingAddr: call.signalingAddr,
      room: call.room,
      messages: String(EXCHANGE.messages),
      intervalMs: String(EXCHANGE.intervalMs),
      durationS: String(EXCHANGE.durationS),
      timeoutS: '30',
    });

  t.test('chromium offers, bin/client answers', (t) => interopCall(t, service, chromium, 'offerer'));
  t.test('bin/client offers, chromium answers', (t) => interopCall(t, service, chromium, 'answerer'));

  t.test('a page from an origin the service does not allow cannot even register', async (t) => {
    // The same page on "localhost": another origin than the one --cors-origin names.
    const other = pageOrigin.replace('127.0.0.1', 'localhost');
    const outcome = await openPeer({ role: 'offerer', signalingAddr: service.url, room: 'cors', timeoutS: '5' }, other);
    t.equal(outcome.report?.ok, false);
    t.match(outcome.report?.error, /Failed to fetch/, 'the browser refused the answer', { log: outcome.log });
    t.equal(outcome.report?.connected, false);
    t.match(outcome.log, /CORS/, 'and said why');
  });
}
