// Acknowledging and closing an alert (analysts): each asks for a note in a dialog (required to
// close: the reason is what the next reader needs), then tells the API.
/* global document */
import { api, session } from './api.js';
import { announce, el } from './dom.js';

const dialog = document.getElementById('note-dialog');
const dialogTitle = document.getElementById('note-title');
const noteLabel = document.getElementById('note-label');
const note = document.getElementById('note-text');
const confirm = document.getElementById('note-confirm');

/** The note the user gives, or undefined when they cancel. */
function askNote({ title, label, action, required }) {
  dialogTitle.textContent = title;
  noteLabel.textContent = label;
  confirm.textContent = action;
  note.value = '';
  note.required = required;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm' ? note.value.trim() : undefined), {
      once: true,
    });
  });
}

const ACTIONS = [
  {
    action: 'acknowledge',
    label: 'Acknowledge',
    done: 'acknowledged',
    allowed: (alert) => alert.status === 'open',
    note: { label: 'Note (optional)', required: false },
  },
  {
    action: 'close',
    label: 'Close',
    done: 'closed',
    allowed: (alert) => alert.status !== 'closed',
    note: { label: 'Why is it closed? (required)', required: true },
  },
];

/**
 * The buttons of what the signed-in user may do with an alert now (none for auditors);
 * `changed(alert)` (may be async) is given the alert as the API returns it after a change.
 */
export function alertActions(alert, changed, onError) {
  if (session.who()?.role !== 'analyst') return [];
  const name = `${alert.rule.name} on ${alert.entity.value}`;
  return ACTIONS.filter(({ allowed }) => allowed(alert)).map(({ action, label, done, note: noteOptions }) =>
    el(
      'button',
      {
        type: 'button',
        'aria-label': `${label}: ${name}`,
        onclick: async () => {
          const given = await askNote({ title: `${label} alert: ${name}`, action: label, ...noteOptions });
          if (given === undefined) return;
          try {
            const updated = await api('POST', `/v1/alerts/${encodeURIComponent(alert.alert.id)}/${action}`, {
              ...(given ? { note: given } : {}),
            });
            await changed(updated);
            announce(`Alert ${name} ${done}.`);
          } catch (error) {
            onError(error.message);
          }
        },
      },
      label,
    ),
  );
}
