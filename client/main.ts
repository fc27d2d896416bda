import { parseArgs, UsageError } from './cli.js';
import { interrupted } from './errors.js';
import { createLogger } from './log.js';
import { runPeer } from './run.js';
import type { Werift } from './call-setup.js';

/** bin/client: parse flags, run, report; exit through process.exitCode. */
async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`client: ${error.message}\nRun bin/client --help for the flags.\n`);
    return 2;
  }
  if (parsed.kind === 'print') {
    process.stdout.write(`${parsed.text}\n`);
    return 0;
  }
  if (parsed.kind === 'nat-only') {
    const { runNatOnly } = await import('./nat/nat-only.js');
    return runNatOnly(parsed.options, import('werift'), createLogger({ level: parsed.options.logLevel }), (line) =>
      process.stdout.write(`${line}\n`),
    );
  }
  const options = parsed.options;
  if ((options.audio !== 'tone' && options.audio !== 'none') || options.record !== undefined) {
    // An unreadable Ogg file or an unwritable --record path is a bad flag: find out now, not after connecting.
    const { validateAudioOptions } = await import('./audio/source.js');
    try {
      validateAudioOptions(options);
    } catch (error) {
      process.stderr.write(
        `client: ${error instanceof Error ? error.message : String(error)}\nRun bin/client --help for the flags.\n`,
      );
      return 2;
    }
  }
  // Start loading werift now (the biggest part of start-up) so that it
  // overlaps registration instead of preceding it.
  const werift: Promise<Werift> = import('werift');
  werift.catch(() => undefined);

  const log = createLogger({ level: options.logLevel });
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      // A second Ctrl-C: the user does not want to wait for the goodbyes.
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    log.warn(`${signal}: leaving the room`);
    controller.abort(interrupted(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runPeer(options, {
      log,
      werift,
      abort: controller.signal,
      onReport: (report) => {
        if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Everything of ours is closed by now, and the report is out. Should a library still
    // hold a timer or a socket (werift's TURN client did, until patch 019), do not wait for it.
    setTimeout(() => process.exit(code), 1_000).unref();
  },
  (error: unknown) => {
    process.stderr.write(
      `client: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
