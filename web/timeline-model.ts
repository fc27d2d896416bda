/**
 * The lanes of the timeline from a report: this side's events (or, for a
 * bin/client `--json` report, its timings), the service's message stamps,
 * and the other side's timings from its `report` summary, placed on this
 * side's clock. Pure: the same function draws a live call and a dropped file.
 */
import type { ReportSummary } from '../signaling/protocol.js';
import type { Mark } from './page-report.js';

/** What the timeline reads: bin/client's report or the page's (its extra fields optional). */
export interface ViewableReport {
  role: string;
  peer?: string;
  ok: boolean;
  /** Milliseconds from the start, by step name (client/report.ts Timings). */
  timingsMs: object;
  peerReport?: ReportSummary | null;
  events?: Mark[];
  service?: Mark[];
  peerClock?: { offsetMs: number; how: string } | null;
}

export interface Lane {
  name: string;
  marks: Mark[];
}

export interface TimelineModel {
  lanes: Lane[];
  /** How the clocks were placed, or why one side is missing, in words. */
  note: string;
}

const TIMING_WORDS: Record<string, string> = {
  registered: 'registered',
  gatheringComplete: 'gathering complete',
  iceConnected: 'ICE connected',
  dtlsConnected: 'DTLS connected',
  dataChannelOpen: 'data channel open',
  done: 'done',
};

function timing(timings: object, key: string): number | undefined {
  const value: unknown = (timings as Record<string, unknown>)[key];
  return typeof value === 'number' ? value : undefined;
}

function marksOfTimings(timings: object, offset = 0): Mark[] {
  return (Object.entries(timings) as Array<[string, unknown]>)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([key, t]) => ({ t: t + offset, label: TIMING_WORDS[key] ?? key }))
    .sort((a, b) => a.t - b.t);
}

export function isViewableReport(value: unknown): value is ViewableReport {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.role === 'string' && typeof r.ok === 'boolean' && typeof r.timingsMs === 'object' && r.timingsMs !== null
  );
}

export function timelineOf(report: ViewableReport): TimelineModel {
  const own = report.role;
  const other = own === 'offerer' ? 'answerer' : 'offerer';
  const lanes: Lane[] = [
    { name: `this side (${own})`, marks: report.events?.length ? report.events : marksOfTimings(report.timingsMs) },
  ];
  if (report.service?.length) lanes.push({ name: 'service', marks: report.service });
  const peer = report.peerReport;
  if (!peer) {
    return {
      lanes,
      note: `${report.peer ?? 'the other side'} sent no report: the timeline shows this side alone`,
    };
  }
  let offset: number;
  let how: string;
  if (report.peerClock) {
    offset = report.peerClock.offsetMs;
    how = `placed on this side's clock by ${report.peerClock.how}`;
  } else {
    // A CLI report carries no server stamps: both data channels open within one round trip of each other.
    const ours = timing(report.timingsMs, 'dataChannelOpen') ?? timing(report.timingsMs, 'iceConnected');
    const theirs = timing(peer.timingsMs, 'dataChannelOpen') ?? timing(peer.timingsMs, 'iceConnected');
    offset = typeof ours === 'number' && typeof theirs === 'number' ? ours - theirs : 0;
    how =
      typeof ours === 'number' && typeof theirs === 'number'
        ? "placed on this side's clock by the data channel opening on both sides at once (within a round trip)"
        : 'on its own clock (nothing to align it by)';
  }
  lanes.push({ name: `other side (${peer.role || other})`, marks: marksOfTimings(peer.timingsMs, offset) });
  return { lanes, note: `the other side's timings come from its report, ${how}` };
}
