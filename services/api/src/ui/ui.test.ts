// The web UI in a real browser (Debian's Chromium, driven by playwright-core; nothing downloads a
// browser) against the real API on a socket, on the real Elasticsearch and Kafka.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Alert } from '@sentrail/lib/alerts/alert';
import { AlertStore } from '@sentrail/lib/alerts/alert-store';
import { detection } from '@sentrail/lib/alerts/testing';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { eventsIndexName } from '@sentrail/lib/elastic';
import { uniqueName } from '@sentrail/lib/testing';
import { ROLES, type Role } from '../auth/roles.js';
import { runVerifyExport } from '../exports/verify-command.js';
import { alertRoutes } from '../routes/alerts.js';
import { exportRoutes } from '../routes/exports.js';
import { reportRoutes } from '../routes/reports.js';
import { searchRoutes } from '../routes/search.js';
import { trailRoutes } from '../routes/trails.js';
import { uiRoutes } from '../routes/ui.js';
import { startTestApi, type TestApi } from '../testing.js';
import { SECTION_IDS } from '../reports/pci-dss-10/test-report.js';

const CHROMIUM = '/usr/bin/chromium';
const TIMEOUT_MS = 10_000;

/** Runs `sentrail verify-export` in process: its exit status and what it wrote. */
async function verifyExport(args: string[]): Promise<{ status: number; output: string }> {
  let output = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  const status = await runVerifyExport(args, { stdout: sink, stderr: sink, env: {} });
  return { status, output };
}

