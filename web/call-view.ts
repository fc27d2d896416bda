/** What a call shows as it happens: the seam between the call (call.ts, ice-watch.ts) and the page (view.ts). */
import type { CandidateInfo } from '../client/ice-log.js';
import type { Heard } from './audio.js';
import type { PageReport } from './page-report.js';

export interface CandidateRow {
  t: number;
  side: 'local' | 'remote';
  /** null when the browser gave something that does not parse (shown raw). */
  info: CandidateInfo | null;
  raw: string;
  url: string | undefined;
}

export interface CallView {
  state(name: 'signaling' | 'gathering' | 'ice' | 'dtls' | 'connection' | 'channel', value: string): void;
  candidate(row: CandidateRow): void;
  line(text: string, level?: 'info' | 'warn'): void;
  pair(report: PageReport): void;
  ping(seq: number, of: number): void;
  pong(seq: number, rttMs: number): void;
  heard(heard: Heard): void;
}
