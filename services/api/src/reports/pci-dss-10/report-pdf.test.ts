import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderReportHtml } from './report-html.js';
import { renderReportPdf } from './report-pdf.js';
import { TEST_SECTIONS, testReport } from './test-report.js';

/** Each page's text as Debian's pdftotext (poppler-utils) reads it, whitespace collapsed. */
function pagesOf(pdf: Buffer, folder: string): string[] {
  const file = join(folder, 'report.pdf');
  writeFileSync(file, pdf);
  // pdftotext ends every page with a form feed.
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  return text
    .split('\f')
    .slice(0, -1)
    .map((page) => page.replace(/\s+/g, ' ').trim());
}

describe('the PCI DSS 10 report as PDF (Chromium, read back with pdftotext)', () => {
  let folder: string;
  let pages: string[];

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sentrail-report-pdf-'));
    const pdf = await renderReportPdf(renderReportHtml(testReport()));
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    pages = pagesOf(pdf, folder);
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  /** The page each section starts on: the first whose text begins with its id and title. */
  const startOf = (id: string, title: string) =>
    pages.findIndex((page) => page.startsWith(`${id} ${title} PCI DSS v4.0 asks:`));

  it('starts each section on a page of its own, in order, with its id and title at the top', () => {
    const starts = TEST_SECTIONS.map(([id, title]) => {
      const at = startOf(id, title);
      assert.ok(at > 0, `no page after the cover starts with "${id} ${title}"`);
      return at;
    });
    assert.deepEqual(
      starts,
      [...starts].sort((a, b) => a - b),
      'in order',
    );
    assert.equal(new Set(starts).size, TEST_SECTIONS.length, 'one page each');
  });

  it('opens with the cover: the period and every verdict, before the first section', () => {
    const cover = pages.slice(0, startOf(...TEST_SECTIONS[0]!)).join(' ');
    assert.match(cover, /^PCI DSS v4\.0 requirement 10: audit log evidence Period from 2026-11-01T00:00:00\.000Z/);
    // Table cells wrap, so pdftotext interleaves a row's lines: the ids are what reads whole.
    for (const [id] of TEST_SECTIONS) assert.match(cover, new RegExp(` ${id.replaceAll('.', '\\.')} `), id);
  });

  it('numbers every page under the period', () => {
    for (const [at, page] of pages.entries())
      assert.ok(page.endsWith(`page ${at + 1} of ${pages.length}`), `page ${at + 1}: ${page.slice(-120)}`);
    assert.ok(pages[0]!.includes('PCI DSS 10 evidence, 2026-11-01T00:00:00.000Z to 2026-11-29T00:00:00.000Z'));
  });
});
