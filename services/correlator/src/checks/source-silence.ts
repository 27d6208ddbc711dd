// PCI DSS 10.7: a failure of logging is detected. Every source, AWS account and Wazuh agent heard
// is remembered with when it was last heard; one quiet for longer than the limit raises an alert,
// the same alert for as long as the same silence lasts (its id is fixed by when it was last heard).
import { createHash } from 'node:crypto';
import type { EcsDocument } from '@sentrail/lib/ecs';
import type { Detection } from '../alerts/alert.js';

export const SILENCE_RULE = {
  id: 'sentrail-check-source-silence',
  name: 'sentrail_source_silence',
  severity: 'high',
} as const;

/** Sources remembered at most: datasets × accounts × agents of a large estate, in bounded memory. */
const MAX_SOURCES = 100_000;

export class SourceSilence {
  private readonly lastHeard = new Map<string, number>();

  /** What a document says was heard: its dataset, and its account or agent within it. */
  heard(document: EcsDocument, at = Date.now()): void {
    const dataset = document.event.dataset;
    this.remember(dataset, at);
    const account = document.cloud?.account?.id;
    if (account) this.remember(`${dataset} account ${account}`, at);
    if (document.event.dataset === 'wazuh.alerts' && document.agent?.id)
      this.remember(`${dataset} agent ${document.agent.id} ${document.agent.name ?? ''}`.trimEnd(), at);
  }

  /** An alert for every source quiet for more than `silenceMs` at `now`. */
  silent(silenceMs: number, now = Date.now()): Detection[] {
    const detections: Detection[] = [];
    for (const [source, at] of this.lastHeard) {
      if (now - at <= silenceMs) continue;
      detections.push({
        alert: { id: createHash('sha256').update(`${SILENCE_RULE.id}\n${source}\n${at}`).digest('hex') },
        rule: { ...SILENCE_RULE },
        pci_dss: { requirements: ['10.7.2'] },
        entity: { type: 'source', value: source },
        first_seen: new Date(at + silenceMs).toISOString(),
        last_seen: new Date(now).toISOString(),
        count: 1,
        evidence: { event_ids: [] },
      });
    }
    return detections;
  }

  private remember(source: string, at: number): void {
    this.lastHeard.delete(source);
    this.lastHeard.set(source, Math.max(at, this.lastHeard.get(source) ?? 0));
    if (this.lastHeard.size > MAX_SOURCES) this.lastHeard.delete(this.lastHeard.keys().next().value!);
  }
}
