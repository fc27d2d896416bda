/**
 * `npm run screenshot`: docs/page.png, the page as it looks after a real
 * call. Starts bin/signaling on a free loopback port and a bin/client
 * offerer, opens the service's page in Debian's chromium as the answerer
 * (autostart), waits for the call to end and photographs the whole page,
 * unless any of the timeline's labels overlap (scripts/timeline-overlaps.ts).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { launchChromium, loadPlaywright } from './chromium.js';
import { repoPath } from './repo.js';
import { binEnv, startSignaling } from './signaling-process.js';
import { overlappingLabels } from './timeline-overlaps.js';

const playwright = await loadPlaywright();
if (typeof playwright === 'string') throw new Error(`cannot take the screenshot: ${playwright}`);
const service = await startSignaling();
const client = spawn(
  process.execPath,
  [repoPath('bin/client'), '--role', 'offerer', '--signaling-addr', service.url, '--room', 'screenshot'],
  { env: binEnv(), stdio: 'ignore' },
);
const exited = once(client, 'exit');
const browser = await launchChromium(playwright, ['--disable-features=WebRtcHideLocalIpsWithMdns']);
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`${service.url}/?room=screenshot&role=answerer&autostart=1`);
  await page.waitForFunction(() => (globalThis as { labReport?: unknown }).labReport !== undefined, null, {
    timeout: 60_000,
  });
  const [code] = (await exited) as [number | null];
  const overlaps = await overlappingLabels(page);
  if (overlaps.length > 0) throw new Error(`timeline labels overlap: ${overlaps.join('; ')}`);
  await page.screenshot({ path: repoPath('docs/page.png'), fullPage: true });
  process.stdout.write(`docs/page.png written (bin/client exited ${String(code)})\n`);
} finally {
  await browser.close();
  client.kill();
  await service.stop();
}
