/**
 * URLs as they may be logged: `--store redis://:PASSWORD@host` carries a
 * secret in its userinfo, and ioredis also reads options (a password among
 * them) from the query. Every URL the service logs or prints goes through here.
 */

const secretParameter = /pass|secret|token|key|auth|cred/i;

export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL we can take apart: blank anything between "//" and "@" whole.
    return url.replace(/\/\/[^/]*@/, '//***@');
  }
  const secrets = [...parsed.searchParams.keys()].filter((name) => secretParameter.test(name));
  // Nothing to hide: the URL as it was given (href would add a trailing slash, say).
  if (parsed.username === '' && parsed.password === '' && secrets.length === 0) return url;
  if (parsed.username !== '') parsed.username = '***';
  if (parsed.password !== '') parsed.password = '***';
  for (const name of secrets) parsed.searchParams.set(name, '***');
  return parsed.href;
}
