/**
 * Bundles bin/client into dist/client/bundle/ (run by `npm run build`, after tsc):
 * werift, pino and yargs included, so a start reads one file instead of
 * resolving and reading hundreds of modules (bench/connect.ts measures it).
 * It is built from node_modules as patch-package left them, so the werift
 * patches are in the bundle; the Docker image copies dist/client with it.
 *
 * One CommonJS file, client.cjs, so that bin/client can compile it with V8's
 * code cache (client/bundle-loader.ts, bundled as load.cjs); the cache itself
 * is made next by scripts/train-code-cache.ts. The lazy imports (audio,
 * NAT-only) are in the file too: with a code cache, code that a run does not
 * call costs little more than reading it.
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { repoPath } from './repo.js';

// The last build's files (and its code cache, which would not match the new bundle).
rmSync(repoPath('dist/client/bundle'), { recursive: true, force: true });
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
} as const;
await build({
  ...common,
  entryPoints: [repoPath('client/main.ts')],
  outfile: repoPath('dist/client/bundle/client.cjs'),
  // opusscript reads its .wasm from beside its own file: it stays in node_modules.
  external: ['opusscript'],
  // The ES modules inside (yargs-parser) read import.meta.url, which a CommonJS file has not.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
});
await build({
  ...common,
  entryPoints: [repoPath('client/bundle-loader.ts')],
  outfile: repoPath('dist/client/bundle/load.cjs'),
});
