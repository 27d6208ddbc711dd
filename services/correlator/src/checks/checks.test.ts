import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EcsDocument } from '@sentrail/lib/ecs';
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
