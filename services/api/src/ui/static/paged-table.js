// A listing shown a page at a time: the first page, then "More" while the API gives a cursor.
import { announce, counted, dataTable, el, showError } from './dom.js';

/**
 * Loads the first page into `container` (its error is thrown, for the view to show); later pages'
 * errors go to `errorBox`. `load(cursor)` → { total, rows, cursor? }; `noun`: what is listed, singular.
 * `isCurrent()` is false once the user moved on: a slow answer then changes nothing.
 */
export async function showPagedTable(container, errorBox, { caption, columns, noun, load, isCurrent = () => true }) {
  const first = await load(undefined);
  if (!isCurrent()) return;
  const table = dataTable(caption, columns);
  const summary = el('p', { class: 'summary' });
  const more = el('button', { type: 'button', class: 'more' }, `More ${noun}s`);
  let shown = 0;
  let cursor;
  const add = (page) => {
    table.append(page.rows);
    shown += page.rows.length;
    cursor = page.cursor;
    more.hidden = !cursor;
    summary.textContent =
      page.total === 0
        ? `No ${noun}s found.`
        : `${counted(page.total, noun)} found, ${shown} shown${cursor ? '' : ' (all)'}.`;
    announce(summary.textContent);
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const page = await load(cursor);
      if (isCurrent()) add(page);
      showError(errorBox, '');
    } catch (error) {
      showError(errorBox, error.message);
    } finally {
      more.disabled = false;
    }
  });
  add(first);
  container.replaceChildren(summary, ...(first.rows.length > 0 ? [table.element, more] : []));
}

/** A counter of a view's loads: `const isCurrent = runs.next()` is false as soon as another load starts. */
export function loadCounter() {
  let latest = 0;
  return {
    next() {
      const run = ++latest;
      return () => run === latest;
    },
  };
}
