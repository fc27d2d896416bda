import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PUB_ALTERNATE, PUB_PRIMARY, TURN_PORT } from './addresses.js';
import type { Lab } from './lab.js';
import { waitForListeners } from './listeners.js';

export const TURN_REALM = 'natlab';

/**
 * coturn inside pub. Two listening addresses switch on its RFC 5780 support
 * (OTHER-ADDRESS, CHANGE-REQUEST), which turnutils_natdiscovery needs. `-n`
 * keeps it from reading the system's /etc/turnserver.conf.
 */
export async function startCoturn(lab: Lab, secret: string): Promise<ChildProcess> {
  const logFile = join(lab.logDir, 'coturn.log');
  const child = lab.spawn(
    'pub',
    [
      'turnserver',
      '-n',
      `--listening-ip=${PUB_PRIMARY}`,
      `--listening-ip=${PUB_ALTERNATE}`,
      `--listening-port=${TURN_PORT}`,
      `--relay-ip=${PUB_PRIMARY}`,
      '--min-port=49152',
      '--max-port=49999',
      `--realm=${TURN_REALM}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--fingerprint',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--no-multicast-peers',
      '--log-file=stdout',
      '--simple-log',
      `--pidfile=${join(lab.logDir, 'coturn.pid')}`,
    ],
    { logFile },
  );
  await waitForListeners(
    lab,
    'pub',
    [
      { proto: 'udp', address: PUB_PRIMARY, port: TURN_PORT },
      { proto: 'udp', address: PUB_ALTERNATE, port: TURN_PORT },
      { proto: 'tcp', address: PUB_PRIMARY, port: TURN_PORT },
    ],
    child,
    logFile,
  );
  return child;
}
