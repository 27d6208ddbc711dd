// The template variables: one Elasticsearch terms query each, over the events alias, so a dashboard
// can be narrowed to an account, a region or a user.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { EVENTS } from './datasources.js';

export interface TermsVariable {
  name: string;
  label: string;
  field: string;
}

export const ACCOUNT: TermsVariable = { name: 'account', label: 'Account', field: 'cloud.account.id' };
export const REGION: TermsVariable = { name: 'region', label: 'Region', field: 'cloud.region' };
export const USER: TermsVariable = { name: 'user', label: 'User', field: 'user.name' };

/** `*` for All: Grafana passes a custom all value through unescaped, so `field:$name` matches any value. */
export const ALL_VALUE = '*';

export function termsVariable(variable: TermsVariable): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(variable.name)
    .label(variable.label)
    .datasource(EVENTS.ref)
    .query(JSON.stringify({ find: 'terms', field: variable.field, size: 500 }))
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .includeAll(true)
    .allValue(ALL_VALUE)
    .current({ text: 'All', value: '$__all' });
}

/** The query narrowed by each variable: `query AND field:$name …`. */
export function narrowed(query: string, variables: readonly TermsVariable[]): string {
  return [query, ...variables.map((variable) => `${variable.field}:$${variable.name}`)].join(' AND ');
}
