// The PCI DSS 10 report as one self-contained HTML page (inline CSS; no script, no outside resource),
// what the API serves and what the PDF is printed from: a cover with the period, who asked and every
// verdict, then one section per sub-requirement, each starting a new printed page, each figure beside
// the request that reproduces it. Every value from the report is escaped: event data (user names,
// actions) reaches it, and none of it may become markup.
import { createHash } from 'node:crypto';
import type { Evidence, Figure, PciReport, Reproduce, Section, Table } from './report.js';

const STYLE = `
:root { color: #1b1f24; background: #fff; font: 11pt/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
body { margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
h2 { font-size: 1.35rem; margin: 0 0 0.75rem; padding-bottom: 0.25rem; border-bottom: 2px solid #1b1f24; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 0.5rem; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0 0 1rem; }
.meta dt { font-weight: bold; }
.meta dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; font-size: 0.9rem; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
th, td { border: 1px solid #8c959f; padding: 0.2rem 0.4rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #eaeef2; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { border: 2px solid; border-left-width: 0.5rem; padding: 0.4rem 0.6rem; margin: 0.75rem 0; }
.verdict-sufficient { border-color: #1a7f37; background: #dafbe1; }
.verdict-insufficient { border-color: #cf222e; background: #ffebe9; }
.verdict-not-measured { border-color: #9a6700; background: #fff8c5; }
td.verdict-cell { font-weight: bold; white-space: nowrap; }
.summary th, .summary td { overflow-wrap: normal; }
.figures { margin: 0; }
.figure { border-top: 1px solid #d0d7de; padding: 0.4rem 0; }
.figure dt { font-weight: bold; }
.figure dd { margin: 0.15rem 0 0; }
.value { font-size: 1.15rem; font-weight: bold; }
.how { margin: 0.4rem 0 0.15rem; font-size: 0.85rem; color: #57606a; }
pre { margin: 0; padding: 0.4rem 0.5rem; background: #f6f8fa; border: 1px solid #d0d7de; font: 0.8rem/1.35 "DejaVu Sans Mono", monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
.none { font-style: italic; color: #57606a; }
a { color: #0550ae; }
@media print {
  body { max-width: none; padding: 0; }
  section { break-before: page; }
  h2, h3, caption, dt, .how { break-after: avoid; }
  pre { orphans: 4; widows: 4; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
}
`;

/** The CSP source allowing the page's one inline stylesheet, and nothing else inline. */
export const REPORT_STYLE_SOURCE = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

const VERDICTS: Record<Evidence, string> = {
  sufficient: 'sufficient',
  insufficient: 'insufficient',
  'not-measured': 'not measured by Sentrail',
};

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

/** An anchor for a section id that is valid and readable: 10.2.1.4 → section-10-2-1-4. */
const anchor = (id: string) => `section-${id.replace(/[^A-Za-z0-9]+/g, '-')}`;

const time = (iso: string) => `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso)}</time>`;

function cell(value: string | number | null): string {
  if (value === null) return '<td><span class="none">none</span></td>';
  return typeof value === 'number' ? `<td class="number">${value}</td>` : `<td>${escapeHtml(value)}</td>`;
}

/** Characters of a request body's line that fit a printed page's width. */
const LINE_WIDTH = 96;

/** JSON on one line, spaced for reading: `{"a": [1, 2]}`. */
function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .map(([key, field]) => `${JSON.stringify(key)}: ${inlineJson(field)}`)
      .join(', ')}}`;
  return JSON.stringify(value) ?? 'null';
}

/**
 * JSON indented only where a line would be too long: a request body stays short enough to print
 * beside its figure, and stays JSON to copy. `used` is what precedes the value on its line.
 */
function compactJson(value: unknown, indent = '', used = 0): string {
  const inline = inlineJson(value);
  if (value === null || typeof value !== 'object' || indent.length + used + inline.length <= LINE_WIDTH) return inline;
  const inner = `${indent}  `;
  const lines = Array.isArray(value)
    ? value.map((item) => `${inner}${compactJson(item, inner)}`)
    : Object.entries(value)
        .filter(([, field]) => field !== undefined)
        .map(([key, field]) => `${inner}${JSON.stringify(key)}: ${compactJson(field, inner, key.length + 4)}`);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${lines.join(',\n')}\n${indent}${close}`;
}

