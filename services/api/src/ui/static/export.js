// Export (auditors): the events of a query and range as a CSV or NDJSON file, downloaded, then its
// signed manifest shown and offered for download beside the file, with the public key to check it.
/* global Blob, crypto, document, FormData, setTimeout, URL */
import { request } from './api.js';
import { announce, counted, downloadLink, el, jsonTree, showError, time } from './dom.js';
import { clearQueryError, showQueryError } from './query-error.js';
import { resolveRange, timeRange } from './time-range.js';

const PUBLIC_KEY_NAME = 'sentrail-export-public-key.pem';
const MANIFEST_ATTEMPTS = 10;

const form = document.getElementById('export-form');
const queryInput = document.getElementById('export-query');
const errorBox = document.getElementById('export-error');
const result = document.getElementById('export-result');
const range = timeRange('export');
form.querySelector('[data-time-range]').replaceWith(range.element);

/** The file name the API gives in content-disposition, else one made from the export's id. */
function filename(response, id, format) {
  const given = /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') ?? '');
  return given?.[1] ?? `sentrail-export-${id}.${format}`;
}

/** Hex SHA-256 of a blob; undefined where the browser offers no Web Crypto (a page not served over HTTPS). */
async function sha256(blob) {
  if (!crypto.subtle) return undefined;
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The signed manifest. The API stores it before the file's last byte, so it is there once the
 * download is; a "still running" answer (202) is retried briefly all the same.
 */
async function readManifest(id) {
  for (let attempt = 1; ; attempt++) {
    const response = await request('GET', `/v1/exports/${encodeURIComponent(id)}/manifest`);
    if (response.status === 200) {
      const manifestBlob = await response.blob();
      return { manifest: JSON.parse(await manifestBlob.text()), manifestBlob };
    }
    if (attempt === MANIFEST_ATTEMPTS) throw new Error(`the manifest of export ${id} is not ready: fetch it later`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function manifestSummary(manifest, fileName, digest) {
  const check =
    digest === undefined
      ? 'not checked here (this browser offers no SHA-256 on a page served over plain HTTP)'
      : digest === manifest.sha256
        ? 'matches the manifest'
        : 'DOES NOT match the manifest: the download was damaged; export again';
  return el(
    'dl',
    { class: 'summary-list' },
    [
      ['File', fileName],
      ['Rows', String(manifest.rows)],
      ['Query', manifest.query || '(every event)'],
      ['From', time(manifest.range.from)],
      ['To', time(manifest.range.to)],
      ['Completed', time(manifest.completed_at)],
      ['SHA-256', el('code', {}, manifest.sha256)],
      ['Downloaded file', check],
    ].map(([label, value]) => [el('dt', {}, label), el('dd', {}, value)]),
  );
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearQueryError(errorBox, queryInput);
  // The last export's files are let go: a blob lives as long as a link to it does.
  for (const link of result.querySelectorAll('a[download]')) URL.revokeObjectURL(link.href);
  result.replaceChildren();
  let bounds;
  try {
    bounds = resolveRange(range.params());
  } catch (error) {
    showError(errorBox, error.message);
    return;
  }
  const format = new FormData(form).get('format');
  const submit = form.querySelector('button[type=submit]');
  submit.disabled = true;
  announce('Exporting…');
  try {
    const response = await request('POST', '/v1/exports', { query: queryInput.value.trim(), ...bounds, format });
    const id = response.headers.get('x-sentrail-export-id');
    const file = await response.blob();
    const fileName = filename(response, id, format);
    const fileLink = downloadLink('Download the file again', file, fileName);
    fileLink.click();
    const { manifest, manifestBlob } = await readManifest(id);
    const { pem } = await (await request('GET', '/v1/exports/public-key')).json();
    const publicKey = new Blob([pem], { type: 'application/x-pem-file' });
    const manifestName = `sentrail-export-${id}.manifest.json`;
    result.replaceChildren(
      el('h2', {}, 'Exported'),
      manifestSummary(manifest, fileName, await sha256(file)),
      el(
        'p',
        { class: 'row' },
        fileLink,
        downloadLink('Download the manifest', manifestBlob, manifestName),
        downloadLink('Download the public key', publicKey, PUBLIC_KEY_NAME),
      ),
      el(
        'p',
        { class: 'help' },
        'To prove the file complete and unchanged, keep the three together and run ',
        el('code', {}, `./sentrail verify-export ${fileName} ${manifestName} --public-key ${PUBLIC_KEY_NAME}`),
        '.',
      ),
      el('details', {}, el('summary', {}, 'Manifest'), jsonTree(manifest)),
    );
    announce(`Exported ${counted(manifest.rows, 'event')} to ${fileName}; the manifest is below.`);
  } catch (error) {
    announce('The export failed.');
    showQueryError(errorBox, queryInput, error);
  } finally {
    submit.disabled = false;
  }
});

/** `#/export`: the form; an export is an action, not a place, so a reload never runs one again. */
export function show() {}
