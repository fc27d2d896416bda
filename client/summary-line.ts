/**
 * The final summary line and the exit code, in the CLI's words, from the
 * report's outcome fields only: pure, so the browser page (web/) says the
 * same `OK: ...` or `FAILED: <code>: <message>` line as bin/client.
 */
import type { AudioReport } from './audio/types.js';
import type { DataChannelReport } from './chat-message.js';
import { FAILURES, type FailureCode } from './errors.js';

/** The fields of a report (report.ts) the line is made of. */
export interface Outcome {
  ok: boolean;
  error: { code: FailureCode; message: string } | null;
  dataChannel: DataChannelReport | null;
  audio: AudioReport | null;
  selectedPair: { local: { type: string }; remote: { type: string } } | null;
}

export function exitCodeOf(report: Outcome): number {
  if (report.error) return FAILURES[report.error.code].exit;
  return report.ok ? 0 : FAILURES.incomplete.exit;
}

/** The final summary for people, one line. */
export function summaryLine(report: Outcome): string {
  const dc = report.dataChannel;
  const pings = dc ? `${dc.received}/${dc.sent} pongs` : 'no data channel';
  const rtt = dc?.rttMs ? `, rtt ${dc.rttMs.min}/${dc.rttMs.median}/${dc.rttMs.max} ms (min/median/max)` : '';
  const pair = report.selectedPair
    ? `, via ${report.selectedPair.local.type} <-> ${report.selectedPair.remote.type}`
    : '';
  const audio = audioSummary(report);
  if (report.ok) return `OK: ${pings}${rtt}${audio}${pair} (exit 0)`;
  const why = report.error ? `${report.error.code}: ${report.error.message}` : 'the exchange was incomplete';
  return `FAILED: ${why}; ${pings}${rtt}${audio}${pair} (exit ${exitCodeOf(report)})`;
}

function audioSummary(report: Outcome): string {
  const audio = report.audio;
  if (!audio || (audio.sent.packets === 0 && audio.received.packets === 0)) return '';
  const { received } = audio;
  const lost = received.lost !== null ? `, ${received.lost} lost` : '';
  const hz = received.dominantHz !== null ? `, ${Math.round(received.dominantHz)} Hz` : '';
  return `; audio ${audio.sent.packets} packets out, ${received.packets} in${lost}${hz}`;
}
