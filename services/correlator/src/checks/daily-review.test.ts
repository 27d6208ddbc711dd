import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createElastic, eventsIndexName, installTemplates } from '@sentrail/lib/elastic';
import { dropIndexPrefix, testConfig, uniqueName } from '@sentrail/lib/testing';
import { AlertStore } from '@sentrail/lib/alerts/alert-store';
import type { Detection } from '@sentrail/lib/alerts/alert';
import { dailyReview, writeDailyReview } from './daily-review.js';

const NOW = new Date();
const ago = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();

function detection(id: string, severity: 'high' | 'low', seen: string): Detection {
  return {
    alert: { id },
    rule: { id: `rule-${id}`, name: `rule_${id}`, severity },
    pci_dss: { requirements: ['10.2.1.4'] },
    entity: { type: 'user', value: `user-${id}` },
    first_seen: seen,
    last_seen: seen,
    count: 1,
    evidence: { event_ids: [`event-${id}`] },
  };
}

describe('daily review summary (PCI DSS 10.4.1, real Elasticsearch)', () => {
  const prefix = uniqueName('test-review');
  const config = testConfig({ SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: prefix });
  const client = createElastic(config.elasticsearch);

  before(async () => {
    await installTemplates(client, config.elasticsearch);
    const event = (id: string, at: string, dataset: string, complete: boolean) =>
      client.index({
        index: eventsIndexName(prefix, at),
        id,
        document: { '@timestamp': at, event: { id, dataset }, pci_dss: { complete } },
      });
    await event('in-1', ago(1), 'aws.cloudtrail', true);
    await event('in-2', ago(2), 'aws.cloudtrail', false);
    await event('in-3', ago(3), 'wazuh.alerts', true);
    await event('old', ago(30), 'aws.cloudtrail', false);
    const store = new AlertStore({ client, prefix, suppressionMinutes: 0 });
    await store.raise(detection('a', 'high', ago(5)));
    await store.raise(detection('b', 'low', ago(6)));
    await store.raise(detection('old', 'high', ago(40)));
    await store.acknowledge('a', 'oncall@example.com');
    await store.close('b', 'oncall@example.com', 'false positive');
  });
  after(async () => {
    await dropIndexPrefix(client, prefix);
    await client.close();
  });

  it("counts the last 24 hours' events by source, the incomplete ones, and what happened to alerts", async () => {
    // Reviewed now, after the acknowledgement and the close above.
    const now = new Date();
    const review = await dailyReview(client, prefix, now);
    assert.equal(review.day, now.toISOString().slice(0, 10));
    assert.equal(review.events.total, 3);
    assert.equal(review.events.incomplete, 1);
    assert.deepEqual(review.events.by_dataset, [
      { dataset: 'aws.cloudtrail', count: 2 },
      { dataset: 'wazuh.alerts', count: 1 },
    ]);
    assert.equal(review.alerts.opened, 2);
    assert.deepEqual(
      review.alerts.by_severity.sort((x, y) => x.severity.localeCompare(y.severity)),
      [
        { severity: 'high', count: 1 },
        { severity: 'low', count: 1 },
      ],
    );
    assert.equal(review.alerts.acknowledged, 1);
    assert.equal(review.alerts.closed, 1);
    assert.equal(review.alerts.open_now, 2, 'the acknowledged one and the old one');
  });

  it('keeps one summary a day however often it runs', async () => {
    const review = await dailyReview(client, prefix, NOW);
    await writeDailyReview(client, prefix, review);
    await writeDailyReview(client, prefix, review);
    const { count } = await client.count({ index: `${prefix}-reviews` });
    assert.equal(count, 1);
  });
});
