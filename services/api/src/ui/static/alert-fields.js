// How an alert's parts read, in the queue and on its own page.
import { el, time } from './dom.js';
import { href } from './router.js';

export const severity = (alert) => el('span', { class: `severity ${alert.rule.severity}` }, alert.rule.severity);

/** `user root`, the name a link to the user's trail around the alert's activity. */
export function entity(alert) {
  const { type, value } = alert.entity;
  if (type !== 'user') return `${type} ${value}`;
  const around = {
    range: 'custom',
    from: alert.first_seen,
    to: new Date(Date.parse(alert.last_seen) + 1000).toISOString(),
  };
  return el('span', {}, 'user ', el('a', { href: href(['trail', 'user', value], around) }, value));
}

export const ruleLink = (alert) => el('a', { href: href(['alert', alert.alert.id]) }, alert.rule.name);

export const lastSeen = (alert) => time(alert.last_seen);
