// Calls to the Sentrail API with the signed-in key. The key lives in sessionStorage: it is gone
// when the tab closes, and no other site can read it. An error answer becomes an ApiError with the
// API's own message (and a query's syntax error position).
/* global fetch, sessionStorage, URLSearchParams */

const KEY = 'sentrail.apiKey';

/** { name, role } of the signed-in key, as /v1/whoami said. */
let principal;

export const session = {
  key: () => sessionStorage.getItem(KEY),
  who: () => principal,
  signIn(key, who) {
    sessionStorage.setItem(KEY, key);
    principal = who;
  },
  signOut() {
    sessionStorage.removeItem(KEY);
    principal = undefined;
  },
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `the API answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    /** Where in a query a syntax error is (0-based), when the API says. */
    this.position = body?.position;
  }
}

/** Called on a 401 (key revoked or unknown): the app signs out and says why. */
let onUnauthorized = () => undefined;
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

/** The raw response of a call; throws ApiError for any answer but 2xx. */
export async function request(method, path, body, key = session.key()) {
  const headers = { accept: 'application/json', authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (response.ok) return response;
  const error = new ApiError(response.status, await response.json().catch(() => undefined));
  if (response.status === 401 && key === session.key()) onUnauthorized(error);
  throw error;
}

/** A call answered with JSON. */
export async function api(method, path, body) {
  return (await request(method, path, body)).json();
}

/** `?name=value&…` of the params that have a value (a list repeats its name); '' when none has. */
export function queryString(params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of [value].flat()) if (item !== undefined && item !== null && item !== '') query.append(name, item);
  }
  const string = query.toString();
  return string ? `?${string}` : '';
}
