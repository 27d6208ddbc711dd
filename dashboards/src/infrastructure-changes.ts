// Who changed what in the infrastructure: CloudTrail writes, Kubernetes audit and generic change
// events (Terraform, Argo CD, CloudFormation), for change review and PCI DSS 10.2.1.5 and 10.2.1.7.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { overTime, sentrailDashboard, topValues, valuesTable } from './panels.js';
import { narrowed, termsVariable, USER } from './variables.js';

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

const CLOUDTRAIL_WRITES = narrowed('event.dataset:aws.cloudtrail AND aws.cloudtrail.read_only:false', [USER]);
const KUBERNETES_WRITES = narrowed(
  `event.dataset:kubernetes.audit_logs AND (${WRITE_VERBS.map((verb) => `kubernetes.audit.verb:${verb}`).join(' OR ')})`,
  [USER],
);
const CHANGES = narrowed('event.dataset:sentrail.changes', [USER]);

export function infrastructureChanges(): Dashboard {
  return sentrailDashboard(
    'sentrail-infrastructure-changes',
    'Infrastructure changes',
    'Changes by who made them and what they touched: AWS API writes, Kubernetes writes and change events from deployment tools.',
  )
    .withVariable(termsVariable(USER))
    .withPanel(
      overTime('AWS API writes by service', { query: CLOUDTRAIL_WRITES, by: ['cloud.service.name'] }, { width: 24 }),
    )
    .withPanel(valuesTable('AWS API writes', { query: CLOUDTRAIL_WRITES, by: ['user.name', 'event.action'], size: 30 }))
    .withPanel(
      valuesTable('Kubernetes writes', {
        query: KUBERNETES_WRITES,
        by: ['user.name', 'kubernetes.audit.verb', 'orchestrator.resource.type', 'orchestrator.namespace'],
        size: 30,
      }),
    )
    .withPanel(topValues('Change events by system', { query: CHANGES, by: ['sentrail.change.system'] }))
    .withPanel(
      valuesTable(
        'Change events',
        { query: CHANGES, by: ['user.name', 'event.action', 'event.outcome'], size: 30 },
        { width: 16 },
      ),
    )
    .build();
}
