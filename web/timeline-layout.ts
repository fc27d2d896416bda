/**
 * Where the timeline's labels go: each in the nearest row above or below its
 * lane where it overlaps no other label, starting at its mark or, where
 * that does not fit (near the right edge, or in a crowd), ending there. The
 * steps of the call are placed first, then the rest; a label with no room
 * left is not drawn (its mark's <title> still names it, for a tooltip and a
 * screen reader), so no two labels ever overlap. Pure: widths come from
 * the caller (timeline.ts measures the text the browser will draw).
 */

export interface LabelRequest {
  /** The mark's x. */
  x: number;
  /** The label's width in the drawing's units. */
  width: number;
  /** A step of the call (registration, offer, ICE, ...): placed before the rest. */
  key: boolean;
}

export interface LabelPlace {
  /** Index into the rows (nearest first). */
  row: number;
  anchor: 'start' | 'end';
  /** Where the text is drawn: its start, or its end for `end`. */
  x: number;
  /** The span it takes, gap included. */
  from: number;
  to: number;
}

export interface LabelBox {
  /** Labels stay between these x. */
  left: number;
  right: number;
  rows: number;
}

/** Space between a mark and its label, and between two labels in a row. */
const PAD = 2;
const GAP = 4;

/** Each request's place, in request order; null where no row has room (the label is left out). */
export function placeLabels(requests: readonly LabelRequest[], box: LabelBox): Array<LabelPlace | null> {
  const taken: Array<Array<[number, number]>> = Array.from({ length: box.rows }, () => []);
  const places: Array<LabelPlace | null> = requests.map(() => null);
  const order = requests.map((_, i) => i).sort((a, b) => rank(requests[a]) - rank(requests[b]) || a - b);
  for (const i of order) {
    const r = requests[i];
    if (!r) continue;
    const spans: Array<Omit<LabelPlace, 'row'>> = [
      { anchor: 'start', x: r.x + PAD, from: r.x, to: r.x + PAD + r.width + GAP },
      { anchor: 'end', x: r.x - PAD, from: r.x - PAD - r.width - GAP, to: r.x },
    ];
    search: for (let row = 0; row < box.rows; row++) {
      for (const span of spans) {
        if (span.from < box.left || span.to - GAP > box.right) continue;
        if (taken[row]?.some(([from, to]) => span.from < to && from < span.to)) continue;
        taken[row]?.push([span.from, span.to]);
        places[i] = { row, ...span };
        break search;
      }
    }
  }
  return places;
}

const rank = (r: LabelRequest | undefined): number => (r?.key ? 0 : 1);

/** Candidates come in bursts: a tick each, never a label (the <title> names it). */
export function isQuiet(label: string): boolean {
  return /candidate|^(local|remote) /.test(label);
}

/** The steps of a call the issue names: registration, offer, answer, ICE, DTLS, data channel, pings, done, bye. */
export function isKey(label: string): boolean {
  return /^(registered|offer|answer|ICE (checking|connected)|DTLS connected|data channel|ping|pong|done|bye|report|peer-joined|failed)/.test(
    label,
  );
}

/** The label on the drawing: the words before any `;` or `:`, at most 28 characters (the <title> has them all). */
export function shortLabel(label: string): string {
  const head = label.split(/[;:]/)[0] ?? label;
  return head.length > 28 ? `${head.slice(0, 27)}…` : head;
}
