import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { escapeHtml, REPORT_STYLE_SOURCE } from '../reports/pci-dss-10/report-html.js';
import { buildPciReport, type PciReport } from '../reports/pci-dss-10/report.js';
import { startTestApi, type TestApi } from '../testing.js';
import { reportRoutes } from './reports.js';
import { SECTION_IDS } from '../reports/pci-dss-10/test-report.js';

// What each figure holds is checked in reports/pci-dss-10/report.test.ts; here, the route around it.

const FROM = '2026-11-01T00:00:00.000Z';
const TO = '2026-11-29T00:00:00.000Z';

describe('GET /v1/reports/pci-dss-10 (real Elasticsearch)', () => {
  let api: TestApi;
  const url = (query: string) => `/v1/reports/pci-dss-10?${query}`;
  const period = `from=${FROM}&to=${TO}`;

  before(async () => {
    api = await startTestApi([reportRoutes]);
  });
  after(async () => {
    await api?.close();
  });

  it('needs an auditor or admin key', async () => {
    assert.equal((await api.request(undefined, { url: url(period) })).statusCode, 401);
    const analyst = await api.request('analyst', { url: url(period) });
    assert.equal(analyst.statusCode, 403);
    assert.match(analyst.json<{ message: string }>().message, /allowed: auditor, admin/);
    assert.equal((await api.request('admin', { url: url(period) })).statusCode, 200);
  });

  it('answers the report of the period as JSON: every section in order, as the report builder makes it', async () => {
    const response = await api.request('auditor', { url: url(period) });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    const report = response.json<PciReport>();
    assert.equal(report.report, 'pci-dss-10');
    assert.deepEqual(report.range, { from: FROM, to: TO });
    assert.equal(report.index_prefix, api.prefix);
    assert.deepEqual(
      { ...report.generated_by, key_id: undefined },
      { name: 'test auditor', role: 'auditor', key_id: undefined },
    );
    assert.match(report.generated_by.key_id ?? '', /^[0-9a-f]{16}$/);
    assert.deepEqual(
      report.sections.map(({ id }) => id),
      SECTION_IDS,
    );
    const built = await buildPciReport({
      elastic: api.deps.elastic,
      prefix: api.prefix,
      retention: api.deps.config.normalizer.retention,
      range: { from: FROM, to: TO },
      generatedBy: report.generated_by,
      now: new Date(report.generated_at),
    });
    assert.deepEqual(report.sections, JSON.parse(JSON.stringify(built.sections)), 'nothing lost in serialization');
  });

  it('answers the same as a self-contained HTML page with every section, under a policy allowing its stylesheet only', async () => {
    const [json, html] = await Promise.all([
      api.request('auditor', { url: url(period) }),
      api.request('auditor', { url: url(`${period}&format=html`) }),
    ]);
    assert.equal(html.statusCode, 200, html.body);
    assert.match(String(html.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.equal(
      html.headers['content-security-policy'],
      `default-src 'none'; style-src ${REPORT_STYLE_SOURCE}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    assert.match(html.body, /^<!doctype html>/);
    for (const { id, title, evidence } of json.json<PciReport>().sections) {
      assert.ok(html.body.includes(`>${escapeHtml(id)} ${escapeHtml(title)}</h2>`), `section ${id}`);
      assert.ok(
        html.body.includes(`<strong>Evidence: ${evidence === 'not-measured' ? 'not measured by Sentrail' : evidence}.`),
      );
    }
  });

  it('is in the OpenAPI document, as JSON and as HTML', async () => {
    type Document = { paths: Record<string, { get?: { responses: Record<string, { content?: object }> } }> };
    const document = (await api.app.inject({ url: '/docs/json' })).json<Document>();
    const answers = document.paths['/v1/reports/pci-dss-10']?.get?.responses['200']?.content ?? {};
    assert.deepEqual(Object.keys(answers).sort(), ['application/json', 'text/html']);
  });

  it('refuses a missing, unreadable, inverted or too long range, or an unknown format, with a 400 naming the field', async () => {
    const cases: [string, RegExp][] = [
      [`to=${TO}`, /querystring must have required property 'from'/],
      [`from=${FROM}`, /querystring must have required property 'to'/],
      [`from=yesterday&to=${TO}`, /querystring\/from must match format "date-time"/],
      [`from=${FROM}&to=2026-11-31T25:00:00Z`, /querystring\/to must match format "date-time"/],
      [`from=${TO}&to=${FROM}`, /^querystring\/to must be later than querystring\/from$/],
      [`from=${FROM}&to=${FROM}`, /^querystring\/to must be later than querystring\/from$/],
      [`from=2025-01-01T00:00:00Z&to=${TO}`, /^querystring\/from to querystring\/to spans more than 400 days$/],
      [`${period}&format=pdf`, /querystring\/format must be equal to one of the allowed values/],
    ];
    for (const [query, message] of cases) {
      const response = await api.request('auditor', { url: url(query) });
      assert.equal(response.statusCode, 400, `${query}: ${response.body}`);
      assert.match(response.json<{ message: string }>().message, message, query);
    }
  });
});
