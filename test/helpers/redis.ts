/**
 * A private redis-server for tests: a free loopback port, no persistence,
 * stopped by PID. It runs under a small shell watchdog that reads its stdin,
 * so if the test process dies without cleaning up (tap's timeout, a crash),
 * the pipe closes and the watchdog stops the server: nothing is left running.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServer, Socket } from 'node:net';
import { createInterface } from 'node:readline';

export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:<port>/<db> */
  url: (db?: number) => string;
  /** The redis-server process id. */
  pid: number;
  stop: () => Promise<void>;
  /** Lets the test process exit while the server runs; the watchdog then stops it. */
  detach: () => void;
}

/** Databases per server, so that each test can have its own. */
export const redisDatabases = 4096;

let available: boolean | undefined;

/** Why Redis tests cannot run here, or false when they can. */
export function redisSkipReason(): string | false {
  available ??= spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  return available ? false : 'redis-server is not installed (apt-get install redis-server)';
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

// The watchdog: start redis in the background, print its PID, stop it when stdin closes.
const watchdog =
  'redis-server "$@" & pid=$!; echo "pid $pid"; trap \'kill $pid 2>/dev/null\' EXIT; read _; kill $pid; wait $pid';

/** Starts redis-server on `port` (a free one by default) and resolves once it accepts connections. */
export async function startRedis(port?: number, extraArgs: string[] = []): Promise<RedisServer> {
  for (let attempt = 0; ; attempt++) {
    const chosen = port ?? (await freePort());
    try {
      return await launch(chosen, extraArgs);
    } catch (error) {
      // Another process took the port between probing and binding: try another.
      if (port !== undefined || attempt >= 4) throw error;
    }
  }
}

async function launch(port: number, extraArgs: string[]): Promise<RedisServer> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--databases',
    String(redisDatabases),
    '--loglevel',
    'notice',
    ...extraArgs,
  ];
  const child: ChildProcess = spawn('sh', ['-c', watchdog, 'redis-watchdog', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  let output = '';
  let pid = 0;
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output += line + '\n';
      const match = /^pid (\d+)$/.exec(line);
      if (match !== null) pid = Number(match[1]);
      if (line.includes('Ready to accept connections')) resolve();
    });
    void exited.then(() => {
      reject(new Error(`redis-server on port ${port} exited before it was ready:\n${output}`));
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    child.stdin?.end();
    await exited;
  };
  const detach = (): void => {
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) {
      if (stream instanceof Socket) stream.unref();
    }
  };
  return { port, pid, url: (db = 0) => `redis://127.0.0.1:${port}/${db}`, stop, detach };
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
