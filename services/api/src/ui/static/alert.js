// One alert: what it is about, its history (who acknowledged or closed it, when, why) and the
// events it was raised on.
/* global document */
import { api } from './api.js';
import { announce, dataTable, el, showError, text, time } from './dom.js';
import { alertActions } from './alert-actions.js';
import { entity, lastSeen, severity } from './alert-fields.js';
import { eventColumns } from './event-columns.js';
import { loadCounter } from './paged-table.js';

const title = document.getElementById('alert-title');
const errorBox = document.getElementById('alert-error');
const body = document.getElementById('alert-body');
const loads = loadCounter();

const FIELDS = [
  ['Severity', severity],
  ['Status', (alert) => alert.status],
  ['Entity', entity],
  ['Count', (alert) => text(alert.count)],
  ['First seen', (alert) => time(alert.first_seen)],
  ['Last seen', lastSeen],
  ['Assignee', (alert) => text(alert.assignee)],
  ['PCI DSS', (alert) => text(alert.pci_dss?.requirements)],
  ['Rule id', (alert) => alert.rule.id],
  ['Alert id', (alert) => alert.alert.id],
];

function history(alert) {
  return el(
    'ol',
    { class: 'history' },
    alert.status_history.map((change) =>
      el(
        'li',
        {},
        time(change.at),
        ` ${change.status} by ${change.by}`,
        change.assignee ? `, assigned to ${change.assignee}` : '',
        change.note ? el('q', {}, change.note) : '',
      ),
    ),
  );
}

/** `#/alert/<id>` */
export async function show([id]) {
  const isCurrent = loads.next();
  body.replaceChildren();
  showError(errorBox, '');
  title.textContent = 'Alert';
  if (!id) return showError(errorBox, 'No alert named: open one from the alert queue.');
  announce('Loading the alert…');
  let found;
  try {
    found = await api('GET', `/v1/alerts/${encodeURIComponent(id)}`);
  } catch (error) {
    if (isCurrent()) showError(errorBox, error.message);
    return;
  }
  if (!isCurrent()) return;
  const { alert, evidence } = found;
  const evidenceTable = dataTable('Events the alert was raised on', eventColumns());
  evidenceTable.append(evidence);
  title.textContent = `Alert: ${alert.rule.name}`;
  const changed = () => show([id]).then(() => title.focus());
  body.replaceChildren(
    el(
      'dl',
      { class: 'summary-list' },
      FIELDS.map(([label, value]) => [el('dt', {}, label), el('dd', {}, value(alert))]),
    ),
    el(
      'div',
      { class: 'actions' },
      alertActions(alert, changed, (message) => showError(errorBox, message)),
    ),
    el('h2', {}, 'History'),
    history(alert),
    el('h2', {}, 'Evidence'),
    evidence.length > 0 ? evidenceTable.element : el('p', {}, 'No evidence events were recorded.'),
  );
  announce(`Alert ${alert.rule.name} loaded.`);
}
