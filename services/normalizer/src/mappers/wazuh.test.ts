import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawMeta } from '../mapper.js';
import { MAPPER_INPUTS } from './index.js';
import { PCI_V3_TO_V4 } from './pci-v3-to-v4.js';
import { wazuh } from './wazuh.js';

const meta: RawMeta = { ...MAPPER_INPUTS.wazuh, origin: 'test', receivedAt: '2026-11-28T12:00:00.000Z' };
const alert = (extra: Record<string, unknown>) => ({
  timestamp: '2026-11-28T10:00:00.000+0000',
  id: '1795860000.1',
  rule: { id: '2502', level: 10, description: 'syslog: User missed the password more than one time', groups: [] },
  ...extra,
});

describe('wazuh mapper', () => {
  it('keeps a source that is not an IP address out of source.ip and related.ip', () => {
    const { document } = wazuh(alert({ data: { srcip: 'attacker.example.net', srcport: '22' } }), meta);
    assert.equal(document.source?.ip, undefined);
    assert.equal(document.source?.port, 22);
    assert.equal(document.related?.ip, undefined);
  });

  it('ids an alert without an agent by the alert id alone', () => {
    assert.equal(wazuh(alert({}), meta).id, '1795860000.1');
  });

  it('names the action after the rule, in a form a query needs no quotes for', () => {
    const { document } = wazuh(alert({}), meta);
    assert.equal(document.event.action, 'syslog-user-missed-the-password-more-than-one-time');
  });

  it('translates only the v3.2.1 tags it knows, keeping all as given', () => {
    const rule = { id: '5710', description: 'x', groups: [], pci_dss: ['10.2.4', '12.9.9', '10.2.4'] };
    const { document } = wazuh(alert({ rule }), meta);
    assert.deepEqual(document.pci_dss, { requirements: ['10.2.1.4'], v3_requirements: ['10.2.4', '12.9.9', '10.2.4'] });
  });

  it('translates to well-formed requirement numbers', () => {
    for (const [v3, v4] of Object.entries(PCI_V3_TO_V4)) {
      assert.match(v3, /^\d{1,2}(\.\d{1,2}){1,3}$/);
      for (const requirement of v4) assert.match(requirement, /^\d{1,2}(\.\d{1,2}){1,3}$/, `${v3} → ${requirement}`);
    }
  });
});
