/**
 * A private coturn (`turnserver -n`) on loopback for tests: its own listening
 * port, relay port range, realm, pid file and log in a temp dir; ready once it
 * has opened its UDP and TCP listeners and answered a STUN binding request;
 * stopped by PID. Like test/helpers/redis.ts it runs under a shell watchdog
 * that reads its stdin: if the test process dies without cleaning up, the
 * pipe closes and the watchdog stops coturn, so nothing is left running.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freeListeningPort, relayRange } from './coturn-ports.js';
import { stunBinding } from './stun-binding.js';
import t from 'tap';

/** How the TURN server checks credentials. */
export type CoturnAuth =
  /** coturn `use-auth-secret`: the TURN REST API scheme the signaling service mints credentials for. */
  | { secret: string }
  /** coturn `lt-cred-mech` with one fixed user. */
  | { username: string; password: string };

export interface Coturn {
  /** The listening port, UDP and TCP. */
  port: number;
  /** The relay port range, inclusive. */
  relayPorts: { min: number; max: number };
  realm: string;
  /** The turnserver process id. */
  pid: number;
  /** Temp dir holding the pid file and turnserver.log. */
  dir: string;
  logFile: string;
  /** `stun:127.0.0.1:PORT` */
  stunUrl: string;
  /** `turn:127.0.0.1:PORT`, or with `?transport=tcp` */
  turnUrl: (transport?: 'udp' | 'tcp') => string;
  /** Everything coturn logged so far (it runs with -v: sessions, allocations, transports). */
  log: () => string;
  /** Resolves when a log line matches. */
  waitForLog: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  stop: () => Promise<void>;
}

let available: boolean | undefined;

/** Why TURN tests cannot run here, or false when they can. */
export function coturnSkipReason(): string | false {
  available ??= spawnSync('turnserver', ['--version'], { stdio: 'ignore' }).status === 0;
  return available ? false : 'turnserver is not installed (apt-get install coturn; .ci/run installs it)';
}

const LOOPBACK = '127.0.0.1';
/** How long coturn may take to open its listeners on a busy machine. */
const READY_TIMEOUT_MS = 20_000;

export interface CoturnOptions {
  /** The listening port (UDP and TCP); default a free one, with retries if it is taken meanwhile. */
  port?: number;
  realm?: string;
  /**
   * Default true: the peers and their relays are all on loopback. false makes
   * coturn refuse them as peers (403 Forbidden IP on CreatePermission and
   * ChannelBind), as a `denied-peer-ip` covering a peer's address does.
   */
  allowLoopbackPeers?: boolean;
  /**
   * More loopback addresses to listen on (e.g. 127.0.0.2): with two, coturn
   * offers RFC 5780 (OTHER-ADDRESS, CHANGE-REQUEST) and answers on the next
   * port too.
   */
  moreListeningIps?: string[];
  /** More turnserver flags, after the helper's own. */
  moreArgs?: string[];
}

// The watchdog: start coturn in the background, print its PID, stop it when stdin closes.
const watchdog =
  'turnserver "$@" & pid=$!; echo "watchdog-pid $pid"; trap \'kill $pid 2>/dev/null\' EXIT; read _; kill $pid; wait $pid';

/**
 * One coturn for a whole test file, stopped when the file's tests end; none
 * where coturn is missing, and `skip` (for `t.test(name, { skip }, ...)`) says why.
 */
export async function coturnForFile(
  auth: CoturnAuth,
  options?: CoturnOptions,
): Promise<{ skip: string | false; coturn: Coturn | undefined }> {
  const skip = coturnSkipReason();
  if (skip !== false) return { skip, coturn: undefined };
  const coturn = await startCoturn(auth, options);
  t.teardown(() => coturn.stop());
  return { skip, coturn };
}

/** Starts coturn on loopback with free ports of its own; resolves once it answers STUN. */
export async function startCoturn(auth: CoturnAuth, options: CoturnOptions = {}): Promise<Coturn> {
  const { port, ...rest } = options;
  const settings = { realm: 'webrtc-lab-test', allowLoopbackPeers: true, moreListeningIps: [], moreArgs: [], ...rest };
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(auth, port ?? (await freeListeningPort()), relayRange(), settings);
    } catch (error) {
      // Another process took the port between probing and binding: try another.
      if (port !== undefined || attempt >= 3) throw error;
    }
  }
}

