/**
 * Flags from environment variables, shared by bin/signaling (SIGNALING_*) and
 * bin/client (CLIENT_*): each flag the program knows is read from
 * PREFIX_FLAG_NAME (upper snake case). The values are handed to yargs as a
 * config object, so a flag on the command line wins, and for a repeatable flag
 * replaces the variable's list rather than adding to it.
 *
 * yargs' own `.env(prefix)` takes every PREFIX_* variable as a flag, and with
 * `.strict()` refuses to start over one that names none; platforms set such
 * variables under a program's name (Kubernetes sets SIGNALING_SERVICE_HOST for
 * a Service named signaling). Here a variable that names no flag is ignored.
 */
export function flagsFromEnv(prefix: string, flags: Iterable<string>, env: NodeJS.ProcessEnv): Record<string, string> {
  const found: Record<string, string> = {};
  for (const flag of flags) {
    const value = env[`${prefix}_${flag.toUpperCase().replaceAll('-', '_')}`];
    if (value !== undefined) found[flag] = value;
  }
  return found;
}

/** A repeatable flag's values, where a variable gives them as one comma-separated list. */
export function commaList(values: unknown): string[] {
  return (Array.isArray(values) ? values : [values])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
