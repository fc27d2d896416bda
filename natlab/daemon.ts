import type { ChildProcess } from 'node:child_process';

/**
 * A lab daemon (coturn, the signaling service) that is started again if
 * something outside the lab stops it: on a shared machine another person's
 * clean-up may kill processes by name. The restart is reported, never silent.
 */
export class Daemon {
  private child: ChildProcess | undefined;

  constructor(
    readonly name: string,
    private readonly start: () => Promise<ChildProcess>,
  ) {}

  get stopped(): boolean {
    return this.child === undefined || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Starts the daemon if it is not running; returns why it had to, or null. */
  async ensure(): Promise<string | null> {
    if (!this.stopped) return null;
    const why =
      this.child === undefined
        ? null
        : `${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) without the lab asking: restarted`;
    this.child = await this.start();
    return why;
  }
}
