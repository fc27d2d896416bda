/** The page's live parts: states, the candidate table, pings, what is heard, the selected pair, the log. */
import { formatPair, splitPriority } from '../client/ice-log.js';
import type { Heard } from './audio.js';
import type { CallView, CandidateRow } from './call-view.js';
import type { PageReport } from './page-report.js';

export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node as T;
}

function cell(row: HTMLTableRowElement, text: string): void {
  row.insertCell().textContent = text;
}

export function pageView(): CallView {
  const log = byId<HTMLOListElement>('log');
  const pings = byId<HTMLOListElement>('pings');
  const table = byId<HTMLTableElement>('candidates').tBodies[0]!;
  const pingItems = new Map<number, HTMLLIElement>();
  return {
    state(name, value) {
      const dd = document.querySelector(`[data-state="${name}"]`);
      if (dd) dd.textContent = value;
    },
    candidate(c: CandidateRow) {
      const row = table.insertRow();
      row.className = c.side;
      cell(row, String(c.t));
      cell(row, c.side);
      const info = c.info;
      if (!info) {
        cell(row, '?');
        const raw = row.insertCell();
        raw.colSpan = 8;
        raw.textContent = c.raw;
        return;
      }
      const split = splitPriority(info.priority);
      cell(row, info.type);
      cell(row, info.tcpType ? `${info.protocol} ${info.tcpType}` : info.protocol);
      cell(row, `${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`);
      cell(row, info.relatedAddress !== undefined ? `${info.relatedAddress}:${info.relatedPort ?? '?'}` : '');
      cell(row, String(split.typePreference));
      cell(row, String(split.localPreference));
      cell(row, String(split.componentPart));
      cell(row, info.foundation);
      cell(row, c.url ?? '');
    },
    line(text, level = 'info') {
      const item = document.createElement('li');
      item.textContent = text;
      item.className = level;
      log.append(item);
      item.scrollIntoView({ block: 'nearest' });
    },
    pair(report: PageReport) {
      const pair = report.selectedPair;
      if (pair)
        byId('pair').textContent = formatPair(pair.local, pair.remote, pair.rttMs).replace(/^selected pair\s+/, '');
    },
    ping(seq, of) {
      const item = document.createElement('li');
      item.textContent = `ping ${seq}/${of} sent`;
      pings.append(item);
      pingItems.set(seq, item);
    },
    pong(seq, rttMs) {
      const item = pingItems.get(seq);
      if (item) item.textContent = `ping ${seq} answered: rtt ${rttMs.toFixed(1)} ms`;
    },
    heard(h: Heard) {
      byId('heard').textContent = `${h.hz} Hz at ${h.levelDb.toFixed(0)} dB`;
    },
  };
}
