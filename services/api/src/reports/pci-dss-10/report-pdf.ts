// The report's HTML printed to PDF by headless Chromium: Debian's package driven by playwright-core,
// never a browser a tool downloads. The page is rendered offline with JavaScript off: it needs neither,
// and whatever a report holds then cannot reach out or run.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Page N of M under every page, with the page's title (which names the period), for a printed copy. */
const FOOTER = `<div style="width: 100%; margin: 0 12mm; font: 8px sans-serif; color: #57606a; display: flex; justify-content: space-between;">
<span class="title"></span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`;

export async function renderReportPdf(html: string): Promise<Buffer> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: the PDF needs Debian's chromium (apt-get install chromium)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: FOOTER,
      margin: { top: '14mm', bottom: '16mm', left: '12mm', right: '12mm' },
    });
  } finally {
    await browser.close();
  }
}
