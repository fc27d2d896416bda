/**
 * Idle peers: what 10,000 peers each holding a poll cost a server in memory,
 * and how fast a message still reaches one of them. The crowd runs in its own
 * process (bench/idle-peers.ts); this side reads the server's RSS around it,
 * each time after the server has gone quiet and collected its garbage, so the
 * difference is what the peers keep alive and not where the GC happened to be.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IdleCommand, IdleReport } from './idle-peers.js';
import { cpuSeconds, root, rssBytes, spawnNode, type ServerProcess } from './relay-servers.js';

export interface IdleResult {
  rssBeforeBytes: number;
  rssAfterBytes: number;
  bytesPerPeer: number;
  latenciesMs: number[];
}

export interface IdleOptions {
  peers: number;
  deliveries: number;
}

/**
 * Waits until the server has used next to no CPU for half a second: the work
 * a burst of requests leaves behind (parsing, GC) is over, so RSS is settled.
 */
async function quiet(pid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = await cpuSeconds(pid);
  while (Date.now() < deadline) {
    await sleep(500);
    const now = await cpuSeconds(pid);
    if (now - last <= 0.02) return;
    last = now;
  }
}

/** What the server holds once its work is done and its garbage collected. */
async function retainedRss(server: IdleServer): Promise<number> {
  await quiet(server.pid);
  await server.collectGarbage();
  return await rssBytes(server.pid);
}

export type IdleServer = Pick<ServerProcess, 'url' | 'pid' | 'collectGarbage'>;

/** kind: the peer factory idle-peers.ts builds ('service' or 'bare'). */
export async function idlePeers(server: IdleServer, kind: string, options: IdleOptions): Promise<IdleResult> {
  const rssBeforeBytes = await retainedRss(server);
  const child = spawnNode(
    [`${root}dist/bench/idle-peers.js`, '--kind', kind, '--url', server.url, '--peers', String(options.peers)],
    { ipc: true },
  );
  const exited = once(child, 'exit');
  const died = exited.then(([code]): never => {
    throw new Error(`idle-peers (${kind}) exited early with ${String(code)}`);
  });
  died.catch(() => {}); // only an error while a report is awaited
  const next = async <T extends IdleReport['type']>(type: T, ms: number): Promise<Extract<IdleReport, { type: T }>> => {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      once(child, 'message') as Promise<[IdleReport]>,
      died,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`idle-peers (${kind}): no '${type}' in ${ms} ms`)), ms);
      }),
    ]).finally(() => clearTimeout(timer));
    const [message] = outcome;
    if (message.type !== type) throw new Error(`idle-peers (${kind}): '${message.type}' instead of '${type}'`);
    return message as Extract<IdleReport, { type: T }>;
  };
  const command = (message: IdleCommand): void => {
    child.send(message);
  };
  try {
    await next('holding', 120_000);
    const rssAfterBytes = await retainedRss(server);
    command({ type: 'deliver', count: options.deliveries });
    const { latenciesMs } = await next('delivered', 60_000);
    command({ type: 'stop' });
    await exited;
    return {
      rssBeforeBytes,
      rssAfterBytes,
      bytesPerPeer: (rssAfterBytes - rssBeforeBytes) / options.peers,
      latenciesMs,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
