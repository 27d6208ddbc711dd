// Authentication across sources (AWS console and STS, sshd via Wazuh, Kubernetes): failures, who
// and where from, and the brute-force correlations they raised (PCI DSS 10.2.1.4).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { ALERTS } from './datasources.js';
import { countStat, overTime, sentrailDashboard, topValues } from './panels.js';
import { narrowed, termsVariable, USER } from './variables.js';

const AUTHENTICATION = narrowed('event.category:authentication', [USER]);
const FAILURES = `${AUTHENTICATION} AND event.outcome:failure`;

export function authentication(): Dashboard {
  return sentrailDashboard(
    'sentrail-authentication',
    'Authentication',
    'Logins and their failures by user, source address and source, with the brute-force alerts they raised.',
  )
    .withVariable(termsVariable(USER))
    .withPanel(countStat('Authentications', { query: AUTHENTICATION }, { width: 8 }))
    .withPanel(countStat('Failures', { query: FAILURES }, { width: 8 }))
    .withPanel(countStat('Brute-force alerts', { datasource: ALERTS, query: 'rule.name:*brute_force*' }, { width: 8 }))
    .withPanel(overTime('Failures over time by source', { query: FAILURES, by: ['event.dataset'] }))
    .withPanel(overTime('Authentications by outcome', { query: AUTHENTICATION, by: ['event.outcome'] }))
    .withPanel(topValues('Top users failing', { query: FAILURES, by: ['user.name'] }))
    .withPanel(topValues('Top source addresses failing', { query: FAILURES, by: ['source.ip'] }))
    .withPanel(
      topValues('Brute-force alerts by entity', {
        datasource: ALERTS,
        query: 'rule.name:*brute_force*',
        by: ['entity.value'],
      }),
    )
    .build();
}
