// Where the user is, in the address's hash: `#/<view>/<parts…>?<params>`. Every screen has an
// address, so the back button, a reload and a shared link all land on the same screen.
/* global Event, location, URLSearchParams, window */
import { queryString } from './api.js';

/** The hash of a screen: href(['trail', 'user', 'alice'], { range: '24h' }) → `#/trail/user/alice?range=24h`. */
export function href(path, params = {}) {
  return `#/${path.map((part) => encodeURIComponent(part)).join('/')}${queryString(params)}`;
}

/** The screen the address names: { path: ['trail', 'user', 'alice'], params: { range: '24h' } }. */
export function current() {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?', 2);
  return {
    path: path
      .split('/')
      .filter(Boolean)
      .map((part) => decodeURIComponent(part)),
    params: Object.fromEntries(new URLSearchParams(query)),
  };
}

/** Goes to a screen; going to the one already shown shows it again (a search run twice runs twice). */
export function go(path, params = {}) {
  const target = href(path, params);
  if (location.hash === target) window.dispatchEvent(new Event('hashchange'));
  else location.hash = target;
}
