// The alert queue as on-call engineers see it: what is open, how severe, from which rules and for
// which entities, how fast people respond (response.* on each alert, set when it is acknowledged
// or closed), and which exceptions mute alerts now.
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
      overTime(
        'Time to acknowledge (ms), average by severity',
        {
          datasource: ALERTS,
          query: 'response.time_to_acknowledge_ms:*',
          by: ['rule.severity'],
          metric: { type: 'avg', field: 'response.time_to_acknowledge_ms' },
        },
        { width: 24, description: 'From when Sentrail opened the alert to its acknowledgement, by when it opened.' },
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
