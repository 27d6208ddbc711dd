// The PCI DSS 10 report against the real Elasticsearch. A corpus made the way the pipeline makes it
// (demo generators and the mappers' sample records, through normalize()), alerts raised and handled
// through the alert store and daily review summaries go into a test prefix; every section's figures
// must equal what this test counts itself over the documents it loaded, and every request printed as
// `reproduce` must give the same answer when sent again. A prefix with no integrity checks, reviews
// or alerts still gets all fourteen sections, those marked insufficient.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Alert, AlertStatus, Detection } from '@sentrail/lib/alerts/alert';
import { AlertStore } from '@sentrail/lib/alerts/alert-store';
import { changeStatus } from '@sentrail/lib/alerts/lifecycle';
import { detection, minutesAfter } from '@sentrail/lib/alerts/testing';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { aliases, createElastic, installTemplates, monthlyIndexName } from '@sentrail/lib/elastic';
import { dropIndexPrefix, REPO_ROOT, testConfig, uniqueName } from '@sentrail/lib/testing';
import { CloudTrailGenerator } from '@sentrail/ingest/dist/demo/cloudtrail-generator.js';
import { K8sAuditGenerator } from '@sentrail/ingest/dist/demo/k8s-audit-generator.js';
import { WazuhGenerator } from '@sentrail/ingest/dist/demo/wazuh-generator.js';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import { MAPPER_INPUTS, type MapperName } from '@sentrail/normalizer/dist/mappers/index.js';
import { normalize } from '@sentrail/normalizer/dist/normalize.js';
import { indexEvents } from '../../exports/test-events.js';
import { minutes, percent, type SearchResponse } from './queries.js';
import { buildPciReport, type Figure, type PciReport, type Section, type Table } from './report.js';
import { SECTION_IDS } from './test-report.js';

const DAY_MS = 86_400_000;
const FROM = '2026-11-20T00:00:00.000Z';
const TO = '2026-11-23T00:00:00.000Z';
const NOW = new Date('2026-11-25T00:00:00.000Z');
const WHOLE_DAYS = ['2026-11-20', '2026-11-21', '2026-11-22'];
/** `hours` into the `n`th day of the period (negative: before it). */
const day = (n: number, hours = 10) => new Date(Date.parse(FROM) + n * DAY_MS + hours * 3_600_000);
const OTHER_ACCOUNT = '444455556666';

const config = testConfig();
const context = createContext(config.normalizer.context);

