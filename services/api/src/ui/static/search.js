// Search: a query and a time range in, the matching events out, newest first, a page at a time.
/* global document */
import { api } from './api.js';
import { announce, rangeText, showError } from './dom.js';
import { eventColumns } from './event-columns.js';
import { loadCounter, showPagedTable } from './paged-table.js';
import { clearQueryError, showQueryError } from './query-error.js';
import { go } from './router.js';
import { resolveRange, timeRange } from './time-range.js';

const PAGE_SIZE = 100;

const form = document.getElementById('search-form');
const queryInput = document.getElementById('search-query');
const errorBox = document.getElementById('search-error');
const results = document.getElementById('search-results');
const range = timeRange('search');
form.querySelector('[data-time-range]').replaceWith(range.element);
const loads = loadCounter();

form.addEventListener('submit', (event) => {
  event.preventDefault();
  go(['search'], { query: queryInput.value.trim(), ...range.params() });
});

/** `#/search?query=…&range=…`: the form filled from the address, and the search run once it names a range. */
export async function show(_path, params) {
  const isCurrent = loads.next();
  queryInput.value = params.query ?? '';
  range.set(params);
  clearQueryError(errorBox, queryInput);
  results.replaceChildren();
  if (!params.range) return;
  let bounds;
  try {
    bounds = resolveRange(params);
  } catch (error) {
    showError(errorBox, error.message);
    return;
  }
  const query = params.query ?? '';
  announce('Searching…');
  try {
    await showPagedTable(results, errorBox, {
      caption: `Events${query ? ` matching ${query}` : ''}, ${rangeText(bounds)}`,
      columns: eventColumns(range.params()),
      noun: 'event',
      isCurrent,
      load: async (cursor) => {
        const page = await api('POST', '/v1/search', { query, ...bounds, size: PAGE_SIZE, cursor });
        return { total: page.total, rows: page.hits, cursor: page.cursor };
      },
    });
  } catch (error) {
    if (!isCurrent()) return;
    announce('The search failed.');
    showQueryError(errorBox, queryInput, error);
  }
}
