import type { ReportSummary } from '../../signaling/protocol.js';

/** A peer's `report` summary that says nothing but its role and its timings (on its own clock). */
export function timingsSummary(role: string, timingsMs: ReportSummary['timingsMs']): ReportSummary {
  return {
    role,
    ok: true,
    error: null,
    timingsMs,
    candidates: { local: [], remote: [] },
    selectedPair: null,
    pairs: [],
    nat: null,
    prediction: null,
    verdict: { path: null, matchesPrediction: null, explanation: '' },
    turnErrors: [],
  };
}