function sample(mapper: MapperName, name: string): Record<string, unknown> {
  const path = join(REPO_ROOT, 'services/normalizer/src/mappers/testdata', mapper, `${name}.json`);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** A mapper's record as the normalizer makes it into the stored document, received five minutes after `at`. */
function normalized(mapper: MapperName, record: Record<string, unknown>, at: Date): EcsDocument {
  const receivedAt = new Date(at.getTime() + 5 * 60_000).toISOString();
  const result = normalize(
    JSON.stringify(record),
    { ...MAPPER_INPUTS[mapper], origin: 'test', receivedAt },
    { context },
  );
  if (!result.ok) throw new Error(`${mapper}: ${result.error}`);
  return result.document;
}

/** A sample record made the `n`th of its kind, at `at`. */
function integrityRecord(name: string, n: number, at: Date) {
  const record = sample('integrity', name);
  return { ...record, id: `${String(record['id'])}#${n}`, checkedAt: at.toISOString() };
}
function accessRecord(name: string, n: number, at: Date, changes: Record<string, unknown> = {}) {
  return { ...sample('sentrailAccess', name), id: `req-report-test-${n}`, time: at.toISOString(), ...changes };
}

/**
 * Every source, with whole days missing for Kubernetes, the second account and Sentrail's API (heard
 * before the period, not on its first day); Wazuh is first heard on the period's second day.
 */
function corpus(): EcsDocument[] {
  const cloudtrail = new CloudTrailGenerator(11);
  const otherAccount = new CloudTrailGenerator(12, OTHER_ACCOUNT);
  const wazuh = new WazuhGenerator(21);
  const k8s = new K8sAuditGenerator(31);
  const documents: EcsDocument[] = [];
  const add = (mapper: MapperName, records: Record<string, unknown>[], at: Date) =>
    documents.push(...records.map((record) => normalized(mapper, record, at)));
  for (const n of [-1, 0, 1, 2, 3]) add('cloudtrail', cloudtrail.routine(day(n), 30, 3_600_000), day(n));
  add('cloudtrail', cloudtrail.suspicious(day(1, 14)), day(1, 14));
  add('cloudtrail', otherAccount.routine(day(0), 10), day(0));
  for (const n of [1, 2]) add('wazuh', wazuh.alerts(day(n, 11), n === 1), day(n, 11));
  add('k8sAudit', k8s.eventList(day(0, 12), false).items, day(0, 12));
  add('k8sAudit', k8s.eventList(day(2, 12), true).items, day(2, 12));
  add(
    'integrity',
    [
      ...[0, 1, 2].map((n) => integrityRecord('digest-valid', n, day(n, 1))),
      integrityRecord('digest-chain-gap', 3, day(1, 2)),
      integrityRecord('digest-signature-invalid', 4, day(2, 2)),
      integrityRecord('digest-valid', 5, day(3, 1)),
      ...[0, 1].map((n) => integrityRecord('trail-logging', n, day(n, 3))),
      integrityRecord('trail-logging-off', 2, day(2, 3)),
    ],
    day(0),
  );
  add(
    'sentrailAccess',
    [
      accessRecord('search', 0, day(-2)),
      accessRecord('search', 1, day(1, 9)),
      accessRecord('unauthorized-without-key', 2, day(1, 9.5)),
      accessRecord('export', 3, day(1, 10)),
      accessRecord('export', 4, day(2, 15), { key: { id: 'key_qsa2', name: 'qsa-two', role: 'auditor' }, rows: 17 }),
      accessRecord('search', 5, day(2, 16)),
      accessRecord('export', 6, day(3, 1)),
    ],
    day(1),
  );
  return documents;
}

/** What the correlator's rules and checks would have raised, in the period and either side of it. */
function detections(): Detection[] {
  const rule = (name: string, severity: Detection['rule']['severity'] = 'high') => ({
    id: `rule-${name}`,
    name,
    severity,
  });
  const at = (n: number, hours = 10) => ({
    first_seen: day(n, hours).toISOString(),
    last_seen: day(n, hours).toISOString(),
  });
  const skew = rule('sentrail_clock_skew', 'medium');
  return [
    detection('skew-1', {
      rule: skew,
      pci_dss: { requirements: ['10.6.1'] },
      entity: { type: 'host', value: 'payments-db-1' },
      ...at(1),
      count: 2,
      evidence: { event_ids: ['e1', 'e2'] },
    }),
    detection('skew-2', {
      rule: skew,
      pci_dss: { requirements: ['10.6.1'] },
      entity: { type: 'host', value: 'bastion-1' },
      ...at(2),
    }),
    detection('skew-3', {
      rule: skew,
      pci_dss: { requirements: ['10.6.1'] },
      entity: { type: 'host', value: 'web-1' },
      ...at(3),
    }),
    detection('fim-1', {
      rule: rule('wazuh_log_file_integrity_changed'),
      pci_dss: { requirements: ['10.3.4', '10.3.2'] },
      entity: { type: 'host', value: 'payments-db-1' },
      ...at(1, 11),
    }),
    detection('logging-off-1', {
      rule: rule('sentrail_trail_logging_off', 'critical'),
      pci_dss: { requirements: ['10.2.1.6', '10.7.2'] },
      entity: { type: 'trail', value: 'management-events' },
      ...at(2, 3),
    }),
    detection('silence-1', {
      rule: rule('sentrail_source_silence'),
      pci_dss: { requirements: ['10.7.2'] },
      entity: { type: 'source', value: 'kubernetes.audit_logs' },
      ...at(1, 12),
    }),
    detection('silence-0', {
      rule: rule('sentrail_source_silence'),
      pci_dss: { requirements: ['10.7.2'] },
      entity: { type: 'source', value: 'wazuh.alerts' },
      ...at(-1),
    }),
    detection('digest-1', {
      rule: rule('sentrail_digest_validation_failure'),
      pci_dss: { requirements: ['10.3.4', '10.7.2'] },
      entity: { type: 'trail', value: 'management-events' },
      ...at(1, 2),
    }),
    detection('root-1', {
      rule: rule('aws_root_account_usage'),
      entity: { type: 'user', value: 'root' },
      ...at(1, 14),
    }),
  ];
}

/**
 * Raises the detections and handles some, minutes after each opened (an analyst's answer, not the
 * test's own speed): acknowledged, acknowledged and closed, closed at once.
 */
async function raiseAlerts(store: AlertStore): Promise<Alert[]> {
  const alerts = new Map<string, Alert>();
  for (const found of detections()) {
    const raised = await store.raise(found);
    assert.ok('alert' in raised);
    alerts.set(found.alert.id, raised.alert);
  }
  const handle = (id: string, status: AlertStatus, afterMinutes: number) =>
    store.modify(id, (alert) => {
      const next = changeStatus(alert, status, {
        by: 'analyst',
        at: minutesAfter(alert.status_history[0]!.at, afterMinutes),
      });
      alerts.set(id, next);
      return { next, result: undefined };
    });
  const answers: [string, AlertStatus, number][] = [
    ['logging-off-1', 'acknowledged', 7],
    ['logging-off-1', 'closed', 95],
    ['silence-1', 'acknowledged', 42],
    ['root-1', 'acknowledged', 3],
    ['skew-1', 'acknowledged', 12],
    ['digest-1', 'closed', 30],
  ];
  for (const [id, status, afterMinutes] of answers) await handle(id, status, afterMinutes);
  return [...alerts.values()];
}

/** Review summaries for the first and last day of the period and the day after it: the middle day has none. */
async function writeReviews(
  elastic: ReturnType<typeof createElastic>,
  prefix: string,
): Promise<{ day: string; at: string }[]> {
  const reviews = ['2026-11-20', '2026-11-22', '2026-11-23'].map((reviewDay) => ({
    day: reviewDay,
    at: `${reviewDay}T06:00:00.000Z`,
  }));
  for (const { day: reviewDay, at } of reviews) {
    const document = {
      '@timestamp': at,
      day: reviewDay,
      period: { from: new Date(Date.parse(at) - DAY_MS).toISOString(), to: at },
      events: { total: 100, incomplete: 3, by_dataset: [{ dataset: 'aws.cloudtrail', count: 100 }] },
      alerts: { opened: 2, acknowledged: 1, closed: 1, open_now: 1, by_severity: [{ severity: 'high', count: 2 }] },
    };
    await elastic.index({ index: monthlyIndexName(aliases(prefix).reviews, at), id: reviewDay, document });
  }
  return reviews;
}

// What the test counts itself.
const inPeriod = (time: string | undefined) => time !== undefined && time >= FROM && time < TO;
const utcDay = (time: string) => new Date(time).toISOString().slice(0, 10);
function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const average = (values: readonly number[]) => (values.length === 0 ? null : sum(values) / values.length);
const maximum = (values: readonly number[]) => (values.length === 0 ? null : Math.max(...values));
const sorted = (rows: readonly unknown[][]) => rows.map((row) => JSON.stringify(row)).sort();

function section(report: PciReport, id: string): Section {
  const found = report.sections.find((candidate) => candidate.id === id);
  assert.ok(found, `section ${id}`);
  return found;
}
function value(of: Section, label: string): Figure['value'] {
  const found = of.figures.find((candidate) => candidate.label === label);
  assert.ok(found, `figure "${label}" of ${of.id}`);
  return found.value;
}
function table(of: Section, title: string): Table {
  const found = of.tables.find((candidate) => candidate.title === title);
  assert.ok(found, `table "${title}" of ${of.id}`);
  return found;
}
const pairs = (of: Table) => new Map(of.rows.map(([key, count]) => [key, count]));

describe('PCI DSS 10 report', () => {
  const elastic = createElastic(config.elasticsearch);
  const prefix = uniqueName('test-pci-report');
  const barePrefix = uniqueName('test-pci-report-bare');
  let documents: EcsDocument[] = [];
  let alerts: Alert[] = [];
  let reviews: { day: string; at: string }[] = [];
  let report: PciReport;
  const period = () => documents.filter((document) => inPeriod(document['@timestamp']));
  const alertsInPeriod = () => alerts.filter((alert) => inPeriod(alert.first_seen));

  before(async () => {
    for (const name of [prefix, barePrefix])
      await installTemplates(elastic, { ...config.elasticsearch, indexPrefix: name });
    documents = corpus();
    await indexEvents(elastic, prefix, documents);
    alerts = await raiseAlerts(new AlertStore({ client: elastic, prefix, suppressionMinutes: 60 }));
    reviews = await writeReviews(elastic, prefix);
    await elastic.indices.refresh({ index: `${prefix}-*` });
    report = await buildPciReport({
      elastic,
      prefix,
      retention: { days: 400, allowUnder12Months: false },
      range: { from: FROM, to: TO },
      generatedBy: { name: 'report test', key_id: 'key_test', role: 'auditor' },
      now: NOW,
    });
  });
  after(async () => {
    for (const name of [prefix, barePrefix]) await dropIndexPrefix(elastic, name);
    await elastic.close();
  });

  it('has the fourteen sections in order, for the period asked', () => {
    assert.deepEqual(
      report.sections.map((found) => found.id),
      SECTION_IDS,
    );
    assert.deepEqual(report.range, { from: FROM, to: TO });
    assert.equal(report.report, 'pci-dss-10');
    assert.equal(report.index_prefix, prefix);
    assert.equal(report.generated_at, NOW.toISOString());
  });

  it('counts the events of each 10.2.1.x per source and account, with the latest as examples', () => {
    for (const id of SECTION_IDS.filter((candidate) => candidate.startsWith('10.2.1.'))) {
      const tagged = period().filter((document) => document.pci_dss?.requirements?.includes(id));
      const found = section(report, id);
      assert.ok(tagged.length > 0, `the corpus holds evidence of ${id}`);
      assert.equal(found.evidence, 'sufficient', id);
      assert.equal(value(found, `Events tagged ${id}`), tagged.length, id);
      assert.deepEqual(
        pairs(table(found, 'Events per source')),
        countBy(tagged, (document) => document.event.dataset),
        id,
      );
      assert.deepEqual(
        pairs(table(found, 'Events per account')),
        countBy(tagged, (document) => document.cloud?.account?.id ?? '(none)'),
        id,
      );
      const latest = [...tagged]
        .sort((a, b) => Date.parse(b['@timestamp']) - Date.parse(a['@timestamp']) || (a.event.id < b.event.id ? -1 : 1))
        .slice(0, 3)
        .map((document) => [
          document['@timestamp'],
          document.event.action ?? null,
          document.user?.name ?? document.user?.id ?? null,
          document.event.id,
        ]);
      assert.deepEqual(table(found, 'Latest 3 examples').rows, latest, id);
    }
  });

  it('lists who accessed Sentrail and what they exported under 10.2.1.3', () => {
    const found = section(report, '10.2.1.3');
    const requests = period().filter((document) => document.event.dataset === 'sentrail.access');
    assert.equal(value(found, "Requests to Sentrail's API"), requests.length);
    const access = (document: EcsDocument) =>
      (document.sentrail?.['access'] ?? {}) as Record<string, string | number | undefined>;
    const who = new Map<string, EcsDocument[]>();
    for (const document of requests) {
      const key = JSON.stringify([
        document.user?.name ?? '(no key)',
        access(document)['key_id'] ?? '(no key)',
        access(document)['role'] ?? '(no key)',
      ]);
      who.set(key, [...(who.get(key) ?? []), document]);
    }
    const expected = [...who].map(([key, made]) => [
      ...(JSON.parse(key) as string[]),
      made.length,
      made.filter((document) => [401, 403].includes(document.http?.response?.status_code ?? 0)).length,
      new Date(Math.max(...made.map((document) => Date.parse(document['@timestamp'])))).toISOString(),
    ]);
    assert.deepEqual(sorted(table(found, 'Who accessed Sentrail').rows), sorted(expected));
    const exports = requests
      .filter(
        (document) =>
          String(access(document)['route']).startsWith('/v1/export') && access(document)['rows'] !== undefined,
      )
      .sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']));
    assert.equal(exports.length, 2);
    assert.equal(value(found, 'Exports'), exports.length);
    assert.equal(value(found, 'Rows exported'), sum(exports.map((document) => Number(access(document)['rows']))));
    assert.deepEqual(
      table(found, 'Exports').rows.map((row) => [row[0], row[1], row[6], row[7]]),
      exports.map((document) => [
        document['@timestamp'],
        document.user?.name,
        access(document)['rows'],
        access(document)['format'],
      ]),
    );
  });

  it('finds every whole day a source or account went without events', () => {
    const found = section(report, '10.2.1');
    const heard = documents.filter(
      (document) =>
        document['@timestamp'] >= new Date(Date.parse(FROM) - 7 * DAY_MS).toISOString() && document['@timestamp'] < TO,
    );
    const expected: unknown[][] = [];
    for (const [kind, nameOf] of [
      ['source', (document: EcsDocument) => document.event.dataset],
      ['account', (document: EcsDocument) => document.cloud?.account?.id],
    ] as const) {
      for (const name of new Set(heard.map(nameOf).filter((name) => name !== undefined))) {
        const firstDay = utcDay(
          heard
            .filter((document) => nameOf(document) === name)
            .map((document) => document['@timestamp'])
            .sort()[0]!,
        );
        const days = new Set(
          period()
            .filter((document) => nameOf(document) === name)
            .map((document) => utcDay(document['@timestamp'])),
        );
        let run: string[] = [];
        for (const wholeDay of [...WHOLE_DAYS.filter((candidate) => candidate >= firstDay), '']) {
          if (wholeDay && !days.has(wholeDay)) run.push(wholeDay);
          else if (run.length > 0) {
            expected.push([kind, name, run[0], run.at(-1), run.length]);
            run = [];
          }
        }
      }
    }
    assert.deepEqual(sorted(table(found, 'Gaps').rows), sorted(expected));
    // The corpus's own gaps: Kubernetes, the second account and Sentrail's API each missed days.
    for (const [kind, name] of [
      ['source', 'kubernetes.audit_logs'],
      ['account', OTHER_ACCOUNT],
      ['source', 'sentrail.access'],
    ])
      assert.ok(
        expected.some((gap) => gap[0] === kind && gap[1] === name),
        `${kind} ${name} has a gap`,
      );
    assert.ok(!expected.some((gap) => gap[1] === 'wazuh.alerts'), 'no gap before a source is first heard');
    assert.equal(value(found, 'Gaps (whole days without events)'), expected.length);
    assert.equal(value(found, 'Whole UTC days in the period'), WHOLE_DAYS.length);
    assert.equal(
      value(found, 'Sources with events in the period'),
      new Set(period().map((document) => document.event.dataset)).size,
    );
    assert.equal(found.evidence, 'insufficient');
  });

  it('gives the share of complete records and the worst sources under 10.2.2', () => {
    const found = section(report, '10.2.2');
    const checked = period().filter((document) => document.pci_dss?.complete !== undefined);
    const complete = checked.filter((document) => document.pci_dss?.complete);
    assert.ok(complete.length < checked.length, 'the corpus holds incomplete records');
    assert.equal(value(found, 'Records of actions checked'), checked.length);
    assert.equal(value(found, 'Records holding every element'), complete.length);
    assert.equal(value(found, 'Share of records holding every element'), percent(complete.length, checked.length));
    const missing = checked.flatMap((document) => document.pci_dss?.missing ?? []);
    assert.deepEqual(
      pairs(table(found, 'Elements missing')),
      countBy(missing, (element) => element),
    );
    const sources = [...countBy(checked, (document) => document.event.dataset)].map(([dataset, records]) => {
      const of = checked.filter((document) => document.event.dataset === dataset);
      const done = of.filter((document) => document.pci_dss?.complete).length;
      const lacking = [
        ...countBy(
          of.flatMap((document) => document.pci_dss?.missing ?? []),
          (element) => element,
        ),
      ]
        .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
        .slice(0, 3)
        .map(([element, count]) => `${element} ${count}`)
        .join(', ');
      return [dataset, records, done, percent(done, records), lacking];
    });
    assert.deepEqual(sorted(table(found, 'Sources, worst first').rows), sorted(sources));
    const shares = table(found, 'Sources, worst first').rows.map((row) => Number(row[3]));
    assert.deepEqual(
      shares,
      [...shares].sort((a, b) => a - b),
      'worst first',
    );
    assert.equal(found.evidence, 'sufficient');
  });

  it('reports digest validations, chain gaps, FIM alerts on log files and the duplicates query under 10.3', () => {
    const found = section(report, '10.3');
    const integrity = (document: EcsDocument) =>
      (document.sentrail?.['integrity'] ?? {}) as {
        kind?: string;
        problems?: string[];
        log_files?: { total?: number };
      };
    const digests = period().filter((document) => integrity(document).kind === 'digest_validation');
    const failed = digests.filter((document) => document.event.outcome === 'failure');
    assert.equal(value(found, 'Digests validated'), digests.length);
    assert.equal(
      value(found, 'Log files validated'),
      sum(digests.map((document) => integrity(document).log_files?.total ?? 0)),
    );
    assert.equal(value(found, 'Digests that failed validation'), failed.length);
    assert.equal(
      value(found, 'Digests with a gap in the chain'),
      digests.filter((document) => integrity(document).problems?.includes('chain_gap')).length,
    );
    assert.deepEqual(
      table(found, 'Failed validations').rows.map((row) => row[1]),
      failed.sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp'])).map((document) => document.event.id),
    );
    const fim = alertsInPeriod().filter((alert) => alert.rule.name === 'wazuh_log_file_integrity_changed');
    assert.equal(value(found, 'FIM alerts on log files'), fim.length);
    const duplicates = found.figures.find((candidate) => candidate.label === 'Writes refused as duplicates');
    assert.equal(duplicates?.value, null);
    assert.match(
      JSON.stringify(duplicates?.reproduce),
      /sum\(increase\(sentrail_normalizer_duplicates_total\[259200s\] @ \d+\)\)/,
    );
    assert.equal(found.evidence, 'sufficient');
  });

  it('shows the daily reviews, the days without one and how alerts were answered under 10.4.1', () => {
    const found = section(report, '10.4.1');
    const written = reviews.filter((review) => inPeriod(review.at));
    assert.equal(value(found, 'Daily review summaries written'), written.length);
    assert.deepEqual(
      table(found, 'Daily review summaries').rows.map((row) => row[0]),
      written.map((review) => review.day),
    );
    const missing = WHOLE_DAYS.filter((wholeDay) => !written.some((review) => review.day === wholeDay));
    assert.deepEqual(
      table(found, 'Days without a summary').rows,
      missing.map((wholeDay) => [wholeDay]),
    );
    assert.equal(value(found, 'Whole days without a summary'), missing.length);
    assert.equal(found.evidence, 'insufficient');
    assertAlertResponse(found, alertsInPeriod());
  });

  function assertAlertResponse(found: Section, answered: Alert[]) {
    const acknowledge = answered.flatMap((alert) => alert.response?.time_to_acknowledge_ms ?? []);
    const close = answered.flatMap((alert) => alert.response?.time_to_close_ms ?? []);
    assert.equal(value(found, 'Alerts raised'), answered.length);
    assert.equal(value(found, 'Alerts acknowledged'), acknowledge.length);
    assert.equal(value(found, 'Alerts closed'), close.length);
    assert.equal(value(found, 'Average time to acknowledge'), minutes(average(acknowledge)));
    assert.equal(value(found, 'Longest time to acknowledge'), minutes(maximum(acknowledge)));
    assert.equal(value(found, 'Average time to close'), minutes(average(close)));
    assert.equal(value(found, 'Longest time to close'), minutes(maximum(close)));
  }

  it('shows the retention configured, the oldest event and the daily indices per month under 10.5.1', () => {
    const found = section(report, '10.5.1');
    assert.equal(value(found, 'Configured retention'), 400);
    const oldest = documents.map((document) => Date.parse(document['@timestamp'])).reduce((a, b) => Math.min(a, b));
    assert.equal(value(found, 'Oldest event held'), new Date(oldest).toISOString());
    const byDay = countBy(documents, (document) => utcDay(document['@timestamp']));
    const months = new Map<string, [number, number]>();
    for (const [eventDay, count] of byDay) {
      const [indices, events] = months.get(eventDay.slice(0, 7)) ?? [0, 0];
      months.set(eventDay.slice(0, 7), [indices + 1, events + count]);
    }
    assert.deepEqual(
      table(found, 'Daily event indices per month').rows,
      [...months].sort().map(([month, counts]) => [month, ...counts]),
    );
    assert.equal(value(found, 'Daily event indices held'), byDay.size);
    assert.equal(found.evidence, 'sufficient');
  });

  it('counts the events checked for clock skew and the findings under 10.6', () => {
    const found = section(report, '10.6');
    assert.equal(
      value(found, 'Events checked against their receipt time'),
      period().filter((document) => document.event.created).length,
    );
    const skewed = alertsInPeriod().filter((alert) => alert.rule.name === 'sentrail_clock_skew');
    assert.equal(value(found, 'Clock-skew findings (sentrail_clock_skew alerts)'), skewed.length);
    assert.equal(value(found, 'Events dated ahead of their receipt'), sum(skewed.map((alert) => alert.count)));
    assert.deepEqual(
      sorted(table(found, 'Clock-skew findings per host or user').rows.map((row) => [row[0], row[1], row[2]])),
      sorted(skewed.map((alert) => [alert.entity.value, 1, alert.count])),
    );
    assert.equal(found.evidence, 'sufficient');
  });

  it('lists the control-failure alerts with how fast each was handled under 10.7', () => {
    const found = section(report, '10.7');
    const trailChecks = period().filter(
      (document) => (document.sentrail?.['integrity'] as { kind?: string } | undefined)?.kind === 'trail_status',
    );
    assert.equal(value(found, 'Trail status checks'), trailChecks.length);
    assert.equal(
      value(found, 'Trail status checks that found a problem'),
      trailChecks.filter((document) => document.event.outcome === 'failure').length,
    );
    const failures = alertsInPeriod()
      .filter((alert) => alert.pci_dss.requirements.some((requirement) => requirement.startsWith('10.7.')))
      .sort((a, b) => a.first_seen.localeCompare(b.first_seen));
    assertAlertResponse(found, failures);
    assert.deepEqual(
      table(found, 'Control-failure alerts').rows,
      failures.map((alert) => [
        alert.first_seen,
        alert.rule.name,
        alert.entity.value,
        alert.status,
        minutes(alert.response?.time_to_acknowledge_ms),
        minutes(alert.response?.time_to_close_ms),
      ]),
    );
    assert.deepEqual(
      pairs(table(found, 'Control-failure alerts per rule')),
      countBy(failures, (alert) => alert.rule.name),
    );
    assert.equal(found.evidence, 'sufficient');
  });

  it('prints beside each figure a request that gives the same answer when sent again', async () => {
    for (const found of report.sections) {
      for (const { label, value: shown, reproduce } of found.figures) {
        if (!('elasticsearch' in reproduce)) continue;
        const { method, path, body } = reproduce.elasticsearch;
        const answer = await elastic.transport.request<{ count?: number } & Partial<SearchResponse<unknown, unknown>>>({
          method,
          path,
          ...(body ? { body } : {}),
        });
        if (path.includes('/_count')) assert.equal(answer.count, shown, `${found.id} ${label}`);
        if (label.startsWith('Events tagged')) assert.equal(answer.hits?.total.value, shown, `${found.id} ${label}`);
      }
    }
  });

  it('marks what a prefix without integrity checks, reviews or alerts lacks as insufficient, omitting nothing', async () => {
    const cloudtrail = new CloudTrailGenerator(41);
    await indexEvents(
      elastic,
      barePrefix,
      [0, 1, 2].flatMap((n) =>
        cloudtrail.routine(day(n), 20, 3_600_000).map((record) => normalized('cloudtrail', record, day(n))),
      ),
    );
    const bare = await buildPciReport({
      elastic,
      prefix: barePrefix,
      retention: { days: 200, allowUnder12Months: true },
      range: { from: FROM, to: TO },
      generatedBy: { name: 'report test' },
      now: NOW,
    });
    assert.deepEqual(
      bare.sections.map((found) => found.id),
      SECTION_IDS,
    );
    const verdicts = Object.fromEntries(bare.sections.map((found) => [found.id, found.evidence]));
    for (const id of ['10.2.1.3', '10.2.1.4', '10.3', '10.4.1', '10.5.1', '10.7'])
      assert.equal(verdicts[id], 'insufficient', id);
    for (const id of ['10.2.1', '10.2.2', '10.6']) assert.equal(verdicts[id], 'sufficient', id);
    for (const found of bare.sections) assert.ok(found.why.length > 0, found.id);
    assert.equal(value(section(bare, '10.4.1'), 'Daily review summaries written'), 0);
    assert.equal(value(section(bare, '10.3'), 'Digests validated'), 0);
    assert.match(section(bare, '10.5.1').why, /200 days is under the 12 months/);
  });
});