describe('web UI in Chromium (real API, Elasticsearch and Kafka)', () => {
  let api: TestApi;
  let browser: Browser;
  let base: string;
  let folder: string;
  /** Every page's uncaught errors and console errors (a CSP refusal is one): none is expected. */
  const problems: string[] = [];
  const user = uniqueName('alice');
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
  const login: EcsDocument = {
    '@timestamp': minutesAgo(30),
    event: {
      id: uniqueName('evt'),
      kind: 'event',
      category: ['authentication'],
      action: 'ConsoleLogin',
      outcome: 'failure',
      dataset: 'aws.cloudtrail',
      module: 'aws',
    },
    user: { name: user },
    source: { ip: '203.0.113.7' },
    resource: { type: 'AWS::IAM::User', name: user },
  };

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
    folder = mkdtempSync(join(tmpdir(), 'sentrail-ui-'));
    api = await startTestApi([uiRoutes, searchRoutes, trailRoutes, alertRoutes, exportRoutes, reportRoutes], {
      SENTRAIL_API__SIGNING_KEY_FILE: join(folder, 'export-signing-key.pem'),
    });
    base = await api.app.listen({ port: 0, host: '127.0.0.1' });
    // Made together: each waits for an index refresh, which one after the other adds up.
    await Promise.all(ROLES.map((role) => api.keyFor(role)));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    await api.deps.elastic.index({
      index: eventsIndexName(api.prefix, login['@timestamp']),
      id: login.event.id,
      document: login,
      refresh: true,
    });
  });
  after(async () => {
    await browser?.close();
    await api?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
    assert.deepEqual(problems, [], 'the pages logged errors');
  });

  /** The UI in a new browser tab of its own (its own sessionStorage), its problems recorded as `name`'s. */
  async function openUi(name: string): Promise<Page> {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
    page.on('console', (message) => {
      // An error answer the UI shows itself (a 401, a syntax error's 400) is no problem of the page.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource: the server responded'))
        problems.push(`${name}: ${message.text()}`);
    });
    await page.goto(base);
    return page;
  }

  /** The UI signed in with a key of the role. */
  async function signedIn(role: Role): Promise<Page> {
    const page = await openUi(role);
    await page.getByLabel('API key').fill(await api.keyFor(role));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`test ${role} (${role})`).waitFor();
    return page;
  }

  it('serves its files without a key, and /v1/whoami to any key only', async () => {
    const page = await api.app.inject({ url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.equal((await api.app.inject({ url: '/app.js' })).statusCode, 200);
    assert.equal((await api.app.inject({ url: '/no-such-file.js' })).statusCode, 404);
    assert.equal((await api.request(undefined, { url: '/v1/whoami' })).statusCode, 401);
    for (const role of ROLES) {
      const who = await api.request(role, { url: '/v1/whoami' });
      assert.equal(who.statusCode, 200);
      assert.deepEqual(who.json(), { name: `test ${role}`, role });
    }
  });

  it('refuses a wrong key and a role the UI is not for, keeps a key for the tab, signs out, and out when revoked', async () => {
    const page = await openUi('sign-in');
    const key = page.getByLabel('API key');
    const refusal = page.locator('#signin-error');
    await key.fill(`stk_0123456789abcdef_${'x'.repeat(43)}`);
    await key.press('Enter');
    await refusal.getByText('the API key is unknown or revoked').waitFor();
    await key.fill(await api.keyFor('admin'));
    await key.press('Enter');
    await refusal.getByText('a key of role admin cannot use the web UI').waitFor();

    const shortLived = await api.deps.keys.create('analyst', 'short-lived', 'test');
    await key.fill(shortLived.key);
    await key.press('Enter');
    await page.getByRole('heading', { name: 'Search events' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Export' }).isVisible(), false, 'export is for auditors');
    assert.equal(await page.getByRole('link', { name: 'PCI DSS 10 report' }).isVisible(), false, 'so is the report');
    await page.reload();
    await page.getByRole('heading', { name: 'Search events' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate('sessionStorage.length'), 0, 'the key is forgotten');

    await key.fill(shortLived.key);
    await key.press('Enter');
    await api.deps.keys.revoke(shortLived.info.id, 'test');
    await page.getByRole('link', { name: 'Alerts' }).click();
    await refusal.getByText('the API key is unknown or revoked').waitFor();
    assert.equal(await page.evaluate('sessionStorage.length'), 0, 'the revoked key is forgotten');
    await page.context().close();
  });

  it('finds a seeded event, opens it in full, and follows its user to the trail', async () => {
    const page = await signedIn('analyst');
    const view = page.locator('#view-search');
    await view.getByLabel('Query').fill(`user.name:${user}`);
    await view.getByLabel('Period').selectOption('24h');
    await view.getByRole('button', { name: 'Search' }).click();
    const row = view.getByRole('row').filter({ hasText: user });
    await row.waitFor();
    assert.deepEqual((await row.getByRole('cell').allInnerTexts()).slice(1), [
      'aws.cloudtrail',
      'ConsoleLogin',
      user,
      'failure',
      '203.0.113.7',
      user,
    ]);
    assert.match(await page.getByRole('status').innerText(), /^1 event found, 1 shown/);

    await row.getByRole('link').first().click();
    const event = page.locator('#view-event');
    await event.getByRole('heading', { name: `Event ${login.event.id}` }).waitFor();
    await event.getByText('"authentication"', { exact: true }).waitFor();
    assert.match(await event.innerText(), /Outcome\s+failure/);

    await page.goBack();
    await row.getByRole('link', { name: user }).click();
    await page.getByRole('heading', { name: `Trail of user ${user}` }).waitFor();
    await page.locator('#view-trail').getByRole('row').filter({ hasText: 'ConsoleLogin' }).waitFor();
    await page.context().close();
  });

  it('shows where a query is wrong, with a caret under the position the API names', async () => {
    const query = 'event.outcome:failure AND (user.name:alice';
    const refused = await api.request('analyst', {
      method: 'POST',
      url: '/v1/search',
      payload: { query, from: minutesAgo(60), to: minutesAgo(0) },
    });
    assert.equal(refused.statusCode, 400);
    const { message, position } = refused.json<{ message: string; position: number }>();

    const page = await signedIn('analyst');
    const view = page.locator('#view-search');
    await view.getByLabel('Query').fill(query);
    await view.getByLabel('Query').press('Enter');
    const error = view.getByRole('alert');
    await error.getByText(message).waitFor();
    assert.equal(await error.locator('pre').innerText(), `${query}\n${' '.repeat(position)}^`);
    assert.equal(await view.getByLabel('Query').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate('document.activeElement.selectionStart'), position, 'the cursor is at the fault');
    await page.context().close();
  });

  it('acknowledges an alert from the queue; another reader sees it acknowledged', async () => {
    const id = uniqueName('alert');
    const store = new AlertStore({ client: api.deps.elastic, prefix: api.prefix, suppressionMinutes: 60 });
    await store.raise(
      detection(id, { entity: { type: 'user', value: user }, first_seen: minutesAgo(5), last_seen: minutesAgo(5) }),
    );
    await api.deps.elastic.indices.refresh({ index: `${api.prefix}-alerts` });

    const page = await signedIn('analyst');
    await page.getByRole('link', { name: 'Alerts' }).click();
    const row = page.getByRole('row').filter({ hasText: user });
    await row.getByText('AWS root account console login').waitFor();
    assert.match(await row.innerText(), /high/i);
    await row.getByRole('button', { name: /^Acknowledge/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Note (optional)').fill('looking into it');
    await dialog.getByRole('button', { name: 'Acknowledge' }).click();
    await page
      .getByRole('status')
      .getByText(/acknowledged\.$/)
      .waitFor();
    assert.equal(await row.count(), 0, 'no longer in the open queue');

    const read = await api.request('auditor', { url: `/v1/alerts/${id}` });
    const { alert } = read.json<{ alert: Alert }>();
    assert.equal(alert.status, 'acknowledged');
    assert.deepEqual(
      alert.status_history.map(({ status, by, note }) => ({ status, by, note })),
      [
        { status: 'open', by: 'sentrail', note: undefined },
        { status: 'acknowledged', by: 'test analyst', note: 'looking into it' },
      ],
    );

    await page.getByLabel('Status').selectOption('acknowledged');
    await page.getByRole('button', { name: 'Show' }).click();
    await page
      .getByRole('row')
      .filter({ hasText: user })
      .getByRole('button', { name: /^Close/ })
      .click();
    await dialog.getByRole('button', { name: 'Close' }).click();
    assert.equal(await dialog.isVisible(), true, 'closing without a note is refused');
    await dialog.getByLabel(/Why is it closed/).fill('root login was the break-glass drill');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page
      .getByRole('status')
      .getByText(/closed\.$/)
      .waitFor();
    assert.equal((await store.get(id)).status, 'closed');
    await page.context().close();
  });

  it('exports as an auditor: the file downloads, verify-export accepts it and refuses a tampered copy', async () => {
    const page = await signedIn('auditor');
    await page.getByRole('link', { name: 'Export' }).click();
    const view = page.locator('#view-export');
    await view.getByLabel('NDJSON').check();
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      view.getByRole('button', { name: 'Export' }).click(),
    ]);
    const saved = async (download: typeof file) => {
      const path = join(folder, download.suggestedFilename());
      await download.saveAs(path);
      return path;
    };
    const filePath = await saved(file);
    assert.match(filePath, /sentrail-export-[0-9a-f-]+\.ndjson$/);
    assert.ok(readFileSync(filePath, 'utf8').includes(login.event.id), 'the seeded event is exported');
    await page
      .getByRole('status')
      .getByText(/^Exported 1 event to/)
      .waitFor();
    assert.match(await view.innerText(), /SHA-256[\s\S]*matches the manifest/);

    const download = async (name: string) =>
      saved((await Promise.all([page.waitForEvent('download'), view.getByRole('link', { name }).click()]))[0]);
    const manifestPath = await download('Download the manifest');
    const keyPath = await download('Download the public key');
    const accepted = await verifyExport([filePath, manifestPath, '--public-key', keyPath]);
    assert.equal(accepted.status, 0, accepted.output);

    const tampered = join(folder, 'tampered.ndjson');
    writeFileSync(tampered, readFileSync(filePath, 'utf8').replace('ConsoleLogin', 'ConsoleLogout'));
    const refused = await verifyExport([tampered, manifestPath, '--public-key', keyPath]);
    assert.equal(refused.status, 1, refused.output);
    assert.match(refused.output, /SHA-256 differs/);
    await page.context().close();
  });

  it('opens the PCI DSS 10 report of a period in a new tab, with its own stylesheet, as an auditor', async () => {
    const page = await signedIn('auditor');
    await page.getByRole('link', { name: 'PCI DSS 10 report' }).click();
    const view = page.locator('#view-report');
    assert.equal(await view.getByLabel('Period').inputValue(), '30d');
    const [tab] = await Promise.all([
      page.waitForEvent('popup'),
      view.getByRole('button', { name: 'Open the report' }).click(),
    ]);
    tab.on('console', (message) => {
      if (message.type() === 'error') problems.push(`report tab: ${message.text()}`);
    });
    await tab.waitForURL(/^blob:/);
    await tab.getByRole('heading', { level: 1, name: 'PCI DSS v4.0 requirement 10: audit log evidence' }).waitFor();
    const headings = await tab.getByRole('heading', { level: 2 }).allInnerTexts();
    assert.deepEqual(
      headings.map((heading) => heading.split(' ')[0]),
      SECTION_IDS,
    );
    // The page inherits the UI's Content-Security-Policy, which must let its stylesheet apply.
    assert.equal(await tab.evaluate("getComputedStyle(document.querySelector('.verdict')).borderLeftStyle"), 'solid');
    await page.getByRole('status').getByText('The report is open in a new tab.').waitFor();
    assert.match(
      (await view.getByRole('link', { name: 'Download the report (HTML)' }).getAttribute('download')) ?? '',
      /^sentrail-pci-dss-10-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.html$/,
    );
    await page.context().close();
  });
});
