/**
 * Draws the timeline as SVG elements: one lane per side, a tick and a label
 * per mark, a time axis. Text stays text (a screen reader reads the labels,
 * each mark has a <title>), and labels are staggered so that close marks
 * stay legible.
 */
import type { TimelineModel } from './timeline-model.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 960;
const LEFT = 150;
const RIGHT = 30;
const LANE = 130;
/** Label rows above and below a lane, nearest first; a label takes the first row where it fits. */
const ROWS = [-10, 18, -22, 30, -34, 42, -46, 54];
const CHAR_PX = 6;
const TOP = 20;

function el<K extends keyof SVGElementTagNameMap>(
  name: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function drawTimeline(model: TimelineModel, title: string): SVGSVGElement {
  const all = model.lanes.flatMap((l) => l.marks.map((m) => m.t));
  const min = Math.min(0, ...all);
  const max = Math.max(min + 1, ...all);
  const x = (t: number): number => LEFT + ((t - min) / (max - min)) * (WIDTH - LEFT - RIGHT);
  const height = TOP + model.lanes.length * LANE + 40;
  const svg = el('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: '100%',
    role: 'img',
    'aria-labelledby': 'timeline-title timeline-desc',
    class: 'timeline',
  });
  svg.append(el('title', { id: 'timeline-title' }, title), el('desc', { id: 'timeline-desc' }, model.note));
  model.lanes.forEach((lane, i) => {
    const y = TOP + i * LANE + LANE / 2;
    const group = el('g', { class: `lane lane-${i}` });
    group.append(
      el('text', { x: 8, y: y + 4, class: 'lane-name' }, lane.name),
      el('line', { x1: LEFT, x2: WIDTH - RIGHT, y1: y, y2: y, class: 'lane-line' }),
    );
    const ends = ROWS.map(() => -Infinity);
    for (const mark of [...lane.marks].sort((m, n) => m.t - n.t)) {
      const mx = x(mark.t);
      // Candidates come in bursts: a tick each (its <title> names it), no label.
      const quiet = /candidate|^(local|remote) /.test(mark.label);
      const g = el('g', { class: quiet ? 'mark quiet' : 'mark' });
      g.append(
        el('title', {}, `${mark.t} ms: ${mark.label}`),
        el('line', { x1: mx, x2: mx, y1: y - (quiet ? 4 : 6), y2: y + (quiet ? 4 : 6), class: 'tick' }),
      );
      if (!quiet) {
        const label = shortLabel(mark.label);
        const width = label.length * CHAR_PX;
        // Near the right edge a label ends at its mark instead of starting there.
        const end = mx + width + 2 > WIDTH - 4;
        const [from, to] = end ? [mx - width - 2, mx] : [mx, mx + width + 2];
        let row = ends.findIndex((e) => e < from);
        if (row < 0) row = ends.indexOf(Math.min(...ends));
        ends[row] = to + 4;
        const attrs: Record<string, string | number> = {
          x: end ? mx - 2 : mx + 2,
          y: y + (ROWS[row] ?? 0),
          class: 'mark-label',
        };
        if (end) attrs['text-anchor'] = 'end';
        g.append(el('text', attrs, label));
      }
      group.append(g);
    }
    svg.append(group);
  });
  const axisY = TOP + model.lanes.length * LANE + 10;
  svg.append(el('line', { x1: LEFT, x2: WIDTH - RIGHT, y1: axisY, y2: axisY, class: 'axis' }));
  const step = niceStep((max - min) / 8);
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) {
    svg.append(
      el('line', { x1: x(t), x2: x(t), y1: axisY, y2: axisY + 5, class: 'axis' }),
      el('text', { x: x(t), y: axisY + 18, class: 'axis-label', 'text-anchor': 'middle' }, `${t} ms`),
    );
  }
  return svg;
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

/** The label on the drawing: the words before any `;` or `:`, at most 28 characters (the <title> has them all). */
function shortLabel(label: string): string {
  const head = label.split(/[;:]/)[0] ?? label;
  return head.length > 28 ? `${head.slice(0, 27)}…` : head;
}
