import { isIPv6 } from 'node:net';

/** A UDP transport address. */
export interface Endpoint {
  address: string;
  port: number;
}

/** `203.0.113.1:3478`, `[2001:db8::1]:3478`: the form every NAT field uses. */
export function formatEndpoint(endpoint: Endpoint): string {
  return isIPv6(endpoint.address) ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`;
}

/** The inverse of formatEndpoint; undefined for anything else. */
export function parseEndpoint(text: string): Endpoint | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65_535) return undefined;
  return { address: match[1] ?? match[2] ?? '', port };
}

/** The address part of `address:port`. */
export function addressOf(text: string): string {
  return parseEndpoint(text)?.address ?? text;
}

export function portOf(text: string): number | undefined {
  return parseEndpoint(text)?.port;
}
