/**
 * Bundles the browser peer page (web/) into dist/web/ (run by `npm run
 * build`, after tsc type-checks it): one script and one stylesheet under
 * dist/web/app/, named by their content hash so the service can let
 * browsers keep them for good, and dist/web/index.html naming them. No
 * framework, no CDN: everything the page loads comes from the service.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { build } from 'esbuild';
import { repoPath } from './repo.js';

const out = repoPath('dist/web');
// Only what this script writes: tsc puts the web modules the unit tests import (test/web/) beside it.
rmSync(`${out}/app`, { recursive: true, force: true });
rmSync(`${out}/index.html`, { force: true });
mkdirSync(`${out}/app`, { recursive: true });
const result = await build({
  entryPoints: { page: repoPath('web/main.ts'), style: repoPath('web/style.css') },
  outdir: `${out}/app`,
  entryNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
const named = (prefix: string, ext: string): string => {
  const name = outputs.find((o) => o.startsWith(prefix) && o.endsWith(ext));
  if (!name) throw new Error(`esbuild wrote no ${prefix}*${ext}`);
  return name;
};
const html = readFileSync(repoPath('web/index.html'), 'utf8')
  .replace('/app/PAGE_JS', `/app/${named('page-', '.js')}`)
  .replace('/app/PAGE_CSS', `/app/${named('style-', '.css')}`);
writeFileSync(`${out}/index.html`, html);
