import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { run, type RunResult } from './command.js';
import { newLabId, namespaceName, type NamespaceRole } from './lab-id.js';
import { destroyNamespacesSync } from './namespaces.js';

export interface SpawnOptions {
  /** File that receives stderr (and stdout unless captureStdout). */
  logFile: string;
  /** Keep stdout as a pipe for the caller to read (a peer's --json report). */
  captureStdout?: boolean;
}

interface Tracked {
  child: ChildProcess;
  ns: string;
  exited: Promise<void>;
}

const TERMINATING_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * One lab run: the namespaces it created and the processes it started, and
 * nothing else. Tear-down stops exactly those processes (by PID, then whatever
 * `ip netns pids` still finds inside our own namespaces) and deletes exactly
 * those namespaces, also when the run is interrupted or crashes.
 */
export class Lab {
  readonly id = newLabId();
  private readonly namespaces = new Set<string>();
  private readonly tracked = new Set<Tracked>();
  private readonly onSignal = (sig: NodeJS.Signals): void => {
    this.closeSync();
    process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGHUP' ? 1 : 15));
  };
  private readonly onExit = (): void => this.closeSync();

  constructor(readonly logDir: string) {
    for (const sig of TERMINATING_SIGNALS) process.on(sig, this.onSignal);
    process.on('exit', this.onExit);
  }

  ns(role: NamespaceRole): string {
    return namespaceName(this.id, role);
  }

  /** A fresh namespace with loopback up and IPv6 off (the lab tests IPv4 paths only). */
  async addNamespace(role: NamespaceRole): Promise<string> {
    const ns = this.ns(role);
    await run(['ip', 'netns', 'add', ns]);
    this.namespaces.add(ns);
    await this.exec(role, [
      'sysctl',
      '-qw',
      'net.ipv6.conf.all.disable_ipv6=1',
      'net.ipv6.conf.default.disable_ipv6=1',
    ]);
    await run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  exec(role: NamespaceRole, argv: readonly string[], timeoutMs?: number): Promise<RunResult> {
    return run(['ip', 'netns', 'exec', this.ns(role), ...argv], timeoutMs);
  }

  /** `ip netns exec` and env(1) exec the command in place, so the child's PID is the command's. */
  spawn(role: NamespaceRole, argv: readonly string[], opts: SpawnOptions): ChildProcess {
    const ns = this.ns(role);
    const fd = openSync(opts.logFile, 'a');
    try {
      // The bins run as users run them: under tap, its process hooks add a loader
      // to every child's NODE_OPTIONS, with which node 20 cannot load an ES module
      // bin ("require() ... in a cycle"). env(1) drops it after those hooks ran.
      const child = spawn('ip', ['netns', 'exec', ns, 'env', '-u', 'NODE_OPTIONS', ...argv], {
        stdio: ['ignore', opts.captureStdout ? 'pipe' : fd, fd],
      });
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        child.once('exit', () => resolve());
        child.once('error', () => resolve());
      });
      const entry: Tracked = { child, ns, exited };
      this.tracked.add(entry);
      void exited.then(() => this.tracked.delete(entry));
      return child;
    } finally {
      closeSync(fd);
    }
  }

  /** Stops the processes this lab started in the given namespaces, then deletes them. */
  async removeNamespaces(roles: readonly NamespaceRole[]): Promise<void> {
    const names = roles.map((r) => this.ns(r)).filter((ns) => this.namespaces.has(ns));
    await this.stopProcesses((t) => names.includes(t.ns));
    destroyNamespacesSync(names);
    for (const ns of names) this.namespaces.delete(ns);
  }

  async close(): Promise<void> {
    await this.stopProcesses(() => true);
    this.closeSync();
  }

  /** The exit path: nothing can be awaited any more. */
  closeSync(): void {
    for (const t of this.tracked) {
      if (t.child.pid !== undefined && t.child.exitCode === null) t.child.kill('SIGKILL');
    }
    destroyNamespacesSync([...this.namespaces].reverse());
    this.namespaces.clear();
    for (const sig of TERMINATING_SIGNALS) process.off(sig, this.onSignal);
    process.off('exit', this.onExit);
  }

  private async stopProcesses(which: (t: Tracked) => boolean, graceMs = 3000): Promise<void> {
    const targets = [...this.tracked].filter(which);
    for (const t of targets) t.child.kill('SIGTERM');
    await Promise.all(
      targets.map(async (t) => {
        const timer = setTimeout(() => t.child.kill('SIGKILL'), graceMs);
        await t.exited;
        clearTimeout(timer);
      }),
    );
  }
}
