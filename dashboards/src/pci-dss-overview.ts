// PCI DSS v4.0 requirement 10 at a glance, for auditors: what each requirement's evidence amounts
// to, whether records carry the 10.2.2 elements, and whether the trails themselves are whole and
// heard from (10.3.4, 10.7.2).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { ALERTS } from './datasources.js';
import { countStat, overTime, sentrailDashboard, topValues, valuesTable } from './panels.js';

const REQUIREMENT_10 = 'pci_dss.requirements:10*';
const INCOMPLETE = 'pci_dss.complete:false';
const DIGESTS = 'sentrail.integrity.kind:digest_validation';
const TRAIL_STATUS = 'sentrail.integrity.kind:trail_status';
const SILENCE = 'rule.name:sentrail_source_silence';

export function pciDssOverview(): Dashboard {
  return sentrailDashboard(
    'sentrail-pci-dss-10',
    'PCI DSS requirement 10',
    'Evidence per requirement 10 item, completeness of records (10.2.2), trail integrity (10.3.4) and logging failures (10.7.2).',
  )
    .withPanel(countStat('Events tagged with a requirement 10 item', { query: REQUIREMENT_10 }))
    .withPanel(
      countStat(
        'Records lacking a 10.2.2 element',
        { query: INCOMPLETE },
        { description: 'Who, what, when, outcome, origin or affected resource missing (pci_dss.missing).' },
      ),
    )
    .withPanel(countStat('Digest validations failed', { query: `${DIGESTS} AND NOT sentrail.integrity.result:valid` }))
    .withPanel(countStat('Open alerts', { datasource: ALERTS, query: 'status:open' }))
    .withPanel(
      topValues(
        'Events per requirement',
        { query: 'pci_dss.requirements:*', by: ['pci_dss.requirements'], size: 30 },
        { width: 12 },
      ),
    )
    .withPanel(
      topValues(
        'Alerts per requirement',
        { datasource: ALERTS, query: 'pci_dss.requirements:*', by: ['pci_dss.requirements'], size: 30 },
        { width: 12 },
      ),
    )
    .withPanel(
      overTime(
        'Requirement 10 events over time',
        { query: REQUIREMENT_10, by: ['pci_dss.requirements'], size: 15 },
        { width: 24 },
      ),
    )
    .withPanel(topValues('10.2.2: missing elements', { query: INCOMPLETE, by: ['pci_dss.missing'] }, { width: 12 }))
    .withPanel(
      topValues('10.2.2: incomplete records by source', { query: INCOMPLETE, by: ['event.dataset'] }, { width: 12 }),
    )
    .withPanel(
      valuesTable(
        'Trail status checks',
        { query: TRAIL_STATUS, by: ['sentrail.integrity.trail', 'cloud.account.id', 'event.outcome', 'event.reason'] },
        { description: 'CloudTrail status per trail: logging off, delivery errors, narrowed event selectors.' },
      ),
    )
    .withPanel(
      valuesTable(
        'Digest validation results',
        { query: DIGESTS, by: ['sentrail.integrity.trail', 'sentrail.integrity.result'] },
        { description: 'CloudTrail digest files checked: signature, chain and the log files they list.' },
      ),
    )
    .withPanel(overTime('Digest validations over time', { query: DIGESTS, by: ['sentrail.integrity.result'] }))
    .withPanel(
      overTime(
        'Events per source over time',
        { query: 'event.dataset:*', by: ['event.dataset'] },
        { description: 'A source that stops appearing here has fallen silent.' },
      ),
    )
    .withPanel(
      valuesTable(
        'Silent sources (10.7.2)',
        { datasource: ALERTS, query: SILENCE, by: ['entity.value', 'status'], size: 50 },
        {
          width: 24,
          description: 'sentrail_source_silence alerts: a source, account or Wazuh agent not heard from for too long.',
        },
      ),
    )
    .build();
}
