/**
 * Makes bin/client's V8 code cache (run by `npm run build`, after
 * bundle-client.ts): one real call on loopback, the service and two peers,
 * each peer writing the code it compiled to dist/client/bundle/client.cjs.v8cache
 * as it exits (client/bundle-loader.ts). A call with the default exchange, so
 * that the cache holds what a user's call runs: registration, werift, ICE,
 * DTLS, SCTP, the tone.
 *
 * The cache is only for speed: if the call cannot be made here (no loopback
 * UDP in a build sandbox, say), the build goes on without one and says so.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { repoPath, repoRoot } from './repo.js';
import { binEnv, startSignaling } from './signaling-process.js';

const cacheFile = repoPath('dist/client/bundle/client.cjs.v8cache');

async function peer(role: 'offerer' | 'answerer', url: string): Promise<number | null> {
  const child = spawn(
    process.execPath,
    [
      `${repoRoot}bin/client`,
      '--role',
      role,
      '--signaling-addr',
      url,
      '--room',
      'code-cache',
      '--messages',
      '2',
      '--interval-ms',
      '50',
      '--duration-s',
      '1',
      '--timeout-s',
      '20',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...binEnv(), WEBRTC_LAB_CODE_CACHE: 'write' } },
  );
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

async function main(): Promise<void> {
  rmSync(cacheFile, { force: true });
  const service = await startSignaling();
  try {
    const codes = await Promise.all([peer('answerer', service.url), peer('offerer', service.url)]);
    if (codes.some((code) => code !== 0) || !existsSync(cacheFile)) {
      throw new Error(`the training call failed (exit ${codes.join(', ')})`);
    }
  } finally {
    await service.stop();
  }
}

await main().catch((error: unknown) => {
  rmSync(cacheFile, { force: true });
  console.warn(
    `train-code-cache: ${error instanceof Error ? error.message : String(error)}: bin/client runs without a code cache`,
  );
});
