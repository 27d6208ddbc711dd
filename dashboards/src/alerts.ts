// The alert queue as on-call engineers see it: what is open, how severe, from which rules and for
// which entities, and which exceptions mute alerts now. Time to acknowledge is not shown: an
// alert's status_history is an object array, not nested, so no aggregation can pair the
// `acknowledged` entry with its time, and Sentrail uses no scripts (DESIGN.md §3).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { ALERT_EXCEPTIONS, ALERTS } from './datasources.js';
import { countStat, overTime, sentrailDashboard, topValues, valuesTable } from './panels.js';

const OPEN = 'status:open';

export function alerts(): Dashboard {
  return sentrailDashboard(
    'sentrail-alerts',
    'Alerts',
    "Alerts by status, severity, rule and entity, and the exceptions in force. Triage happens in the API's alert queue.",
  )
    .withPanel(countStat('Open', { datasource: ALERTS, query: OPEN }, { width: 8 }))
    .withPanel(countStat('Acknowledged', { datasource: ALERTS, query: 'status:acknowledged' }, { width: 8 }))
    .withPanel(countStat('Closed', { datasource: ALERTS, query: 'status:closed' }, { width: 8 }))
    .withPanel(topValues('Open by severity', { datasource: ALERTS, query: OPEN, by: ['rule.severity'] }))
    .withPanel(topValues('Open by rule', { datasource: ALERTS, query: OPEN, by: ['rule.name'], size: 20 }))
    .withPanel(topValues('Open by entity', { datasource: ALERTS, query: OPEN, by: ['entity.value'], size: 20 }))
    .withPanel(
      overTime(
        'Alerts raised by severity',
        { datasource: ALERTS, query: 'rule.severity:*', by: ['rule.severity'] },
        { width: 24 },
      ),
    )
    .withPanel(
      valuesTable('Alerts by rule and status', {
        datasource: ALERTS,
        query: 'rule.name:*',
        by: ['rule.name', 'status'],
        size: 50,
      }),
    )
    .withPanel(
      valuesTable(
        'Exceptions in force',
        { datasource: ALERT_EXCEPTIONS, query: 'expires_at:>now', by: ['rule.id', 'entity.value', 'by'], size: 50 },
        {
          description: "Unexpired exceptions made in the dashboard's time range: the alerts they mute are not raised.",
        },
      ),
    )
    .build();
}
