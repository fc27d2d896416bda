import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PUB_PRIMARY, SIGNALING_PORT } from './addresses.js';
import type { Lab } from './lab.js';
import { waitForListeners } from './listeners.js';
import { repoPath } from '../scripts/repo.js';

export interface IceServerUrls {
  stun: string;
  turnUdp: string;
  turnTcp: string;
}

export function labIceUrls(host = PUB_PRIMARY, port = 3478): IceServerUrls {
  return {
    stun: `stun:${host}:${port}`,
    turnUdp: `turn:${host}:${port}?transport=udp`,
    turnTcp: `turn:${host}:${port}?transport=tcp`,
  };
}

export const SIGNALING_URL = `http://${PUB_PRIMARY}:${SIGNALING_PORT}`;

/**
 * bin/signaling inside pub, handing out the lab's coturn: STUN, then TURN over
 * UDP, then TURN over TCP, with credentials from the shared secret.
 */
export async function startSignaling(
  lab: Lab,
  turnSecret: string,
  signalingPath = repoPath('bin/signaling'),
): Promise<ChildProcess> {
  const urls = labIceUrls();
  const logFile = join(lab.logDir, 'signaling.log');
  const child = lab.spawn(
    'pub',
    [
      process.execPath,
      signalingPath,
      '--host',
      PUB_PRIMARY,
      '--port',
      String(SIGNALING_PORT),
      '--stun',
      urls.stun,
      '--turn',
      urls.turnUdp,
      '--turn',
      urls.turnTcp,
      '--turn-secret',
      turnSecret,
      // Many lab peers register from behind one NAT address at once.
      '--register-rate',
      '0',
      '--log-level',
      'info',
    ],
    { logFile },
  );
  await waitForListeners(lab, 'pub', [{ proto: 'tcp', address: PUB_PRIMARY, port: SIGNALING_PORT }], child, logFile);
  return child;
}
