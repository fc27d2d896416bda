import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** The ports a private coturn of the tests listens and relays on. */

const LOOPBACK = '127.0.0.1';

// Relay ranges come from 20000-31999: below Linux's ephemeral range (32768-60999),
// so the thousands of short-lived connections other tests make never hold them,
// and clear of natlab's 49152-49999. Each call
// takes the next block of 100; the first block depends on the pid so that test
// files running side by side are unlikely to share one.
const RELAY_BASE = 20_000;
const RELAY_BLOCK = 100;
const RELAY_BLOCKS = 120;
let nextBlock = (process.pid * 7) % RELAY_BLOCKS;

export function relayRange(): { min: number; max: number } {
  const block = nextBlock;
  nextBlock = (nextBlock + 1) % RELAY_BLOCKS;
  const min = RELAY_BASE + block * RELAY_BLOCK;
  return { min, max: min + RELAY_BLOCK - 1 };
}

/** A port free for both TCP and UDP on loopback right now. */
export async function freeListeningPort(): Promise<number> {
  for (;;) {
    const tcp = createServer().listen(0, LOOPBACK);
    await once(tcp, 'listening');
    const address = tcp.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const udp = createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => {
        resolve(false);
      });
      udp.bind(port, LOOPBACK, () => {
        resolve(true);
      });
    });
    udp.close();
    tcp.close();
    await once(tcp, 'close');
    if (udpFree) return port;
  }
}
