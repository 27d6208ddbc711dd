// A trail: everything one user did, or that touched one resource or came from one address, in a
// time range, oldest first as an auditor reads it; each row answers PCI DSS 10.2.2's questions.
/* global document */
import { api, queryString } from './api.js';
import { announce, el, rangeText, showError, text, time } from './dom.js';
import { loadCounter, showPagedTable } from './paged-table.js';
import { go, href } from './router.js';
import { resolveRange, timeRange } from './time-range.js';

const PAGE_SIZE = 100;
const KINDS = { user: 'user', resource: 'resource', ip: 'source address' };

const form = document.getElementById('trail-form');
const title = document.getElementById('trail-title');
const kindSelect = document.getElementById('trail-kind');
const valueInput = document.getElementById('trail-value');
const errorBox = document.getElementById('trail-error');
const results = document.getElementById('trail-results');
const range = timeRange('trail');
form.querySelector('[data-time-range]').replaceWith(range.element);
const loads = loadCounter();

form.addEventListener('submit', (event) => {
  event.preventDefault();
  go(['trail', kindSelect.value, valueInput.value.trim()], range.params());
});

function columns(rangeParams) {
  const plain = (name) => (row) => text(row[name]);
  return [
    { label: 'When', cell: (row) => el('a', { href: href(['event', row.id]) }, time(row.when)) },
    {
      label: 'Who',
      cell: (row) => (row.who ? el('a', { href: href(['trail', 'user', row.who], rangeParams) }, text(row.who)) : ''),
    },
    { label: 'What', cell: plain('what') },
    { label: 'Outcome', cell: plain('outcome') },
    { label: 'Origin', cell: plain('origin') },
    { label: 'Resource', cell: plain('resource') },
  ];
}

/** `#/trail/<kind>/<value>?range=…`; `#/trail` alone shows the form. */
export async function show([kind, value], params) {
  const isCurrent = loads.next();
  kindSelect.value = KINDS[kind] ? kind : 'user';
  valueInput.value = value ?? '';
  range.set(params);
  showError(errorBox, '');
  results.replaceChildren();
  title.textContent = value ? `Trail of ${KINDS[kindSelect.value]} ${value}` : 'Trail';
  if (!value) return;
  let bounds;
  try {
    bounds = resolveRange(params);
  } catch (error) {
    showError(errorBox, error.message);
    return;
  }
  announce('Loading the trail…');
  const path = `/v1/trails/${encodeURIComponent(kindSelect.value)}/${encodeURIComponent(value)}`;
  try {
    await showPagedTable(results, errorBox, {
      caption: `Trail of ${KINDS[kindSelect.value]} ${value}, ${rangeText(bounds)}`,
      columns: columns(range.params()),
      noun: 'event',
      isCurrent,
      load: (cursor) => api('GET', `${path}${queryString({ ...bounds, size: PAGE_SIZE, cursor })}`),
    });
  } catch (error) {
    if (!isCurrent()) return;
    announce('The trail could not be loaded.');
    showError(errorBox, error.message);
  }
}
