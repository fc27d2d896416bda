/**
 * The CORS answer for responses written outside the CORS plugin's hooks: the
 * router's own refusals (bad percent-encoding, over-long names) and the raw
 * answers to requests the HTTP parser could not read.
 */

/** The allow-origin value for a request from `origin`, or undefined when it gets none. */
export function allowedOrigin(corsOrigin: readonly string[], origin: string | undefined): string | undefined {
  if (corsOrigin.includes('*')) return '*';
  return origin !== undefined && corsOrigin.includes(origin) ? origin : undefined;
}

/** The CORS headers of a response to a request from `origin`, as the plugin would send them. */
export function corsHeaders(corsOrigin: readonly string[], origin: string | undefined): Record<string, string> {
  const allowed = allowedOrigin(corsOrigin, origin);
  const headers: Record<string, string> = {};
  if (allowed !== undefined) {
    headers['access-control-allow-origin'] = allowed;
    headers['access-control-expose-headers'] = 'retry-after';
  }
  if (!corsOrigin.includes('*')) headers.vary = 'Origin';
  return headers;
}
