/**
 * Draws the timeline as SVG elements: one lane per side, a tick and a label
 * per mark, a time axis. Text stays text, and a screen reader reads each
 * lane as a list of its marks, each named by its <title> in full (also the
 * tooltip). Labels go where timeline-layout.ts finds room, measured as the
 * browser draws them, so none overlaps another; a crowded mark keeps only
 * its <title>.
 */
import { isKey, isQuiet, placeLabels, shortLabel } from './timeline-layout.js';
import type { TimelineModel } from './timeline-model.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 960;
const MIN_LEFT = 150;
/** .lane-name's font-size in style.css. */
const LANE_NAME_PX = 13;
const RIGHT = 30;
const LANE = 130;
/** Label rows above and below a lane (baselines), nearest first. */
const ROWS = [-10, 18, -22, 30, -34, 42, -46, 54];
/** .mark-label's font-size in style.css. */
const LABEL_PX = 10;
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

/** The width of a text in the page's font (the SVG is drawn at 1:1 up to phone width); an estimate without canvas. */
function measurer(px: number, weight = 400): (text: string) => number {
  const context = document.createElement('canvas').getContext('2d');
  if (!context) return (text) => text.length * px * 0.65;
  context.font = `${weight} ${px}px ${getComputedStyle(document.body).fontFamily || 'sans-serif'}`;
  return (text) => context.measureText(text).width;
}

export function drawTimeline(model: TimelineModel, title: string): SVGSVGElement {
  // The lanes start after the widest lane name (.lane-name: 13px, 600), so no label at the start runs into one.
  const nameWidth = measurer(LANE_NAME_PX, 600);
  const LEFT = Math.max(MIN_LEFT, Math.ceil(8 + Math.max(0, ...model.lanes.map((l) => nameWidth(l.name))) + 10));
  const all = model.lanes.flatMap((l) => l.marks.map((m) => m.t));
  const min = Math.min(0, ...all);
  const max = Math.max(min + 1, ...all);
  const x = (t: number): number => LEFT + ((t - min) / (max - min)) * (WIDTH - LEFT - RIGHT);
  const height = TOP + model.lanes.length * LANE + 40;
  const svg = el('svg', {
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: '100%',
    role: 'group',
    'aria-labelledby': 'timeline-title',
    'aria-describedby': 'timeline-desc',
    class: 'timeline',
  });
  const width = measurer(LABEL_PX);
  let unlabelled = 0;
  const lanes = model.lanes.map((lane, i) => {
    const y = TOP + i * LANE + LANE / 2;
    const group = el('g', { class: `lane lane-${i}`, role: 'list', 'aria-label': lane.name });
    group.append(
      el('text', { x: 8, y: y + 4, class: 'lane-name', 'aria-hidden': 'true' }, lane.name),
      el('line', { x1: LEFT, x2: WIDTH - RIGHT, y1: y, y2: y, class: 'lane-line' }),
    );
    const marks = [...lane.marks].sort((m, n) => m.t - n.t);
    const labels = marks.map((m) => (isQuiet(m.label) ? undefined : shortLabel(m.label)));
    const places = placeLabels(
      marks.map((m, k) => ({ x: x(m.t), width: labels[k] === undefined ? 0 : width(labels[k]), key: isKey(m.label) })),
      { left: LEFT, right: WIDTH - 4, rows: ROWS.length },
    );
    marks.forEach((mark, k) => {
      const mx = x(mark.t);
      const quiet = labels[k] === undefined;
      const place = quiet ? null : places[k];
      if (!quiet && !place) unlabelled++;
      const g = el('g', { class: quiet ? 'mark quiet' : place ? 'mark' : 'mark unlabelled', role: 'listitem' });
      g.append(
        el('title', {}, `${mark.t} ms: ${mark.label}`),
        el('line', { x1: mx, x2: mx, y1: y - (quiet ? 4 : 6), y2: y + (quiet ? 4 : 6), class: 'tick' }),
      );
      if (place) {
        const attrs: Record<string, string | number> = {
          x: place.x,
          y: y + (ROWS[place.row] ?? 0),
          class: 'mark-label',
          'aria-hidden': 'true',
        };
        if (place.anchor === 'end') attrs['text-anchor'] = 'end';
        g.append(el('text', attrs, labels[k]));
      }
      group.append(g);
    });
    return group;
  });
  const crowded =
    unlabelled > 0 ? ` ${unlabelled} marks too close to others for a label are named in their tooltips.` : '';
  svg.append(
    el('title', { id: 'timeline-title' }, title),
    el('desc', { id: 'timeline-desc' }, `${model.note}.${crowded}`),
    ...lanes,
  );
  const axisY = TOP + model.lanes.length * LANE + 10;
  const axis = el('g', { class: 'axis-group', 'aria-hidden': 'true' });
  axis.append(el('line', { x1: LEFT, x2: WIDTH - RIGHT, y1: axisY, y2: axisY, class: 'axis' }));
  const step = niceStep((max - min) / 8);
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) {
    axis.append(
      el('line', { x1: x(t), x2: x(t), y1: axisY, y2: axisY + 5, class: 'axis' }),
      el('text', { x: x(t), y: axisY + 18, class: 'axis-label', 'text-anchor': 'middle' }, `${t} ms`),
    );
  }
  svg.append(axis);
  return svg;
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}
