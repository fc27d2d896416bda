/** The table bench/relay.ts prints: each figure for both servers, the ratio, the target. */

export type Target =
  | { type: 'ratio-at-most'; value: number }
  | { type: 'ratio-at-least'; value: number }
  | { type: 'service-at-most'; value: number; unit: string };

export interface Row {
  figure: string;
  bare: number;
  service: number;
  digits: number;
  target?: Target;
}

function targetText(target: Target | undefined): string {
  if (target === undefined) return '';
  switch (target.type) {
    case 'ratio-at-most':
      return `ratio <= ${target.value.toFixed(2)}`;
    case 'ratio-at-least':
      return `ratio >= ${target.value.toFixed(2)}`;
    case 'service-at-most':
      return `service <= ${target.value} ${target.unit}`;
  }
}

/** PASS/MISS, or '' for a figure with no target. Printed, never asserted. */
export function verdict(row: Row): string {
  const { target } = row;
  if (target === undefined) return '';
  const ratio = row.service / row.bare;
  const met =
    target.type === 'ratio-at-most'
      ? ratio <= target.value
      : target.type === 'ratio-at-least'
        ? ratio >= target.value
        : row.service <= target.value;
  return met ? 'PASS' : 'MISS';
}

export function formatTable(rows: readonly Row[]): string {
  const width = Math.max(...rows.map((r) => r.figure.length)) + 2;
  const header = `${'figure'.padEnd(width)}${'bare'.padStart(10)}${'service'.padStart(10)}${'svc/bare'.padStart(10)}   ${'target'.padEnd(22)}`;
  const lines = rows.map((r) => {
    const ratio = (r.service / r.bare).toFixed(2);
    return `${r.figure.padEnd(width)}${r.bare.toFixed(r.digits).padStart(10)}${r.service.toFixed(r.digits).padStart(10)}${ratio.padStart(10)}   ${targetText(r.target).padEnd(22)}${verdict(r)}`.trimEnd();
  });
  return [header.trimEnd(), ...lines].join('\n');
}
