// Every dashboard Sentrail ships, in the order of the README.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { alerts } from './alerts.js';
import { authentication } from './authentication.js';
import { cloudtrailActivity } from './cloudtrail-activity.js';
import { infrastructureChanges } from './infrastructure-changes.js';
import { pciDssOverview } from './pci-dss-overview.js';
import { pipelineHealth } from './pipeline-health.js';
import { wazuhAgents } from './wazuh-agents.js';

export function allDashboards(): Dashboard[] {
  return [
    pciDssOverview(),
    alerts(),
    authentication(),
    cloudtrailActivity(),
    infrastructureChanges(),
    wazuhAgents(),
    pipelineHealth(),
  ];
}
