// The alert queue: the alerts of one status (open unless asked), newest activity first, with what
// an analyst can do about each.
/* global document */
import { api, queryString } from './api.js';
import { announce, el, showError, text } from './dom.js';
import { alertActions } from './alert-actions.js';
import { entity, lastSeen, ruleLink, severity } from './alert-fields.js';
import { loadCounter, showPagedTable } from './paged-table.js';
import { current, go } from './router.js';

const PAGE_SIZE = 50;
const STATUSES = ['open', 'acknowledged', 'closed'];
const DEFAULT_STATUS = 'open';

const title = document.getElementById('alerts-title');
const form = document.getElementById('alerts-form');
const statusSelect = document.getElementById('alerts-status');
const errorBox = document.getElementById('alerts-error');
const results = document.getElementById('alerts-results');
const loads = loadCounter();

form.addEventListener('submit', (event) => {
  event.preventDefault();
  go(['alerts'], { status: statusSelect.value });
});

/** After a change the queue is read again: the alert may have left this status's list. */
function reload() {
  const { params } = current();
  return show([], params).then(() => (results.querySelector('[role=region]') ?? title).focus());
}

const COLUMNS = [
  { label: 'Severity', cell: severity },
  { label: 'Rule', cell: ruleLink },
  { label: 'Entity', cell: entity },
  { label: 'Count', cell: (alert) => text(alert.count) },
  { label: 'Last seen', cell: lastSeen },
  { label: 'Status', cell: (alert) => alert.status },
  {
    label: 'Actions',
    cell: (alert) =>
      el(
        'div',
        { class: 'actions' },
        alertActions(alert, reload, (message) => showError(errorBox, message)),
      ),
  },
];

/** `#/alerts?status=open` */
export async function show(_path, params) {
  const isCurrent = loads.next();
  const status = STATUSES.includes(params.status) ? params.status : DEFAULT_STATUS;
  statusSelect.value = status;
  showError(errorBox, '');
  announce('Loading alerts…');
  try {
    await showPagedTable(results, errorBox, {
      caption: `${status[0].toUpperCase()}${status.slice(1)} alerts, newest activity first`,
      columns: COLUMNS,
      noun: `${status} alert`,
      isCurrent,
      load: async (cursor) => {
        const page = await api('GET', `/v1/alerts${queryString({ status, size: PAGE_SIZE, cursor })}`);
        return { total: page.total, rows: page.alerts, cursor: page.cursor };
      },
    });
  } catch (error) {
    if (!isCurrent()) return;
    results.replaceChildren();
    showError(errorBox, error.message);
  }
}
