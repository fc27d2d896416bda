/**
 * Redis for tests: the launcher lives in scripts/redis-server.ts (the
 * benchmarks use it too); here, a server shared per test process, skip
 * reasons, and a cluster.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { redisDatabases, startRedis, type RedisServer } from '../../scripts/redis-server.js';

export { freePort, startRedis } from '../../scripts/redis-server.js';

let available: boolean | undefined;

/** Why Redis tests cannot run here, or false when they can. */
export function redisSkipReason(): string | false {
  available ??= spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  return available ? false : 'redis-server is not installed (apt-get install redis-server)';
}

let shared: Promise<RedisServer> | undefined;
let nextDb = 0;

/**
 * One server per test process, started on first use and stopped when the
 * process exits; each call hands out a database of its own.
 */
export async function sharedRedisUrl(): Promise<string> {
  if (shared === undefined) {
    shared = startRedis();
    const server = await shared;
    server.detach();
    process.once('exit', () => {
      try {
        process.kill(server.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    });
  }
  const server = await shared;
  const db = nextDb++ % redisDatabases;
  return server.url(db);
}

/** Why Redis Cluster tests cannot run here (redis-cli creates the cluster), or false. */
export function redisClusterSkipReason(): string | false {
  const server = redisSkipReason();
  if (server !== false) return server;
  return spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0 ? false : 'redis-cli is not installed';
}

export interface RedisCluster {
  /** redis://<first node>/0?cluster=true, the service's --store for a cluster. */
  url: string;
  nodes: RedisServer[];
  stop: () => Promise<void>;
}

const run = promisify(execFile);

/** A Redis Cluster of `size` masters on free loopback ports, no replicas, no persistence. */
export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
  const nodes: RedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      nodes.map(async (node) => {
        await node.stop();
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i++) {
      nodes.push(
        await startRedis(undefined, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${i}.conf`),
          '--databases',
          '1',
        ]),
      );
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    // Every node must agree the cluster is up before clients use it.
    for (const node of nodes) {
      for (;;) {
        const { stdout } = await run('redis-cli', ['-p', String(node.port), 'cluster', 'info']);
        if (stdout.includes('cluster_state:ok')) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${nodes[0]?.port ?? 0}/0?cluster=true`, nodes, stop };
}
