// One event: the fields that answer PCI DSS 10.2.2 (who, what, when, outcome, origin, resource)
// first, then the whole document as a tree, and the original record the source sent.
/* global document */
import { api } from './api.js';
import { announce, el, field, jsonTree, showError, text, time } from './dom.js';
import { loadCounter } from './paged-table.js';
import { href } from './router.js';

const title = document.getElementById('event-title');
const errorBox = document.getElementById('event-error');
const body = document.getElementById('event-body');
const loads = loadCounter();

const SUMMARY = [
  ['When', (doc) => time(doc['@timestamp'])],
  [
    'Who',
    (doc) => {
      const name = field(doc, 'user.name');
      return name ? el('a', { href: href(['trail', 'user', name], dayAround(doc['@timestamp'])) }, name) : '';
    },
  ],
  ['What', (doc) => text(field(doc, 'event.action'))],
  ['Outcome', (doc) => text(field(doc, 'event.outcome'))],
  ['Origin', (doc) => text(field(doc, 'source.ip') ?? field(doc, 'source.address'))],
  ['Resource', (doc) => text(field(doc, 'resource.name') ?? field(doc, 'resource.id'))],
  ['Dataset', (doc) => text(field(doc, 'event.dataset'))],
  ['PCI DSS', (doc) => text(field(doc, 'pci_dss.requirements'))],
];

/** The range of a day either side of a time: a user's trail around an event. */
function dayAround(iso) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return {};
  const day = 86_400_000;
  return { range: 'custom', from: new Date(at - day).toISOString(), to: new Date(at + day).toISOString() };
}

/** The original record as a tree when it is JSON, else as it came. */
function original(raw) {
  try {
    return jsonTree(JSON.parse(raw));
  } catch {
    return el('pre', {}, raw);
  }
}

/** `#/event/<id>` */
export async function show([id]) {
  const isCurrent = loads.next();
  title.textContent = `Event ${id ?? ''}`;
  body.replaceChildren();
  showError(errorBox, '');
  if (!id) return showError(errorBox, 'No event named: open one from a search or a trail.');
  announce('Loading the event…');
  let found;
  try {
    found = await api('GET', `/v1/events/${encodeURIComponent(id)}`);
  } catch (error) {
    if (isCurrent()) showError(errorBox, error.message);
    return;
  }
  if (!isCurrent()) return;
  const doc = found.document;
  const raw = field(doc, 'event.original');
  body.replaceChildren(
    el(
      'dl',
      { class: 'summary-list' },
      SUMMARY.map(([label, value]) => [el('dt', {}, label), el('dd', {}, value(doc))]),
    ),
    el('h2', {}, 'Document'),
    jsonTree(doc),
    el('details', {}, el('summary', {}, 'As JSON'), el('pre', { class: 'json' }, JSON.stringify(doc, null, 2))),
    ...(typeof raw === 'string' ? [el('h2', {}, 'Original record'), original(raw)] : []),
  );
  announce(`Event ${id} loaded.`);
}
