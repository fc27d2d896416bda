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
import { existsSync, rmSync } from 'node:fs';
import { runClient } from './client-process.js';
import { repoPath } from './repo.js';
import { startSignaling } from './signaling-process.js';

const cacheFile = repoPath('dist/client/bundle/client.cjs.v8cache');

/** One side of the training call; its exit code, and its log when it failed. */
async function peer(role: 'offerer' | 'answerer', url: string): Promise<{ code: number | null; stderr: string }> {
  const run = runClient(
    [
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
    { env: { WEBRTC_LAB_CODE_CACHE: 'write' } },
  );
  const { code, stderr } = await run.result;
  return { code, stderr };
}

async function main(): Promise<void> {
  rmSync(cacheFile, { force: true });
  const service = await startSignaling();
  try {
    const sides = await Promise.all([peer('answerer', service.url), peer('offerer', service.url)]);
    if (sides.some((side) => side.code !== 0) || !existsSync(cacheFile)) {
      const log = sides.map((side) => side.stderr).join('');
      throw new Error(`the training call failed (exit ${sides.map((side) => side.code).join(', ')})\n${log}`);
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
