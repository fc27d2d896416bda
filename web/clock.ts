/** The service's clock and the peer's, placed on this side's (performance.now() since the call began). */
import type { Message, ReportSummary } from '../signaling/protocol.js';
import type { PageReport } from './page-report.js';

/** A message the poll delivered (web/signaling.ts), with the local time it arrived. */
export interface Arrival {
  message: Message;
  /** performance.now() when the poll answered. */
  at: number;
}

/**
 * Server time minus our performance clock, from the message with the
 * smallest gap between its server timestamp and its arrival (the quickest
 * relay is nearest to no delay at all). Each message's `ts - at` falls short
 * of the true offset by its delay, so the largest is the best, and with it
 * no service mark lands after we got the message.
 */
export function serverOffset(arrivals: readonly Arrival[]): number {
  let best = -Infinity;
  for (const a of arrivals) best = Math.max(best, a.message.ts - a.at);
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
