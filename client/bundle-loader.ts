/**
 * Runs bin/client's one CommonJS bundle (scripts/bundle-client.ts) as Node's
 * own loader would, but compiled with V8's code cache: Node 20 keeps no code
 * cache for a user's modules (module.enableCompileCache() came in Node 22),
 * and compiling the bundle's ~3 MB (werift, yargs, typebox) at each
 * start was the largest part of the time to registration. The cache is made
 * at build time by a real call on loopback (scripts/train-code-cache.ts), so
 * it holds the code a call runs, the DTLS handshake included. A cache that V8
 * rejects (another Node version, other V8 flags) or that is missing costs
 * only its speed: the bundle is compiled from source as usual.
 *
 * bin/client calls runBundle(); scripts/bundle-client.ts bundles this module
 * to dist/client/bundle/load.cjs.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** WEBRTC_LAB_CODE_CACHE=write: write the cache when the process exits (the training call). */
export const CODE_CACHE_VARIABLE = 'WEBRTC_LAB_CODE_CACHE';

export type CacheUse = 'used' | 'rejected' | 'none';

type ModuleFunction = (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

/** Compiles and runs `file` (a CommonJS bundle); says whether V8 took the cache beside it. */
export function runBundle(file: string, cacheFile = `${file}.v8cache`): CacheUse {
  const source = readFileSync(file, 'utf8');
  const cachedData = readCache(cacheFile);
  const script = new Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const use: CacheUse = cachedData === undefined ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'used';
  if (process.env[CODE_CACHE_VARIABLE] === 'write') {
    // At exit, so that the cache holds every function the run compiled, not only the top level.
    process.once('exit', () => writeCache(script, cacheFile));
  }
  const run = script.runInThisContext() as ModuleFunction;
  const module = { exports: {} };
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return use;
}

function readCache(cacheFile: string): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

/** Written aside and renamed: two processes of a training call may finish together. */
function writeCache(script: Script, cacheFile: string): void {
  const aside = `${cacheFile}.${process.pid}`;
  writeFileSync(aside, script.createCachedData());
  renameSync(aside, cacheFile);
}
