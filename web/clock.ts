/** The service's clock and the peer's, placed on this side's (performance.now() since the call began). */
import type { ReportSummary } from '../signaling/protocol.js';
import type { PageReport } from './page-report.js';
import type { Arrival } from './signaling.js';

/**
 * Server time minus our performance clock: the smallest gap seen between a
 * message's server timestamp and its arrival (the quickest relay is nearest
 * to no delay at all), so service marks never land after we got them.
 */
export function serverOffset(arrivals: readonly Arrival[]): number {
  let best = Infinity;
  for (const a of arrivals) best = Math.min(best, a.message.ts - a.at);
  return Number.isFinite(best) ? best : 0;
}

/**
 * Where the peer's clock starts on ours, when the service stamped the peer's
 * registration (`peer-joined`: it came after us) and its report says when,
 * on its clock, it registered. Otherwise null, and the timeline aligns the
 * two data channels' opening instead (timeline-model.ts).
 */
export function peerClock(
  summary: ReportSummary | null,
  arrivals: readonly Arrival[],
  t0: number,
  peer: string,
): PageReport['peerClock'] {
  if (!summary) return null;
  const offset = serverOffset(arrivals);
  const joined = arrivals.find((a) => a.message.from === peer && a.message.type === 'peer-joined');
  const registered = summary.timingsMs.registered;
  if (joined && typeof registered === 'number')
    return {
      offsetMs: Math.round(joined.message.ts - offset - t0 - registered),
      how: 'its registration, as the service stamped it',
    };
  return null;
}
