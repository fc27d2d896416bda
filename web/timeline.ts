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
const LANE = 96;
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
    lane.marks.forEach((mark, j) => {
      const mx = x(mark.t);
      const up = j % 2 === 0;
      const row = Math.floor(j / 2) % 3;
      const ly = up ? y - 10 - row * 12 : y + 18 + row * 12;
      const g = el('g', { class: 'mark' });
      g.append(
        el('title', {}, `${mark.t} ms: ${mark.label}`),
        el('line', { x1: mx, x2: mx, y1: y - 6, y2: y + 6, class: 'tick' }),
        el('text', { x: mx + 2, y: ly, class: 'mark-label' }, mark.label),
      );
      group.append(g);
    });
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