async function launch(
  auth: CoturnAuth,
  port: number,
  relayPorts: { min: number; max: number },
  options: Required<Omit<CoturnOptions, 'port'>>,
): Promise<Coturn> {
  const { realm } = options;
  const dir = await mkdtemp(join(tmpdir(), 'coturn-'));
  const logFile = join(dir, 'turnserver.log');
  const pidFile = join(dir, 'turnserver.pid');
  const authArgs =
    'secret' in auth
      ? ['--use-auth-secret', `--static-auth-secret=${auth.secret}`]
      : ['--lt-cred-mech', `--user=${auth.username}:${auth.password}`];
  const args = [
    '-n',
    '-v',
    `--listening-ip=${LOOPBACK}`,
    ...options.moreListeningIps.map((ip) => `--listening-ip=${ip}`),
    `--relay-ip=${LOOPBACK}`,
    `--listening-port=${port}`,
    `--min-port=${relayPorts.min}`,
    `--max-port=${relayPorts.max}`,
    `--realm=${realm}`,
    '--fingerprint',
    // Both peers and their relays are on loopback: without this, permissions get 403 Forbidden IP.
    ...(options.allowLoopbackPeers ? ['--allow-loopback-peers'] : []),
    '--no-multicast-peers',
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    `--pidfile=${pidFile}`,
    '--log-file=stdout',
    '--simple-log',
    ...authArgs,
    ...options.moreArgs,
  ];
  const child: ChildProcess = spawn('sh', ['-c', watchdog, 'coturn-watchdog', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  const file = createWriteStream(logFile);
  const lines: string[] = [];
  const watchers: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  let pid = 0;
  // coturn does not give up on a port another process holds: it retries the bind for ever.
  let rejectListen: (error: Error) => void = () => undefined;
  const listenFailed = new Promise<never>((_resolve, reject) => {
    rejectListen = reject;
  });
  listenFailed.catch(() => undefined);
  const onLine = (line: string): void => {
    const match = /^watchdog-pid (\d+)$/.exec(line);
    if (match !== null) {
      pid = Number(match[1]);
      return;
    }
    lines.push(line);
    file.write(line + '\n');
    if (/Cannot bind .*listener socket/.test(line))
      rejectListen(new Error(`coturn cannot listen on ${LOOPBACK}:${port}: ${line}`));
    for (const w of watchers.splice(0)) {
      if (w.pattern.test(line)) w.resolve(line);
      else watchers.push(w);
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const log = (): string => lines.join('\n');
  const waitForLog = async (pattern: RegExp, timeoutMs = READY_TIMEOUT_MS): Promise<string> => {
    const seen = lines.find((l) => pattern.test(l));
    if (seen !== undefined) return seen;
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`coturn logged nothing matching ${String(pattern)} in ${timeoutMs} ms:\n${log()}`));
      }, timeoutMs);
      watchers.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`coturn exited before logging ${String(pattern)}:\n${log()}`));
      });
    });
  };
  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        if (pid > 0) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            /* already gone */
          }
        }
        child.stdin?.end();
        // coturn takes about a second to close on SIGTERM; a wedged one is killed.
        const killer = setTimeout(() => {
          if (pid > 0) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              /* gone */
            }
          }
        }, 5_000);
        await exited;
        clearTimeout(killer);
      }
      await new Promise<void>((resolve) => file.end(resolve));
      await rm(dir, { recursive: true, force: true });
    })();
    await stopped;
  };
  try {
    // -v makes coturn log each listener it opens.
    const address = `${LOOPBACK.replace(/\./g, '\\.')}:${port}\\b`;
    await Promise.race([
      listenFailed,
      Promise.all([
        waitForLog(new RegExp(`UDP listener opened on ?: ?${address}`)),
        waitForLog(new RegExp(`TCP listener opened on ?: ?${address}`)),
      ]),
    ]);
    await stunBinding(port, READY_TIMEOUT_MS);
    const written = Number((await readFile(pidFile, 'utf8')).trim());
    if (written > 0) pid = written;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    relayPorts,
    realm,
    pid,
    dir,
    logFile,
    stunUrl: `stun:${LOOPBACK}:${port}`,
    turnUrl: (transport = 'udp') => `turn:${LOOPBACK}:${port}${transport === 'tcp' ? '?transport=tcp' : ''}`,
    log,
    waitForLog,
    stop,
  };
}
