// Wazuh agents' alerts: by level and rule group, file integrity changes, and agents that stopped
// or fell silent (PCI DSS 10.3.4, 10.7.2).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { ALERTS } from './datasources.js';
import { overTime, sentrailDashboard, topValues, valuesTable } from './panels.js';

const WAZUH = 'event.dataset:wazuh.alerts';

export function wazuhAgents(): Dashboard {
  return sentrailDashboard(
    'sentrail-wazuh-agents',
    'Wazuh agents',
    'Wazuh alerts by level, rule group and agent; file integrity changes; stopped and disconnected agents.',
  )
    .withPanel(overTime('Alerts by level', { query: WAZUH, by: ['wazuh.rule.level'] }, { width: 24 }))
    .withPanel(topValues('By rule group', { query: WAZUH, by: ['wazuh.rule.groups'], size: 15 }))
    .withPanel(topValues('By agent', { query: WAZUH, by: ['agent.name'], size: 15 }))
    .withPanel(topValues('By PCI DSS requirement', { query: WAZUH, by: ['pci_dss.requirements'], size: 15 }))
    .withPanel(
      valuesTable('File integrity changes', {
        query: `${WAZUH} AND wazuh.rule.groups:syscheck`,
        by: ['agent.name', 'file.path', 'wazuh.syscheck.event'],
        size: 30,
      }),
    )
    .withPanel(
      valuesTable('Stopped or disconnected agents', {
        datasource: ALERTS,
        query: 'rule.name:(wazuh_agent_stopped OR wazuh_agent_disconnected OR sentrail_source_silence)',
        by: ['rule.name', 'entity.value', 'status'],
        size: 30,
      }),
    )
    .build();
}
