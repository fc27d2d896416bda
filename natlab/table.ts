import type { BehaviourCheck } from './behaviour-check.js';
import type { CellResult } from './cell-runner.js';
import { jointWords } from './judge-nat.js';
import type { PeerSummary } from './peer-report.js';

const SHORT: Record<string, string> = {
  'no-nat': 'none',
  'endpoint-independent': 'EI',
  'address-dependent': 'AD',
  'address-and-port-dependent': 'APD',
  unknown: '?',
};

/** A side's own measurement, mapping/filtering: "EI/APD" (nothing answered: "blocked"). */
function natCell(s: PeerSummary): string {
  if (!s.nat) return '-';
  if (s.nat.seen === 0) return 'blocked';
  return `${SHORT[s.nat.mapping ?? ''] ?? '?'}/${SHORT[s.nat.filtering ?? ''] ?? '?'}`;
}

function render(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function pair(s: PeerSummary): string {
  if (!s.local && !s.remote) return '-';
  return `${s.local?.type ?? '?'}->${s.remote?.type ?? '?'}`;
}

function relayTag(role: string, s: PeerSummary): string {
  return s.local?.type === 'relay' ? `${role}:${s.local.relayProtocol ?? '?'}` : '';
}

function ms(v: number | null): string {
  return v === null ? '-' : v < 10 ? v.toFixed(1) : String(Math.round(v));
}

export function matrixTable(results: readonly CellResult[]): string {
  const header = [
    'answerer x offerer',
    'mode',
    'expected',
    'connected',
    'answerer pair',
    'offerer pair',
    'relay via',
    'NAT (CLI) a/o',
    'prediction',
    'joint',
    'dc open ms',
    'rtt ms',
    'verdict',
  ];
  const rows = results.map((r) => {
    const a = r.peers.answerer.summary;
    const o = r.peers.offerer.summary;
    const relay = [relayTag('answerer', a), relayTag('offerer', o)].filter((t) => t !== '').join(' ');
    const connected =
      a.ok && o.ok ? 'yes' : a.dataChannelOpenMs !== null || o.dataChannelOpenMs !== null ? 'partly' : 'no';
    const open = o.dataChannelOpenMs ?? a.dataChannelOpenMs;
    const rtt = o.pingRttMedianMs ?? o.pairRttMs ?? a.pingRttMedianMs;
    return [
      r.cell.sameRouter ? `one router, ${r.cell.sameRouter}` : `${r.cell.answerer} x ${r.cell.offerer}`,
      r.cell.mode,
      r.expectation.text,
      connected,
      pair(a),
      pair(o),
      relay || '-',
      `${natCell(a)} ${natCell(o)}`,
      a.prediction === o.prediction ? (a.prediction ?? '-') : `${a.prediction ?? '-'}/${o.prediction ?? '-'}`,
      jointWords({ answerer: a, offerer: o }),
      ms(open),
      ms(rtt),
      r.verdict.met ? (r.verdict.notes.length > 0 ? 'ok (note)' : 'ok') : 'MISSED',
    ];
  });
  return render(header, rows);
}

export function behaviourTable(checks: readonly BehaviourCheck[]): string {
  const header = [
    'behaviour',
    'mapping (natdiscovery)',
    'filtering (natdiscovery)',
    'mapping (CLI)',
    'filtering (CLI)',
    'hairpin (CLI)',
    'public address:port seen',
    'verdict',
  ];
  const rows = checks.map((c) => [
    c.behaviour,
    c.measured.reachable ? (c.measured.mapping ?? '?') : 'STUN unreachable',
    c.measured.reachable ? (c.measured.filtering ?? '?') : '-',
    c.client ? (c.client.publicAddresses.length > 0 ? (c.client.mapping ?? '?') : 'nothing answered') : '-',
    c.client && c.client.publicAddresses.length > 0 ? (c.client.filtering ?? '?') : '-',
    c.client?.hairpin === null || !c.client ? '-' : c.client.hairpin ? 'yes' : 'no',
    c.measured.reflexive.join(' ') || '-',
    c.met ? 'ok' : 'MISSED',
  ]);
  return render(header, rows);
}
