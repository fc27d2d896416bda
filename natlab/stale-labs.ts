import { parseNamespaceName } from './lab-id.js';
import { destroyNamespacesSync, listNamespaces, processAlive } from './namespaces.js';

/**
 * Removes what a lab run left behind when it was killed too hard to clean up
 * (SIGKILL, power loss): namespaces carrying the id of a run whose owner PID
 * no longer exists, and the processes inside them, which that run started.
 * Runs whose owner is alive are never touched. New runs do not need this to
 * avoid collisions (ids differ); it only frees the resources.
 */
export async function reapStaleLabs(): Promise<string[]> {
  const stale = (await listNamespaces()).filter((ns) => {
    const parsed = parseNamespaceName(ns);
    return parsed !== undefined && parsed.ownerPid !== process.pid && !processAlive(parsed.ownerPid);
  });
  // Peers and routers first, pub last, as a run's own tear-down does.
  const order = (ns: string): number => (ns.endsWith('-pub') ? 1 : 0);
  destroyNamespacesSync([...stale].sort((a, b) => order(a) - order(b)));
  return stale;
}
