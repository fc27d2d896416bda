import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { probe } from './command.js';
import { namespaceName, newLabId } from './lab-id.js';

/** Tools the lab runs, and the Debian package each comes from. */
export const REQUIRED_TOOLS: ReadonlyArray<readonly [string, string]> = [
  ['ip', 'iproute2'],
  ['ss', 'iproute2'],
  ['iptables-restore', 'iptables'],
  ['conntrack', 'conntrack'],
  ['turnserver', 'coturn'],
  ['turnutils_natdiscovery', 'coturn'],
  ['sysctl', 'procps'],
  ['timeout', 'coreutils'],
];

/** Root's tools live in sbin, which a non-login shell's PATH may lack. */
export function ensureSbinOnPath(): void {
  const parts = (process.env['PATH'] ?? '').split(delimiter);
  for (const dir of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!parts.includes(dir)) parts.push(dir);
  process.env['PATH'] = parts.join(delimiter);
}

function onPath(tool: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why the lab cannot run here, or null when it can. Creates and deletes one namespace to be sure. */
export async function labUnavailableReason(): Promise<string | null> {
  if (process.platform !== 'linux') return 'the NAT lab needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'the NAT lab needs root (network namespaces, iptables)';
  ensureSbinOnPath();
  const missing = REQUIRED_TOOLS.filter(([tool]) => !onPath(tool));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map(([, pkg]) => pkg))].join(' ');
    return `missing ${missing.map(([t]) => t).join(', ')} (apt-get install ${pkgs})`;
  }
  const ns = namespaceName(newLabId(), 'pub');
  const added = await probe(['ip', 'netns', 'add', ns]);
  if (added.code !== 0) return `cannot create a network namespace: ${added.stderr.trim()}`;
  await probe(['ip', 'netns', 'del', ns]);
  return null;
}
