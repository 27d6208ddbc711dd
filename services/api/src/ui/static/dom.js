// Building the page: elements made with text only (never HTML from data, so nothing a log line
// holds can run), the status line screen readers announce, and the formats every view shares.
/* global document, URL */

/**
 * An element: `attributes` become attributes (a `false`/undefined one is left out; `on<event>` adds
 * a listener), `children` strings become text.
 */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false || value === null) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.flat(Infinity).filter((child) => child !== undefined && child !== null));
  return element;
}

/** Says `message` in the status line (aria-live): what just happened, for every user. */
export function announce(message) {
  document.getElementById('status').textContent = message;
}

/** Shows an error in `box` (role=alert, so it is read out at once); an empty message hides it. */
export function showError(box, message) {
  box.replaceChildren(...(message ? [message] : []));
  box.hidden = !message;
}

/** An ISO time as `YYYY-MM-DD HH:MM:SS`, in UTC as everywhere in Sentrail; what is not a time, as it is. */
export function timeText(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toISOString().replace('T', ' ').slice(0, 19);
}

/** timeText in a <time> element. */
export function time(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : el('time', { datetime: date.toISOString() }, timeText(iso));
}

/** `from … to … UTC`, for a caption. */
export const rangeText = ({ from, to }) => `${timeText(from)} to ${timeText(to)} UTC`;

/** `1 event`, `2 events`: `noun` is the singular, made plural with an s. */
export const counted = (count, noun) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** A value at a dotted path of a document ('user.name'), or undefined. */
export function field(document, path) {
  return path.split('.').reduce((value, key) => (value == null ? undefined : value[key]), document);
}

/** Text for a cell: lists joined, objects as JSON, nothing as an empty string. */
export function text(value) {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(text).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * A table whose body can grow ("more" appends rows). `columns`: [{ label, cell(row) → node or text }].
 * It scrolls sideways on its own at narrow widths; it can take focus so that works by keyboard too.
 */
export function dataTable(caption, columns) {
  const body = el('tbody');
  const table = el(
    'table',
    {},
    el('caption', {}, caption),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        columns.map(({ label }) => el('th', { scope: 'col' }, label)),
      ),
    ),
    body,
  );
  return {
    element: el('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': caption }, table),
    append(rows) {
      for (const row of rows)
        body.append(
          el(
            'tr',
            {},
            columns.map(({ cell }) => el('td', {}, cell(row) ?? '')),
          ),
        );
    },
  };
}

/** A document as a tree of nested lists: keys in order, strings quoted, so its shape reads at a glance. */
export function jsonTree(value) {
  if (value === null || typeof value !== 'object') {
    const kind = value === null ? 'null' : typeof value;
    return el('span', { class: `value ${kind}` }, kind === 'string' ? JSON.stringify(value) : String(value));
  }
  const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item]) : Object.entries(value);
  if (entries.length === 0) return el('span', { class: 'value' }, Array.isArray(value) ? '[]' : '{}');
  return el(
    'ul',
    { class: 'tree' },
    entries.map(([key, item]) => el('li', {}, el('span', { class: 'key' }, key), ' ', jsonTree(item))),
  );
}

/** A link that downloads `blob` as `filename`. */
export function downloadLink(label, blob, filename) {
  return el('a', { href: URL.createObjectURL(blob), download: filename, class: 'button' }, label);
}
