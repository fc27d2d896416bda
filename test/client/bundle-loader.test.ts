import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { repoPath } from '../../scripts/repo.js';
import { binEnv } from '../helpers/signaling.js';

/**
 * client/bundle-loader.ts: bin/client's bundle compiled with V8's code cache.
 * Each run is a process of its own, as bin/client is: the cache is written at
 * exit and read at the next start.
 */
const loader = repoPath('dist/client/bundle-loader.js');

/** Runs `file` through runBundle() in a fresh node; prints the cache use on stderr. */
function run(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): { use: string; stdout: string } {
  const script = [
    `import { runBundle } from ${JSON.stringify(loader)};`,
    `process.argv = [process.execPath, ${JSON.stringify(file)}, ...${JSON.stringify(args)}];`,
    `console.error('cache:' + runBundle(${JSON.stringify(file)}));`,
  ].join('\n');
  // Without tap's hooks and coverage, which change V8's flags and so what a cache must match.
  const { NODE_V8_COVERAGE: _coverage, ...rest } = binEnv();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...rest, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`runBundle failed: ${result.stderr}`);
  return { use: /cache:(\w+)/.exec(result.stderr)?.[1] ?? 'unknown', stdout: result.stdout };
}

t.test('a bundle runs as CommonJS; its cache is written on demand, then used; a bad one is rejected', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-loader-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bundle.cjs');
  writeFileSync(
    file,
    [
      "const { basename } = require('node:path');",
      'function square(x) { return x * x; }',
      'module.exports.value = square(7);',
      'console.log(basename(__filename), basename(__dirname) !== "", exports === module.exports, module.exports.value);',
    ].join('\n'),
  );

  const first = run(file);
  t.equal(
    first.stdout.trim(),
    'bundle.cjs true true 49',
    'require, __filename, __dirname, exports and module as CommonJS',
  );
  t.equal(first.use, 'none', 'no cache yet');
  t.notOk(existsSync(`${file}.v8cache`), 'none written unless asked');

  t.equal(run(file, [], { WEBRTC_LAB_CODE_CACHE: 'write' }).use, 'none', 'the training run');
  t.ok(existsSync(`${file}.v8cache`), 'writes the cache as it exits');
  t.equal(run(file).use, 'used', 'the next start compiles from the cache');

  writeFileSync(`${file}.v8cache`, Buffer.from('not a code cache'));
  const bad = run(file);
  t.equal(bad.use, 'rejected', 'a cache V8 cannot use is rejected');
  t.equal(bad.stdout.trim(), 'bundle.cjs true true 49', 'and the bundle runs all the same');
});

t.test("the build's cache is taken by this node for bin/client's bundle", async (t) => {
  const bundle = repoPath('dist/client/bundle/client.cjs');
  t.ok(existsSync(`${bundle}.v8cache`), 'npm run build made the cache (scripts/train-code-cache.ts)');
  const help = run(bundle, ['--help']);
  t.match(help.stdout, /--signaling-addr/, 'the bundle is bin/client');
  t.equal(help.use, 'used', 'compiled from the cache');
});
