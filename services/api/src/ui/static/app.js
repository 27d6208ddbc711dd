// The web UI's entry: signing in and out, and showing the screen the address names.
/* global document, window */
import { request, session, whenUnauthorized } from './api.js';
import { announce, showError } from './dom.js';
import * as alert from './alert.js';
import * as alerts from './alerts.js';
import * as event from './event.js';
import * as exportView from './export.js';
import * as report from './report.js';
import * as search from './search.js';
import * as trail from './trail.js';
import { current, go } from './router.js';

const READERS = ['analyst', 'auditor'];
/** Each screen, with the roles that may see it (as the API's routes allow). */
const VIEWS = {
  search: { view: search, roles: READERS },
  event: { view: event, roles: READERS },
  trail: { view: trail, roles: READERS },
  alerts: { view: alerts, roles: READERS },
  alert: { view: alert, roles: READERS },
  export: { view: exportView, roles: ['auditor'] },
  report: { view: report, roles: ['auditor'] },
};
const HOME = 'search';

const nav = document.getElementById('nav');
const who = document.getElementById('who');
const whoName = document.getElementById('who-name');
const signInForm = document.getElementById('signin-form');
const signInKey = document.getElementById('signin-key');
const signInError = document.getElementById('signin-error');
const main = document.getElementById('main');

/** Shows one screen's section and moves focus to its heading, so a screen reader starts there. */
function showSection(name) {
  for (const section of main.querySelectorAll(':scope > section')) section.hidden = section.id !== `view-${name}`;
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.view === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.getElementById(`view-${name}`).querySelector('h1').focus();
}

function route() {
  const principal = session.who();
  if (!principal) {
    showSection('signin');
    return;
  }
  const { path, params } = current();
  const name = VIEWS[path[0]] ? path[0] : HOME;
  if (!VIEWS[name].roles.includes(principal.role)) {
    announce(`The role ${principal.role} cannot use ${name}.`);
    go([HOME]);
    return;
  }
  showSection(name);
  void VIEWS[name].view.show(path.slice(1), params);
}

/** Checks a key with /v1/whoami; the UI is for the roles that read the trail. */
async function signIn(key) {
  const principal = await (await request('GET', '/v1/whoami', undefined, key)).json();
  if (!READERS.includes(principal.role))
    throw new Error(`a key of role ${principal.role} cannot use the web UI: it is for analysts and auditors`);
  session.signIn(key, principal);
  whoName.textContent = `${principal.name} (${principal.role})`;
  for (const link of nav.querySelectorAll('[data-role]'))
    link.parentElement.hidden = link.dataset.role !== principal.role;
  nav.hidden = who.hidden = false;
}

/** Forgets the key; `reason`, when the API refused it, stays shown on the sign-in form. */
function signOut(message, reason = '') {
  session.signOut();
  nav.hidden = who.hidden = true;
  signInKey.value = '';
  showError(signInError, reason);
  announce(message);
  route();
}

signInForm.addEventListener('submit', async (submitted) => {
  submitted.preventDefault();
  showError(signInError, '');
  try {
    await signIn(signInKey.value.trim());
    signInKey.value = '';
    announce('Signed in.');
    route();
  } catch (error) {
    showError(signInError, error.message);
    signInKey.focus();
  }
});
document.getElementById('sign-out').addEventListener('click', () => signOut('Signed out.'));
whenUnauthorized((error) => signOut('Signed out: the API no longer accepts the key.', error.message));
// The skip link moves focus without touching the address, which names the screen.
document.querySelector('.skip-link').addEventListener('click', (click) => {
  click.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', route);

const kept = session.key();
if (kept) {
  try {
    await signIn(kept);
  } catch (error) {
    // Only a refused key is forgotten: an API out of reach for a moment is no reason to sign out.
    if (error.status === 401) session.signOut();
    showError(signInError, error.message);
  }
}
route();