function reproduce(how: Reproduce): string {
  if ('elasticsearch' in how) {
    const { method, path, body } = how.elasticsearch;
    const request = body === undefined ? `${method} ${path}` : `${method} ${path}\n${compactJson(body)}`;
    return `<p class="how">Elasticsearch request:</p><pre>${escapeHtml(request)}</pre>`;
  }
  if ('prometheus' in how)
    return `<p class="how">Not held in Elasticsearch; Prometheus query:</p><pre>${escapeHtml(how.prometheus)}</pre>`;
  return `<p class="how">From the configuration:</p><pre>${escapeHtml(how.configuration)}</pre>`;
}

function figure({ label, value, unit, reproduce: how }: Figure): string {
  const shown =
    value === null
      ? '<span class="none">no value: not held by Sentrail</span>'
      : `<span class="value">${escapeHtml(String(value))}</span>${unit === undefined ? '' : ` ${escapeHtml(unit)}`}`;
  return `<div class="figure"><dt>${escapeHtml(label)}</dt><dd>${shown}${reproduce(how)}</dd></div>`;
}

function table({ title, columns, rows, reproduce: how }: Table): string {
  const head = columns.map((column) => `<th scope="col">${escapeHtml(column)}</th>`).join('');
  const body =
    rows.length === 0
      ? `<tr><td colspan="${Math.max(columns.length, 1)}"><span class="none">no rows</span></td></tr>`
      : rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('\n');
  return (
    `<table><caption>${escapeHtml(title)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>` +
    (how === undefined ? '' : reproduce(how))
  );
}

function section({ id, title, requirement, evidence, why, figures, tables }: Section): string {
  const name = anchor(id);
  return `<section id="${name}" aria-labelledby="${name}-title">
<h2 id="${name}-title">${escapeHtml(id)} ${escapeHtml(title)}</h2>
<p><strong>PCI DSS v4.0 asks:</strong> ${escapeHtml(requirement)}</p>
<p class="verdict verdict-${evidence}"><strong>Evidence: ${VERDICTS[evidence]}.</strong> ${escapeHtml(why)}</p>
${figures.length === 0 ? '' : `<h3>Figures</h3>\n<dl class="figures">\n${figures.map(figure).join('\n')}\n</dl>`}
${tables.length === 0 ? '' : `<h3>Tables</h3>\n${tables.map(table).join('\n')}`}
</section>`;
}

function cover(report: PciReport): string {
  const { range, generated_at, generated_by: by, index_prefix, sections } = report;
  const details = [by.role && `role ${by.role}`, by.key_id && `API key ${by.key_id}`].filter(Boolean).join(', ');
  const counts = (Object.keys(VERDICTS) as Evidence[])
    .map((verdict) => `${sections.filter((s) => s.evidence === verdict).length} ${VERDICTS[verdict]}`)
    .join(', ');
  const summary = sections
    .map(
      ({ id, title, evidence, why }) =>
        `<tr><th scope="row"><a href="#${anchor(id)}">${escapeHtml(id)}</a></th><td>${escapeHtml(title)}</td>` +
        `<td class="verdict-cell">${VERDICTS[evidence]}</td><td>${escapeHtml(why)}</td></tr>`,
    )
    .join('\n');
  return `<header>
<h1>PCI DSS v4.0 requirement 10: audit log evidence</h1>
<dl class="meta">
<dt>Period</dt><dd>from ${time(range.from)} (inclusive) to ${time(range.to)} (exclusive), UTC</dd>
<dt>Generated</dt><dd>${time(generated_at)}</dd>
<dt>Generated by</dt><dd>${escapeHtml(by.name)}${details === '' ? '' : ` (${escapeHtml(details)})`}</dd>
<dt>Indices</dt><dd><code>${escapeHtml(index_prefix)}-*</code></dd>
</dl>
<p>Each figure is shown with what reproduces it: the Elasticsearch request (method, path and JSON body, as
Kibana's console takes it; with curl, <code>curl -X METHOD http://ELASTICSEARCH:9200/PATH -H 'content-type:
application/json' -d 'BODY'</code>) run on the cluster holding these indices, or the Prometheus query or
configuration key of a figure Sentrail does not keep in Elasticsearch. Events that arrive late for the period
can change a figure after this report was generated.</p>
<table class="summary">
<caption>Evidence by sub-requirement: ${counts}</caption>
<thead><tr><th scope="col">Requirement</th><th scope="col">Title</th><th scope="col">Evidence</th><th scope="col">Why</th></tr></thead>
<tbody>
${summary}
</tbody>
</table>
</header>`;
}

export function renderReportHtml(report: PciReport): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PCI DSS 10 evidence, ${escapeHtml(report.range.from)} to ${escapeHtml(report.range.to)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${cover(report)}
${report.sections.map(section).join('\n')}
</main>
</body>
</html>
`;
}
