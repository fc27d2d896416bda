import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { formatEndpoint, type Endpoint } from './endpoint.js';

/** A STUN service to ask over UDP, named by the ICE server URL it came from. */
export interface StunDestination extends Endpoint {
  url: string;
}

/**
 * The UDP STUN services among ICE server URLs: every `stun:` URL, and every
 * `turn:` URL over UDP (a TURN server answers Binding requests too, RFC 8656).
 * `stuns:`, `turns:` and TURN over TCP speak STUN over a stream, which says
 * nothing about how the NAT maps UDP: left out.
 */
export function udpStunUrls(urls: readonly string[]): Array<{ url: string; host: string; port: number }> {
  const out: Array<{ url: string; host: string; port: number }> = [];
  for (const url of urls) {
    const match = /^(stun|turn):(\[[0-9a-fA-F:.]+\]|[^:?[\]]+)(?::(\d{1,5}))?(\?.*)?$/i.exec(url);
    if (!match) continue;
    const scheme = (match[1] ?? '').toLowerCase();
    const query = match[4] ?? '';
    if (scheme === 'turn' && /[?&]transport=tcp/i.test(query)) continue;
    const host = (match[2] ?? '').replace(/^\[|\]$/g, '');
    const port = match[3] !== undefined ? Number(match[3]) : 3478;
    if (port < 1 || port > 65_535) continue;
    out.push({ url, host, port });
  }
  return out;
}

/**
 * Resolves the URLs' hosts to addresses of `family` (ICE gathers server-
 * reflexive candidates over IPv4 in werift: the measurement must use the
 * family that ICE does), one destination per address:port.
 */
export async function resolveDestinations(
  urls: readonly string[],
  family: 4 | 6,
  timeoutMs: number,
): Promise<{ destinations: StunDestination[]; unresolved: string[] }> {
  const seen = new Set<string>();
  const destinations: StunDestination[] = [];
  const unresolved: string[] = [];
  const resolved = await Promise.all(
    udpStunUrls(urls).map(async (entry) => ({ entry, address: await resolve(entry.host, family, timeoutMs) })),
  );
  for (const { entry, address } of resolved) {
    if (address === undefined) {
      unresolved.push(entry.url);
      continue;
    }
    const key = formatEndpoint({ address, port: entry.port });
    if (seen.has(key)) continue;
    seen.add(key);
    destinations.push({ url: entry.url, address, port: entry.port });
  }
  return { destinations, unresolved };
}

async function resolve(host: string, family: 4 | 6, timeoutMs: number): Promise<string | undefined> {
  const literal = isIP(host);
  if (literal !== 0) return literal === family ? host : undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([
      lookup(host, { family }).then(
        (result) => result.address,
        () => undefined,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
