/**
 * The page's entry: the form (filled in from the query string), a call when
 * it is submitted (or at once with `autostart=1`), the verdict and timeline
 * when it ends, and any report file dropped on the page, or named by
 * `?report=URL`, drawn the same way. `window.labReport` holds this side's
 * report once the call has ended.
 */
import { summaryLine } from '../client/summary-line.js';
import { micNeedsHttps } from './audio.js';
import { runCall } from './call.js';
import { readOptions } from './options.js';
import type { PageReport } from './page-report.js';
import { drawTimeline } from './timeline.js';
import { isViewableReport, timelineOf, type ViewableReport } from './timeline-model.js';
import { byId, pageView } from './view.js';

declare global {
  interface Window {
    labReport?: PageReport;
  }
}

const query = new URLSearchParams(location.search);
const form = byId<HTMLFormElement>('setup');
const formError = byId('form-error');

for (const [name, value] of query) {
  const field = form.elements.namedItem(name);
  if (field instanceof HTMLInputElement && field.type === 'checkbox')
    field.checked = ['1', 'true', 'on'].includes(value);
  else if (field instanceof HTMLInputElement || field instanceof HTMLSelectElement) field.value = value;
}
if (micNeedsHttps()) byId('mic-note').hidden = false;

function showTimeline(report: ViewableReport, title: string): void {
  const figure = byId('timeline');
  const model = timelineOf(report);
  const caption = document.createElement('figcaption');
  caption.textContent = model.note;
  figure.replaceChildren(drawTimeline(model, title), caption);
}

async function start(): Promise<void> {
  formError.textContent = '';
  let options;
  try {
    // The query's settings the form has no field for (timeoutS) still count.
    const fields = new URLSearchParams(query);
    for (const [name, value] of new FormData(form)) if (typeof value === 'string') fields.set(name, value);
    for (const box of form.querySelectorAll<HTMLInputElement>('input[type="checkbox"]'))
      if (!box.checked) fields.delete(box.name);
    options = readOptions(fields);
  } catch (error) {
    formError.textContent = error instanceof Error ? error.message : String(error);
    return;
  }
  byId<HTMLButtonElement>('start').disabled = true;
  const report = await runCall(options, pageView());
  const verdict = byId('verdict');
  verdict.textContent = summaryLine(report);
  verdict.className = `verdict ${report.ok ? 'ok' : 'failed'}`;
  byId('joint').textContent = report.joint ?? '';
  showTimeline(report, `The call in room ${report.room}, as ${report.id} saw it`);
  const download = byId<HTMLAnchorElement>('download');
  download.href = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }));
  download.hidden = false;
  window.labReport = report;
  byId<HTMLButtonElement>('start').disabled = false;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void start();
});

function view(text: string, from: string): void {
  let value: unknown;
  try {
    value = JSON.parse(
      text
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .at(-1) ?? text,
    );
  } catch {
    value = undefined;
  }
  if (!isViewableReport(value)) {
    formError.textContent = `${from} is not a report (bin/client --json output)`;
    return;
  }
  showTimeline(value, `Report from ${from}: ${value.role}, ${value.ok ? 'OK' : 'FAILED'}`);
}

const drop = byId('drop');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  const file = event.dataTransfer?.files[0];
  if (file) void file.text().then((text) => view(text, file.name));
});
byId<HTMLInputElement>('file').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) void file.text().then((text) => view(text, file.name));
});

const reportUrl = query.get('report');
if (reportUrl !== null) {
  void fetch(new URL(reportUrl, location.href))
    .then(async (res) => (res.ok ? view(await res.text(), reportUrl) : Promise.reject(new Error(`${res.status}`))))
    .catch((error: unknown) => (formError.textContent = `could not load ${reportUrl}: ${String(error)}`));
}
if (query.get('autostart') === '1') void start();
