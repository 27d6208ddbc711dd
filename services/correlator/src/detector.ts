// What the correlator raises for one event: an alert per matching detection rule (unless it only
// feeds a correlation), and whatever the correlations raise or update with it. Alert ids are
// deterministic, so the same event seen twice raises nothing new (the alert store folds it in).
import { createHash } from 'node:crypto';
import { correlationEntity, type EcsDocument } from '@sentrail/lib/ecs';
import type { Detection } from '@sentrail/lib/alerts/alert';
import { CorrelationEngine, type CorrelationAlert } from './correlation/engine.js';
import type { RulePack } from './rule-pack.js';
import { RuleIndex } from './rule-index.js';
import { matchDocument } from './sigma/target.js';

/** `pci_dss.10.2.1.4` tags → `10.2.1.4`. */
export const pciRequirements = (tags: readonly string[]) =>
  tags.filter((tag) => tag.startsWith('pci_dss.')).map((tag) => tag.slice('pci_dss.'.length));

/** The alert's entity: the correlation entity, else the resource acted on. */
export function entityOf(document: EcsDocument): Detection['entity'] {
  return (
    correlationEntity(document) ?? {
      type: 'resource',
      value: document.resource?.id ?? document.resource?.name ?? 'unknown',
    }
  );
}

const ENTITY_TYPES: Record<string, string> = {
  'user.name': 'user',
  'user.id': 'user',
  'source.ip': 'ip',
  'host.name': 'host',
};

export class Detector {
  /** Rules and correlations that only feed a correlation. */
  private readonly silenced: ReadonlySet<string>;
  private readonly engine: CorrelationEngine;
  private readonly index: RuleIndex;

  constructor(private readonly pack: RulePack) {
    // Sigma: a rule or correlation another correlation uses alerts on its own only when that correlation says `generate`.
    this.silenced = new Set(
      pack.correlations.filter((correlation) => !correlation.generate).flatMap((correlation) => correlation.rules),
    );
    this.engine = new CorrelationEngine(pack.correlations);
    this.index = new RuleIndex(pack.rules);
  }

  /** Events dropped by a correlation as older than its window (see CorrelationEngine), for the metrics. */
  get lateEvents(): number {
    return this.engine.lateEvents;
  }

  /** Groups the correlations track now, for the metrics. */
  trackedGroups(): number {
    return this.engine.trackedGroups();
  }

  detect(eventId: string, document: EcsDocument): Detection[] {
    const matched = this.index.candidates(document).filter((rule) => matchDocument(rule, document));
    if (matched.length === 0) return [];
    const time = Date.parse(document['@timestamp']);
    const single = matched
      .filter((rule) => !this.silenced.has(rule.id))
      .map((rule) => ({
        alert: { id: createHash('sha256').update(`${rule.id}\n${eventId}`).digest('hex') },
        rule: { id: rule.id, name: rule.name ?? rule.title, severity: rule.level },
        pci_dss: { requirements: pciRequirements(rule.tags) },
        entity: entityOf(document),
        first_seen: document['@timestamp'],
        last_seen: document['@timestamp'],
        count: 1,
        evidence: { event_ids: [eventId] },
      }));
    const correlated = this.engine.process(
      eventId,
      document,
      matched.map((rule) => rule.id),
      time,
    );
    const alerting = correlated.filter((alert) => !this.silenced.has(alert.correlationId));
    return [...single, ...alerting.map((alert) => this.correlationDetection(alert))];
  }

  private correlationDetection(alert: CorrelationAlert): Detection {
    const correlation = this.pack.correlations.find(({ id }) => id === alert.correlationId);
    return correlationDetection(alert, correlation?.name ?? alert.title);
  }
}

function correlationDetection(alert: CorrelationAlert, name: string): Detection {
  const names = Object.keys(alert.groupKey);
  const type = names.length === 1 ? (ENTITY_TYPES[names[0]!] ?? names[0]!) : names.join('+');
  return {
    alert: { id: alert.alertId },
    rule: { id: alert.correlationId, name, severity: alert.level },
    pci_dss: { requirements: pciRequirements(alert.tags) },
    entity: { type, value: names.map((name) => String(alert.groupKey[name])).join('/') },
    first_seen: new Date(alert.firstSeen).toISOString(),
    last_seen: new Date(alert.lastSeen).toISOString(),
    count: alert.count,
    evidence: { event_ids: alert.eventIds },
  };
}
