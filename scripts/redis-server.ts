/**
 * A private redis-server for tests and benchmarks: a free loopback port, no
 * persistence, stopped by PID. It runs under a small shell watchdog that reads
 * its stdin, so if the parent process dies without cleaning up (tap's timeout,
 * a crash), the pipe closes and the watchdog stops the server: nothing is left
 * running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
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
