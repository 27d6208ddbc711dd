// PCI DSS 10.7: a failure of logging is detected. Every source, AWS account and Wazuh agent heard
// is remembered with when it was last heard; one quiet for longer than the limit raises an alert,
// the same alert for as long as the same silence lasts (its id is fixed by when it was last heard).
// A restart recalls what was heard from the events in Elasticsearch, so a source that fell silent
// before it is not forgotten.
import { createHash } from 'node:crypto';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { aliases, type ElasticClient } from '@sentrail/lib/elastic';
import type { Detection } from '@sentrail/lib/alerts/alert';

export const SILENCE_RULE = {
  id: 'sentrail-check-source-silence',
  name: 'sentrail_source_silence',
  severity: 'high',
} as const;

/** Sources remembered at most: datasets × accounts × agents of a large estate, in bounded memory. */
const MAX_SOURCES = 100_000;

/** How far back a restart recalls sources: one quiet for longer is taken as retired, not silent. */
export const RECALL_MS = 7 * 24 * 3_600_000;

/** What a document says was heard: its dataset, and its account or Wazuh agent within it. */
interface Heard {
  dataset: string;
  account?: string;
  agent?: { id?: string; name?: string };
}

type SourceBucket = {
  key: Record<'dataset' | 'account' | 'agent_id' | 'agent_name', string | null>;
  last: { value: number | null };
};

export class SourceSilence {
  private readonly lastHeard = new Map<string, number>();

  heard(document: EcsDocument, at = Date.now()): void {
    this.heardFrom(
      { dataset: document.event.dataset, account: document.cloud?.account?.id, agent: document.agent },
      at,
    );
  }

  /**
   * Remembers every source, account and agent with events received (event.ingested) in the
   * recall period before `now`, as last heard when the newest of them was received.
   */
  async recall(client: ElasticClient, prefix: string, now = Date.now()): Promise<number> {
    const { events } = aliases(prefix);
    const term = (field: string) => ({ terms: { field, missing_bucket: true } });
    let after: Record<string, string | null> | undefined;
    let recalled = 0;
    do {
      const result = await client.search<unknown, { sources: { buckets: SourceBucket[]; after_key?: typeof after } }>({
        index: events,
        size: 0,
        ignore_unavailable: true,
        query: { range: { 'event.ingested': { gte: new Date(now - RECALL_MS).toISOString() } } },
        aggs: {
          sources: {
            composite: {
              size: 1000,
              sources: [
                { dataset: term('event.dataset') },
                { account: term('cloud.account.id') },
                { agent_id: term('agent.id') },
                { agent_name: term('agent.name') },
              ],
              ...(after ? { after } : {}),
            },
            aggs: { last: { max: { field: 'event.ingested' } } },
          },
        },
      });
      const { buckets = [], after_key } = result.aggregations?.sources ?? {};
      for (const { key, last } of buckets) {
        if (key.dataset === null || last.value === null) continue;
        const agent = { id: key.agent_id ?? undefined, name: key.agent_name ?? undefined };
        this.heardFrom({ dataset: key.dataset, account: key.account ?? undefined, agent }, last.value);
        recalled++;
      }
      after = buckets.length > 0 ? after_key : undefined;
    } while (after);
    return recalled;
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

  private heardFrom({ dataset, account, agent }: Heard, at: number): void {
    this.remember(dataset, at);
    if (account) this.remember(`${dataset} account ${account}`, at);
    if (dataset === 'wazuh.alerts' && agent?.id)
      this.remember(`${dataset} agent ${agent.id} ${agent.name ?? ''}`.trimEnd(), at);
  }

  private remember(source: string, at: number): void {
    this.lastHeard.delete(source);
    this.lastHeard.set(source, Math.max(at, this.lastHeard.get(source) ?? 0));
    if (this.lastHeard.size > MAX_SOURCES) this.lastHeard.delete(this.lastHeard.keys().next().value!);
  }
}
