// The notifiers of correlator.notifiers: each section is named after its notifier.
import { ConfigError } from '../config.js';
import type { Notifier } from './notifier.js';
import { PAGERDUTY, pagerDuty } from './pagerduty.js';
import { SLACK, slack } from './slack.js';
import { WEBHOOK, webhook } from './webhook.js';

const FACTORIES: ReadonlyMap<string, (section: unknown) => Notifier> = new Map<string, (section: unknown) => Notifier>([
  [WEBHOOK, webhook],
  [SLACK, slack],
  [PAGERDUTY, pagerDuty],
]);

/** The configured notifiers, each section checked by its own schema; disabled ones are left out. */
export function createNotifiers(sections: Record<string, Record<string, unknown>>): Notifier[] {
  return Object.entries(sections)
    .map(([name, section]) => {
      const create = FACTORIES.get(name);
      if (!create) {
        const path = `correlator.notifiers.${name}`;
        throw new ConfigError(path, [`${path}: unknown notifier (known: ${[...FACTORIES.keys()].join(', ')})`]);
      }
      return create(section);
    })
    .filter((notifier) => notifier.settings.enabled);
}
