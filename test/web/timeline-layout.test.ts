/**
 * web/timeline-layout.ts: the timeline's labels in the nearest free row,
 * never overlapping; the call's steps first; a label with no room left out.
 */
import fc from 'fast-check';
import t from 'tap';
import { isKey, isQuiet, placeLabels, shortLabel, type LabelPlace } from '../../web/timeline-layout.js';

const box = { left: 150, right: 956, rows: 8 };

t.test('apart: each label in the nearest row, starting at its mark', async (t) => {
  const places = placeLabels(
    [
      { x: 200, width: 60, key: true },
      { x: 300, width: 60, key: false },
    ],
    box,
  );
  t.same(places, [
    { row: 0, anchor: 'start', x: 202, from: 200, to: 266 },
    { row: 0, anchor: 'start', x: 302, from: 300, to: 366 },
  ]);
});

t.test('close: the next row, or ending at its mark where that has room', async (t) => {
  const [a, b, c] = placeLabels(
    [
      { x: 300, width: 60, key: true },
      { x: 310, width: 60, key: true },
      { x: 290, width: 20, key: true },
    ],
    box,
  );
  t.match(a, { row: 0, anchor: 'start' });
  t.match(b, { row: 1, anchor: 'start' }, 'row 0 is taken on both sides of it');
  t.match(c, { row: 0, anchor: 'end', x: 288 }, 'row 0 is taken after it, free before');
});

t.test('the edges: ending at the mark near the right, starting at it near the left', async (t) => {
  const [right, left] = placeLabels(
    [
      { x: 940, width: 80, key: true },
      { x: 152, width: 80, key: true },
    ],
    box,
  );
  t.match(right, { row: 0, anchor: 'end', x: 938 });
  t.match(left, { row: 0, anchor: 'start', x: 154 });
  t.same(placeLabels([{ x: 500, width: 900, key: true }], box), [null], 'wider than the drawing: left out');
});

t.test("no room: the label is left out, and the call's steps are placed before the rest", async (t) => {
  const one = { ...box, rows: 1 };
  const places = placeLabels(
    [
      { x: 500, width: 40, key: false },
      { x: 500, width: 40, key: false },
      { x: 501, width: 40, key: true },
      { x: 501, width: 40, key: true },
    ],
    one,
  );
  t.same(
    places.map((p) => p?.anchor ?? null),
    [null, null, 'start', 'end'],
    'two steps take both sides of the only row',
  );
});

/** Every pair of placed labels in one row, checked for overlap. */
function overlaps(places: ReadonlyArray<LabelPlace | null>): string[] {
  const placed = places.filter((p): p is LabelPlace => p !== null);
  const out: string[] = [];
  placed.forEach((a, i) => {
    for (const b of placed.slice(i + 1))
      if (a.row === b.row && a.from < b.to && b.from < a.to) out.push(`${JSON.stringify(a)} / ${JSON.stringify(b)}`);
  });
  return out;
}

t.test('whatever the marks: no two labels overlap, each stays in the box, by its mark', async (t) => {
  const request = fc.record({
    x: fc.integer({ min: box.left, max: box.right }),
    width: fc.integer({ min: 5, max: 200 }),
    key: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(request, { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), (requests, rows) => {
      const places = placeLabels(requests, { ...box, rows });
      if (places.length !== requests.length) return false;
      if (overlaps(places).length > 0) return false;
      return places.every((p, i) => {
        const r = requests[i];
        if (p === null || !r) return true;
        const [start, end] = p.anchor === 'start' ? [p.x, p.x + r.width] : [p.x - r.width, p.x];
        return (
          p.row < rows &&
          start >= box.left &&
          end <= box.right &&
          p.from <= start &&
          end <= p.to &&
          Math.abs(p.x - r.x) === 2
        );
      });
    }),
  );
  t.pass('no overlap in any run');
});

t.test('a crowded second (the screenshot call): all steps labelled, none overlapping', async (t) => {
  // The page's marks from 300 to 600 ms of a 4 s call, 0.2 px per ms, as docs/page.png drew them.
  const events: Array<[number, string]> = [
    [305, 'offer received'],
    [329, 'remote audio track'],
    [353, 'gathering gathering'],
    [375, 'answer sent'],
    [380, 'ICE checking'],
    [387, 'connection connecting'],
    [403, 'DTLS connecting'],
    [404, 'ICE connected'],
    [405, 'gathering complete'],
    [529, 'DTLS connected'],
    [530, 'connection connected'],
    [538, 'data channel chat open'],
  ];
  const places = placeLabels(
    events.map(([ms, label]) => ({ x: 150 + ms * 0.2, width: label.length * 6, key: isKey(label) })),
    box,
  );
  t.same(overlaps(places), []);
  events.forEach(([, label], i) => {
    if (isKey(label)) t.ok(places[i], `${label} labelled`);
  });
});

t.test('which marks are quiet, which are steps, and the words drawn', async (t) => {
  for (const label of ['local host', 'remote srflx', 'candidate', 'offerer: end of candidates'])
    t.ok(isQuiet(label), `${label}: a tick only`);
  t.notOk(isQuiet('ICE connected'));
  const steps = [
    'registered as answerer in room default; here: nobody',
    'registered',
    'offer sent',
    'answer',
    'ICE checking',
    'ICE connected',
    'DTLS connected',
    'data channel chat open',
    'data channel open',
    'pong 3',
    'done sent',
    'report and bye sent',
    'bye',
    'peer-joined',
    'failed: ice_failed: ICE failed',
  ];
  for (const label of steps) t.ok(isKey(label), `${label}: a step`);
  for (const label of ['connection connecting', 'gathering gathering', 'DTLS connecting', 'nat', 'waiting for x'])
    t.notOk(isKey(label), `${label}: not a step`);
  t.equal(shortLabel('registered as answerer in room default; here: nobody'), 'registered as answerer in r…');
  t.equal(shortLabel('failed: ice_failed: ICE failed'), 'failed');
  t.equal(shortLabel('pong 3'), 'pong 3');
  t.equal(shortLabel('x'.repeat(28)), 'x'.repeat(28));
});
