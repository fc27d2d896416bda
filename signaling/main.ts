/** bin/signaling: parse flags, build the service, listen, stop cleanly on SIGTERM/SIGINT. */
import { pino } from 'pino';
import { buildServer } from './app.js';
import { parseSignalingArgs } from './cli.js';
import { redactUrl } from './redact.js';

/** How long shutdown may take before the process gives up waiting. */
const closeDeadlineMs = 2000;

async function main(): Promise<void> {
  const parsed = await parseSignalingArgs(process.argv.slice(2));
  if (!parsed.run) {
    const stream = parsed.exitCode === 0 ? process.stdout : process.stderr;
    stream.write(parsed.output + '\n');
    process.exitCode = parsed.exitCode;
    return;
  }
  const config = parsed.config;
  const logger = pino({
    level: config.logLevel,
    redact: ['req.headers.authorization', 'headers.authorization', 'token'],
    ...(process.stdout.isTTY
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  });
  const app = buildServer(config, { logger });
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, closeDeadlineMs);
    deadline.unref();
    app.close().then(
      () => {
        logger.info('closed');
        logger.flush();
      },
      (error: unknown) => {
        logger.error({ err: error }, 'close failed');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    logger.fatal({ err: error }, 'cannot listen');
    process.exitCode = 1;
    return;
  }
  const address = app.server.address();
  if (address !== null && typeof address === 'object') {
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    logger.info({ url: `http://${host}:${address.port}`, store: redactUrl(config.store) }, 'listening');
  }
}

await main();
