import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { createElastic, eventsIndexName, installTemplates } from '@sentrail/lib/elastic';
import { dropIndexPrefix, testConfig, uniqueName } from '@sentrail/lib/testing';
import { clockSkew } from './clock-skew.js';
import { SourceSilence } from './source-silence.js';

const MINUTE = 60_000;

function document(dataset: string, timestamp: string, created: string, fields: Partial<EcsDocument> = {}): EcsDocument {
  return {
    '@timestamp': timestamp,
    event: { id: 'e', kind: 'event', outcome: 'unknown', dataset, module: dataset.split('.')[0]!, created },
    ...fields,
  };
}

describe('clock skew (PCI DSS 10.6)', () => {
  it('flags an event dated after its receipt beyond the tolerance, naming the host whose clock is wrong', () => {
    const skewed = document('wazuh.alerts', '2026-11-28T10:20:00.000Z', '2026-11-28T10:00:00.000Z', {
      host: { name: 'payments-db-1' },
    });
    const detection = clockSkew('e-1', skewed, 5 * MINUTE);
    assert.deepEqual(detection?.entity, { type: 'host', value: 'payments-db-1' });
    assert.deepEqual(detection?.pci_dss.requirements, ['10.6.1']);
    assert.equal(clockSkew('e-1', skewed, 5 * MINUTE)?.alert.id, detection?.alert.id, 'deterministic');
  });

  it('leaves alone a late delivery and a skew within the tolerance', () => {
    assert.equal(
      clockSkew('e', document('aws.cloudtrail', '2026-11-28T09:45:00Z', '2026-11-28T10:00:00Z'), 5 * MINUTE),
      undefined,
    );
    assert.equal(
      clockSkew('e', document('aws.cloudtrail', '2026-11-28T10:04:00Z', '2026-11-28T10:00:00Z'), 5 * MINUTE),
      undefined,
    );
  });
});

describe('source silence (PCI DSS 10.7)', () => {
  const t0 = Date.parse('2026-11-28T10:00:00Z');

  it('raises one alert per silent source, account and agent, the same alert while the silence lasts', () => {
    const silence = new SourceSilence();
    silence.heard(document('aws.cloudtrail', '', '', { cloud: { account: { id: '111122223333' } } }), t0);
    silence.heard(document('wazuh.alerts', '', '', { agent: { id: '002', name: 'payments-db-1' } }), t0);
    silence.heard(document('aws.cloudtrail', '', '', { cloud: { account: { id: '444455556666' } } }), t0 + 50 * MINUTE);
    const quiet = silence.silent(60 * MINUTE, t0 + 61 * MINUTE);
    assert.deepEqual(quiet.map((detection) => detection.entity.value).sort(), [
      'aws.cloudtrail account 111122223333',
      'wazuh.alerts',
      'wazuh.alerts agent 002 payments-db-1',
    ]);
    const later = silence.silent(60 * MINUTE, t0 + 90 * MINUTE);
    const again = later.find((detection) => detection.entity.value === 'wazuh.alerts')!;
    assert.equal(again.alert.id, quiet.find((detection) => detection.entity.value === 'wazuh.alerts')!.alert.id);
  });

  it('is quiet again once the source is heard', () => {
    const silence = new SourceSilence();
    silence.heard(document('kubernetes.audit_logs', '', ''), t0);
    assert.equal(silence.silent(60 * MINUTE, t0 + 61 * MINUTE).length, 1);
    silence.heard(document('kubernetes.audit_logs', '', ''), t0 + 62 * MINUTE);
    assert.equal(silence.silent(60 * MINUTE, t0 + 63 * MINUTE).length, 0);
  });
});

describe('source silence after a restart (real Elasticsearch)', () => {
  const prefix = uniqueName('test-silence');
  const config = testConfig({ SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: prefix });
  const client = createElastic(config.elasticsearch);
  const now = Date.now();
  const ago = (minutes: number) => new Date(now - minutes * MINUTE).toISOString();
  const stored: [string, Partial<EcsDocument>][] = [
    [
      ago(150),
      { event: { ...event('aws.cloudtrail'), ingested: ago(150) }, cloud: { account: { id: '111122223333' } } },
    ],
    [
      ago(120),
      { event: { ...event('aws.cloudtrail'), ingested: ago(120) }, cloud: { account: { id: '111122223333' } } },
    ],
    [ago(30), { event: { ...event('wazuh.alerts'), ingested: ago(30) }, agent: { id: '002', name: 'payments-db-1' } }],
    [ago(8 * 24 * 60), { event: { ...event('kubernetes.audit_logs'), ingested: ago(8 * 24 * 60) } }],
  ];

  function event(dataset: string): EcsDocument['event'] {
    return { id: uniqueName('e'), kind: 'event', outcome: 'unknown', dataset, module: dataset.split('.')[0]! };
  }

  before(async () => {
    await installTemplates(client, config.elasticsearch);
    for (const [at, document] of stored) {
      await client.index({ index: eventsIndexName(prefix, at), document: { '@timestamp': at, ...document } });
    }
    await client.indices.refresh({ index: `${prefix}-events-*` });
  });
  after(async () => {
    await dropIndexPrefix(client, prefix);
    await client.close();
  });

  it('recalls what was heard in the last week from the stored events, and raises what the instance before would have', async () => {
    const restarted = new SourceSilence();
    assert.equal(await restarted.recall(client, prefix, now), 2);
    const quiet = restarted.silent(60 * MINUTE, now);
    assert.deepEqual(quiet.map((detection) => detection.entity.value).sort(), [
      'aws.cloudtrail',
      'aws.cloudtrail account 111122223333',
    ]);
    // The instance that heard those events itself would have raised the same alerts, under the same ids.
    const original = new SourceSilence();
    for (const [, document] of stored.slice(0, 3)) {
      original.heard({ '@timestamp': '', ...document } as EcsDocument, Date.parse(document.event!.ingested!));
    }
    assert.deepEqual(
      original
        .silent(60 * MINUTE, now)
        .map((detection) => detection.alert.id)
        .sort(),
      quiet.map((detection) => detection.alert.id).sort(),
    );
  });
});
