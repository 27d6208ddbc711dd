import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { escapeHtml, renderReportHtml, REPORT_STYLE_SOURCE } from './report-html.js';
import { countBody, HOSTILE, TEST_SECTIONS, testReport } from './test-report.js';

// How the page looks is checked in a browser by report-pdf.test.ts; here, what it holds.

describe('the PCI DSS 10 report as HTML', () => {
  const report = testReport();
  const html = renderReportHtml(report);
  /** Each <section>'s markup, in order. */
  const sections = html.split('<section ').slice(1);

  it('is one self-contained page: its own stylesheet, no script, nothing loaded from elsewhere', () => {
    assert.match(html, /^<!doctype html>\n<html lang="en">/);
    assert.equal(html.match(/<style>/g)?.length, 1);
    assert.doesNotMatch(html, /<script|<link|<img|<iframe| src=|url\(|@import/i);
    assert.deepEqual(
      [...html.matchAll(/href="([^"]*)"/g)].map(([, target]) => target!.startsWith('#')),
      report.sections.map(() => true),
      'the only links are to its own sections',
    );
  });

  it('escapes every value: what an event holds stays text', () => {
    assert.equal(html.includes(HOSTILE), false);
    assert.ok(html.includes(escapeHtml(HOSTILE)));
    assert.equal(escapeHtml(`<a href="x" title='y'>&`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;');
  });

  it('has a cover with the period, when and by whom, and every verdict', () => {
    const cover = html.slice(html.indexOf('<header>'), html.indexOf('</header>'));
    assert.ok(cover.includes('<time datetime="2026-11-01T00:00:00.000Z">'));
    assert.ok(cover.includes('<time datetime="2026-11-29T00:00:00.000Z">'));
    assert.ok(cover.includes('<time datetime="2026-11-29T03:00:00.000Z">'));
    assert.ok(cover.includes(`auditor ${escapeHtml(HOSTILE)} (role auditor, API key 0123456789abcdef)`));
    assert.ok(cover.includes('Evidence by sub-requirement: 5 sufficient, 5 insufficient, 4 not measured by Sentrail'));
    const rows = [
      ...cover.matchAll(/<tr><th scope="row"><a href="#([^"]+)">([^<]+)<\/a><\/th><td>[^<]*<\/td><td[^>]*>([^<]+)</g),
    ];
    assert.deepEqual(
      rows.map(([, target, id, verdict]) => [target, id, verdict]),
      report.sections.map(({ id, evidence }) => [
        `section-${id.replaceAll('.', '-')}`,
        id,
        evidence === 'not-measured' ? 'not measured by Sentrail' : evidence,
      ]),
    );
  });

  it('has a section per sub-requirement, in order, each starting a printed page', () => {
    assert.deepEqual(
      sections.map((markup) => /<h2 id="[^"]+">([^<]+)<\/h2>/.exec(markup)?.[1]),
      TEST_SECTIONS.map(([id, title]) => `${id} ${title}`),
    );
    assert.match(html, /@media print \{\n( {2}.*\n)* {2}section \{ break-before: page; \}\n/);
  });

  it('says each verdict in words, with why', () => {
    for (const [at, markup] of sections.entries()) {
      const { evidence, why } = report.sections[at]!;
      const words = evidence === 'not-measured' ? 'not measured by Sentrail' : evidence;
      assert.ok(markup.includes(`<strong>Evidence: ${words}.</strong> ${why}`), markup);
    }
  });

  it('shows each figure with what reproduces it (a request body broken into lines only where too long), and each table with its rows', () => {
    const first = sections[0]!;
    const request = [
      'POST /test-events/_count',
      '{',
      '  "query": {',
      '    "bool": {',
      '      "filter": [',
      '        {',
      '          "range": {',
      '            "@timestamp": {"gte": "2026-11-01T00:00:00.000Z", "lt": "2026-11-29T00:00:00.000Z"}',
      '          }',
      '        },',
      '        {"term": {"pci_dss.requirements": "10.2.1.1"}}',
      '      ]',
      '    }',
      '  }',
      '}',
    ].join('\n');
    assert.ok(
      first.includes(
        '<dt>Events tagged 10.2.1.1</dt><dd><span class="value">1000</span> events' +
          `<p class="how">Elasticsearch request:</p><pre>${escapeHtml(request)}</pre>`,
      ),
      first,
    );
    assert.deepEqual(
      JSON.parse(request.slice(request.indexOf('\n'))),
      countBody('10.2.1.1'),
      'the body is the JSON sent',
    );
    assert.ok(first.includes('no value: not held by Sentrail'));
    assert.ok(first.includes('<pre>sum(increase(sentrail_normalizer_duplicates_total[30d]))</pre>'));
    assert.ok(first.includes('From the configuration:</p><pre>normalizer.retention.days</pre>'));
    assert.ok(first.includes('<caption>Examples of 10.2.1.1</caption>'));
    assert.ok(first.includes('<td class="number">3</td>'));
    assert.ok(first.includes('<td><span class="none">none</span></td>'));
    assert.ok(first.includes('<pre>GET /test-events/_search?size=3</pre>'));
    assert.ok(first.includes('<td colspan="3"><span class="none">no rows</span></td>'));
  });

  it("names its stylesheet's hash, for a Content-Security-Policy that allows it alone", () => {
    const style = /<style>([\s\S]*)<\/style>/.exec(html)![1]!;
    assert.equal(REPORT_STYLE_SOURCE, `'sha256-${createHash('sha256').update(style).digest('base64')}'`);
  });
});
