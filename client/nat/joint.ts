import type { ReportSummary } from '../../signaling/protocol.js';
import { describePath, matches, predictionHead } from './verdict.js';

/**
 * The one line both sides print: built only from the two `report`
 * summaries (each side's as it sent it), taken in role order, so that
 * both sides print the same words. Without the peer's summary it says so.
 */
export function jointLine(own: ReportSummary, peer: ReportSummary | null, peerName: string): string {
  if (peer === null) {
    return `joint: ${peerName} sent no report (an older CLI, or another stack): this side alone says ${own.ok ? 'OK' : 'FAILED'} — ${own.verdict.explanation}`;
  }
  const [offerer, answerer] = own.role === 'offerer' ? [own, peer] : [peer, own];
  const status =
    offerer.ok && answerer.ok
      ? 'OK both ways'
      : !offerer.ok && !answerer.ok
        ? `FAILED on both sides (offerer ${offerer.error?.code ?? 'incomplete'}, answerer ${answerer.error?.code ?? 'incomplete'})`
        : `OK at the ${offerer.ok ? 'offerer' : 'answerer'} only (${offerer.ok ? 'answerer' : 'offerer'}: ${(offerer.ok ? answerer : offerer).error?.code ?? 'incomplete'})`;
  const prediction = offerer.prediction ?? answerer.prediction;
  const actual = outcome(offerer, answerer);
  const matched = matches(prediction, actual);
  const judged =
    matched === null
      ? 'nothing predicted'
      : matched
        ? 'as predicted'
        : `not as predicted (${predictionHead(prediction)})`;
  const failures = [offerer, answerer]
    .filter((s) => !s.ok)
    .map((s) => `${s.role}: ${s.verdict.explanation}`)
    .join('; ');
  return `joint: ${status} — ${paths(offerer, answerer)}, ${judged}${failures ? ` — ${failures}` : ''}`;
}

/** Direct when either side's selected pair is direct (a check succeeded both ways), else relay, else none. */
function outcome(a: ReportSummary, b: ReportSummary): 'direct' | 'relay' | 'none' {
  const paths = [a.verdict.path, b.verdict.path].filter((p) => p !== null);
  if (paths.some((p) => p.relayedBy === null)) return 'direct';
  return paths.length > 0 ? 'relay' : 'none';
}

function paths(offerer: ReportSummary, answerer: ReportSummary): string {
  const o = offerer.verdict.path;
  const a = answerer.verdict.path;
  if (!o && !a) return 'no path';
  if (o && a && (o.relayedBy ?? 'direct') === (a.relayedBy ?? 'direct')) {
    return `offerer ${o.local} -> answerer ${o.remote} (${describePath(o, 'offerer').split(',')[0]}${natWords(o.remote, answerer, o.relayedBy)})`;
  }
  const side = (name: 'offerer' | 'answerer', p: typeof o): string =>
    p ? `${name} on ${p.local} -> ${p.remote} (${describePath(p, name).split(',')[0]})` : `${name} on no pair`;
  return `${side('offerer', o)}, ${side('answerer', a)}`;
}

/** "through the answerer's endpoint-independent NAT" when the path's far end is a NAT mapping. */
function natWords(remoteType: string, far: ReportSummary, relayedBy: string | null): string {
  if (relayedBy !== null || (remoteType !== 'srflx' && remoteType !== 'prflx') || !far.nat) return '';
  if (far.nat.mapping === 'unknown' || far.nat.mapping === 'no-nat') return '';
  return ` through the ${far.role}'s ${far.nat.mapping} NAT`;
}
