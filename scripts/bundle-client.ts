/**
 * Bundles bin/client into dist/client/bundle/ (run by `npm run build`, after tsc):
 * werift, pino and yargs included, so a start reads a few files instead of
 * resolving and reading hundreds of modules (bench/connect.ts measures it).
 * It is built from node_modules as patch-package left them, so the werift
 * patches are in the bundle; the Docker image copies dist/client with it.
 * Lazy imports (audio, NAT-only) stay separate chunks, loaded only when used.
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { repoPath } from './repo.js';

// Chunk names carry a content hash: clear the last build's, or they pile up.
rmSync(repoPath('dist/client/bundle'), { recursive: true, force: true });
await build({
  entryPoints: [repoPath('client/main.ts')],
  outdir: repoPath('dist/client/bundle'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // opusscript reads its .wasm from beside its own file: it stays in node_modules.
  external: ['opusscript'],
  // The CommonJS inside (werift, pino) calls require(): an ES module has none of its own.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
});
