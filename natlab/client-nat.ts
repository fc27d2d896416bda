import { PUB_PRIMARY, TURN_PORT } from './addresses.js';
import { probe } from './command.js';
import type { Lab } from './lab.js';
import type { NamespaceRole } from './lab-id.js';

/** What `bin/client --nat-only --json` reported behind a router (client/nat/). */
export interface ClientNat {
  exitCode: number | null;
  mapping: string | null;
  filtering: string | null;
  hairpin: boolean | null;
  method: string | null;
  publicAddresses: string[];
}

/** Runs the peer CLI's own measurement from a peer's namespace against the lab's coturn (RFC 5780). */
export async function measureWithClient(lab: Lab, peer: NamespaceRole, clientPath: string): Promise<ClientNat> {
  const r = await probe(
    [
      'ip',
      'netns',
      'exec',
      lab.ns(peer),
      'env',
      '-u',
      'NODE_OPTIONS',
      process.execPath,
      clientPath,
      '--nat-only',
      '--stun',
      `stun:${PUB_PRIMARY}:${TURN_PORT}`,
      '--json',
    ],
    20_000,
  );
  return { exitCode: r.code, ...parseClientNat(r.stdout) };
}

export function parseClientNat(stdout: string): Omit<ClientNat, 'exitCode'> {
  let v: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(stdout.trim().split('\n').pop() ?? '');
    if (typeof parsed === 'object' && parsed !== null) v = parsed as Record<string, unknown>;
  } catch {
    // no report: every field stays null
  }
  const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
  const seen = Array.isArray(v['publicAddresses']) ? (v['publicAddresses'] as Array<{ mapped?: unknown }>) : [];
  return {
    mapping: str(v['mapping']),
    filtering: str(v['filtering']),
    hairpin: typeof v['hairpin'] === 'boolean' ? v['hairpin'] : null,
    method: str(v['method']),
    publicAddresses: [...new Set(seen.map((p) => str(p.mapped)).filter((p): p is string => p !== null))],
  };
}
