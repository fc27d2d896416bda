import { randomBytes } from 'node:crypto';

/**
 * Namespace names are global to the machine, so each run carries its own id:
 * the owner's PID (to recognise the leftovers of a run that died) and random
 * bytes (so a reused PID still gets new names).
 */
export type NamespaceRole = 'pub' | 'natA' | 'natB' | 'peerA' | 'peerB';

const PREFIX = 'natlab';
const NAME_RE = /^natlab-(\d+)-([0-9a-f]{6})-([A-Za-z]+)$/;

export function newLabId(): string {
  return `${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function namespaceName(labId: string, role: NamespaceRole): string {
  return `${PREFIX}-${labId}-${role}`;
}

export interface ParsedNamespace {
  labId: string;
  ownerPid: number;
  role: string;
}

export function parseNamespaceName(name: string): ParsedNamespace | undefined {
  const m = NAME_RE.exec(name);
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) return undefined;
  return { labId: `${m[1]}-${m[2]}`, ownerPid: Number(m[1]), role: m[3] };
}
