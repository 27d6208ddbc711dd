// AWS API activity from CloudTrail: by account, region, service and user; errors and denials; the
// root user; console logins.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { countStat, overTime, sentrailDashboard, topValues, valuesTable } from './panels.js';
import { ACCOUNT, narrowed, REGION, termsVariable, USER } from './variables.js';

const VARIABLES = [ACCOUNT, REGION, USER];
const CLOUDTRAIL = narrowed('event.dataset:aws.cloudtrail', VARIABLES);
const FAILED = `${CLOUDTRAIL} AND event.outcome:failure`;
const ROOT = `${CLOUDTRAIL} AND aws.cloudtrail.user_identity.type:Root`;
const CONSOLE_LOGINS = `${CLOUDTRAIL} AND event.action:ConsoleLogin`;

export function cloudtrailActivity(): Dashboard {
  return sentrailDashboard(
    'sentrail-cloudtrail',
    'CloudTrail activity',
    'AWS API calls by account, region, service and user; failed and denied calls; root use; console logins.',
  )
    .withVariable(termsVariable(ACCOUNT))
    .withVariable(termsVariable(REGION))
    .withVariable(termsVariable(USER))
    .withPanel(countStat('API calls', { query: CLOUDTRAIL }))
    .withPanel(countStat('Failed or denied calls', { query: FAILED }))
    .withPanel(countStat('Root user calls', { query: ROOT }))
    .withPanel(countStat('Console logins', { query: CONSOLE_LOGINS }))
    .withPanel(overTime('Calls by service', { query: CLOUDTRAIL, by: ['cloud.service.name'] }, { width: 24 }))
    .withPanel(topValues('By account', { query: CLOUDTRAIL, by: ['cloud.account.id'] }))
    .withPanel(topValues('By region', { query: CLOUDTRAIL, by: ['cloud.region'] }))
    .withPanel(topValues('By user', { query: CLOUDTRAIL, by: ['user.name'] }))
    .withPanel(valuesTable('Failed or denied calls', { query: FAILED, by: ['user.name', 'event.action'], size: 20 }))
    .withPanel(topValues('Error codes', { query: `${CLOUDTRAIL} AND error.code:*`, by: ['error.code'] }, { width: 12 }))
    .withPanel(
      valuesTable('Console logins', {
        query: CONSOLE_LOGINS,
        by: ['user.name', 'source.ip', 'event.outcome'],
        size: 20,
      }),
    )
    .withPanel(valuesTable('Root user calls', { query: ROOT, by: ['event.action', 'source.ip'], size: 20 }))
    .build();
}
