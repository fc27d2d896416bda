/**
 * `make demo` / `npm run demo`: the whole story of a WebRTC connection on one
 * screen. Starts bin/signaling on a free loopback port, then an answerer and
 * an offerer (real bin/client processes), and prints both logs interleaved,
 * each line prefixed with its role. Exits 0 when both peers succeed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { repoRoot as root } from './repo.js';
import { startSignaling } from './signaling-process.js';

const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string, text: string): string => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const TAGS = {
  service: paint('2', '[service ]'),
  answerer: paint('35', '[answerer]'),
  offerer: paint('36', '[offerer ]'),
} as const;

function say(tag: keyof typeof TAGS, line: string): void {
  process.stdout.write(`${TAGS[tag]} ${line}\n`);
}

function node(args: string[]): ChildProcess {
  return spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs one peer; resolves with its exit code. Its stderr (the log) is printed as it comes. */
function peer(
  role: 'offerer' | 'answerer',
  url: string,
  onLine?: (line: string) => void,
): { child: ChildProcess; done: Promise<number> } {
  const child = node([`${root}bin/client`, '--role', role, '--signaling-addr', url, '--room', 'demo']);
  child.stdout!.resume();
  createInterface({ input: child.stderr! }).on('line', (line) => {
    say(role, line);
    onLine?.(line);
  });
  const done = once(child, 'exit').then(([code, signal]) =>
    typeof code === 'number' ? code : signal === 'SIGINT' ? 130 : 1,
  );
  return { child, done };
}

async function main(): Promise<number> {
  const service = await startSignaling();
  say('service', `signaling service listening on ${service.url} (room "demo")`);
  const children: ChildProcess[] = [service.child];
  const onSigint = (): void => {
    for (const child of children) child.kill('SIGINT');
  };
  process.on('SIGINT', onSigint);
  try {
    // The answerer first, so the story starts with someone waiting; the offerer once it is registered.
    let onRegistered = (): void => undefined;
    const registered = new Promise<void>((resolve) => (onRegistered = resolve));
    const answerer = peer('answerer', service.url, (line) => {
      if (/registered as answerer/.test(line)) onRegistered();
    });
    children.push(answerer.child);
    await Promise.race([registered, answerer.done]);
    const offerer = peer('offerer', service.url);
    children.push(offerer.child);
    const [offererCode, answererCode] = await Promise.all([offerer.done, answerer.done]);
    const ok = offererCode === 0 && answererCode === 0;
    process.stdout.write('\n');
    say(
      'service',
      ok
        ? paint('32', 'both peers succeeded: exit 0')
        : paint('31', `offerer exited ${offererCode}, answerer ${answererCode}`),
    );
    if (ok) {
      process.stdout.write(
        [
          '',
          'What happened, in order (docs/CLI.md explains each line):',
          '  1. each peer registered with the service and long-polled its mailbox;',
          '  2. the offerer sent its offer (SDP) through the service, the answerer its answer;',
          '  3. both gathered ICE candidates and trickled them to each other as they came;',
          '  4. ICE checked candidate pairs and selected one; DTLS secured it;',
          '  5. the data channel "chat" opened: pings and pongs timed the round trip;',
          '  6. each side sent a tone over Opus (offerer 440 Hz, answerer 660 Hz) and named what it heard;',
          '  7. both said bye and left the room.',
          '',
        ].join('\n'),
      );
    }
    return ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    await service.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
