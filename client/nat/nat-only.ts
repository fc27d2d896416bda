import type { NatOnlyOptions } from '../cli.js';
import type { Logger } from '../log.js';
import { measuredAnything } from './classify.js';
import { formatNat } from './format.js';
import { measureNat } from './measure.js';
import type { StunCodec } from './stun-socket.js';

/**
 * `--nat-only`: measure this side's NAT with the servers the flags name,
 * print it (the object on stdout with --json), exit 0 when anything was
 * measured and 1 when nothing could be. No registration: the service's
 * servers are not known here, so a run without --stun or --turn says so.
 */
export async function runNatOnly(
  options: NatOnlyOptions,
  codec: Promise<StunCodec>,
  log: Logger,
  out: (line: string) => void,
): Promise<number> {
  const urls = [...options.stun, ...(options.turn ? [options.turn.url] : [])];
  const { behaviour, elapsedMs } = await measureNat(urls, await codec);
  if (urls.length === 0)
    behaviour.notes.push('--nat-only does not register, so the service is not asked for its servers');
  const ok = measuredAnything(behaviour);
  for (const line of formatNat(behaviour, elapsedMs)) {
    if (ok) log.info(line);
    else log.error(line);
  }
  if (options.json) out(JSON.stringify(behaviour));
  return ok ? 0 : 1;
}
