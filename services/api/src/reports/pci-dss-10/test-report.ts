// A PCI DSS 10 report made by hand for the rendering and bundle tests, which need no Elasticsearch:
// the fourteen sections in order, every verdict and every kind of reproduce, and values that would be
// markup if they were not escaped.
import type { Evidence, PciReport, Section } from './report.js';

/** Each section's id and title, in the report's order. */
export const TEST_SECTIONS: readonly (readonly [id: string, title: string])[] = [
  ['10.2.1.1', 'Individual user access to cardholder data'],
  ['10.2.1.2', 'Actions by administrators and root'],
  ['10.2.1.3', 'Access to audit logs'],
  ['10.2.1.4', 'Invalid logical access attempts'],
  ['10.2.1.5', 'Changes to identification and authentication credentials'],
  ['10.2.1.6', 'Initialization, stopping or pausing of audit logs'],
  ['10.2.1.7', 'Creation and deletion of system-level objects'],
  ['10.2.1', 'Audit log sources and gaps'],
  ['10.2.2', 'Details recorded for each auditable event'],
  ['10.3', 'Audit logs protected from destruction and unauthorized changes'],
  ['10.4.1', 'Audit logs reviewed at least once daily'],
  ['10.5.1', 'Audit log history retained for at least 12 months'],
  ['10.6', 'Time synchronization'],
  ['10.7', 'Failures of critical security control systems detected and handled'],
];

/** The section ids in the report's order. */
export const SECTION_IDS = TEST_SECTIONS.map(([id]) => id);

/** What a hostile event could put in a report: it must come out as text. */
export const HOSTILE = `<script>alert("x")</script> & 'quoted' </pre>`;

const EVIDENCE: readonly Evidence[] = ['sufficient', 'insufficient', 'not-measured'];

/** A body as long as a real one: too long for one printed line. */
export const countBody = (id: string) => ({
  query: {
    bool: {
      filter: [
        { range: { '@timestamp': { gte: '2026-11-01T00:00:00.000Z', lt: '2026-11-29T00:00:00.000Z' } } },
        { term: { 'pci_dss.requirements': id } },
      ],
    },
  },
});

function testSection([id, title]: readonly [string, string], at: number): Section {
  const path = '/test-events/_count';
  return {
    id,
    title,
    requirement: `Audit logs capture what ${id} names.`,
    evidence: EVIDENCE[at % EVIDENCE.length]!,
    why: at % EVIDENCE.length === 1 ? `No event of ${id} in the period.` : `Events of ${id} were recorded.`,
    figures: [
      {
        label: `Events tagged ${id}`,
        value: 1000 + at,
        unit: 'events',
        reproduce: { elasticsearch: { method: 'POST', path, body: countBody(id) } },
      },
      {
        label: 'Writes refused as duplicates',
        value: null,
        reproduce: { prometheus: 'sum(increase(sentrail_normalizer_duplicates_total[30d]))' },
      },
      { label: 'Retention', value: 400, unit: 'days', reproduce: { configuration: 'normalizer.retention.days' } },
    ],
    tables: [
      {
        title: `Examples of ${id}`,
        columns: ['time', 'action', 'user', 'count'],
        rows: [
          ['2026-11-28T10:00:00.000Z', 'ConsoleLogin', HOSTILE, 3],
          ['2026-11-28T11:00:00.000Z', 'StopLogging', null, 1],
        ],
        reproduce: { elasticsearch: { method: 'GET', path: '/test-events/_search?size=3' } },
      },
      { title: 'Gaps', columns: ['source', 'from', 'to'], rows: [] },
    ],
  };
}

export function testReport(): PciReport {
  return {
    report: 'pci-dss-10',
    range: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-29T00:00:00.000Z' },
    generated_at: '2026-11-29T03:00:00.000Z',
    generated_by: { name: `auditor ${HOSTILE}`, key_id: '0123456789abcdef', role: 'auditor' },
    index_prefix: 'test',
    sections: TEST_SECTIONS.map(testSection),
  };
}
