// The PCI DSS 10 evidence report (auditors): a period, then the report's HTML page as the API renders
// it, opened in a new tab and offered for download. The signed bundle, with the PDF, is made by
// `sentrail report pci-dss-10`.
/* global document, URL, window */
import { queryString, request } from './api.js';
import { announce, downloadLink, el, rangeText, showError } from './dom.js';
import { resolveRange, timeRange } from './time-range.js';

const ROUTE = '/v1/reports/pci-dss-10';

const form = document.getElementById('report-form');
const errorBox = document.getElementById('report-error');
const result = document.getElementById('report-result');
const range = timeRange('report');
form.querySelector('[data-time-range]').replaceWith(range.element);
range.set({ range: '30d' });

/** `2026-11-01T00:00:00.000Z` → `20261101T000000Z`: a time fit for a file name. */
const compact = (iso) => iso.replace(/[-:]|\.\d+/g, '');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  showError(errorBox, '');
  // The last report's page is let go: a blob lives as long as a link to it does.
  for (const link of result.querySelectorAll('a')) URL.revokeObjectURL(link.href);
  result.replaceChildren();
  let bounds;
  try {
    bounds = resolveRange(range.params());
  } catch (error) {
    showError(errorBox, error.message);
    return;
  }
  // Opened at the click, while the browser counts it as the user's: opened after the wait, it would be
  // blocked as a pop-up. The report goes into it once it has arrived.
  const tab = window.open('', '_blank');
  const submit = form.querySelector('button[type=submit]');
  submit.disabled = true;
  announce('Building the report…');
  try {
    const response = await request('GET', `${ROUTE}${queryString({ ...bounds, format: 'html' })}`);
    const page = await response.blob();
    const download = downloadLink(
      'Download the report (HTML)',
      page,
      `sentrail-pci-dss-10-${compact(bounds.from)}-${compact(bounds.to)}.html`,
    );
    if (tab) tab.location.href = download.href;
    result.replaceChildren(
      el('h2', {}, `Report of ${rangeText(bounds)}`),
      el(
        'p',
        { class: 'row' },
        el('a', { href: download.href, target: '_blank', class: 'button' }, 'Open the report'),
        download,
      ),
      el(
        'p',
        { class: 'help' },
        'For the bundle to file (the report as JSON, HTML and PDF with a signed manifest), run ',
        el('code', {}, `./sentrail report pci-dss-10 --from ${bounds.from} --to ${bounds.to} --out DIR`),
        ', and check it with ',
        el('code', {}, './sentrail verify-export DIR DIR/manifest.json'),
        '.',
      ),
    );
    announce(
      tab ? 'The report is open in a new tab.' : 'The report is ready: the browser blocked the new tab, open it below.',
    );
  } catch (error) {
    tab?.close();
    announce('The report failed.');
    showError(errorBox, error.message);
  } finally {
    submit.disabled = false;
  }
});

/** `#/report`: the form; a report is built on demand, not on arrival. */
export function show() {}
