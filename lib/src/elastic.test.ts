import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alertsIndexName, createElastic, eventsIndexName, installTemplates, pingElastic } from './elastic.js';
import { dropIndexPrefix, testConfig, uniqueName } from './testing.js';

describe('index names', () => {
  it('puts an event in the day of its own time in UTC', () => {
    assert.equal(eventsIndexName('sentrail', '2026-03-01T23:30:00-02:00'), 'sentrail-events-2026.03.02');
    assert.equal(eventsIndexName('sentrail', '2026-12-31T23:59:59.999Z'), 'sentrail-events-2026.12.31');
    assert.equal(eventsIndexName('x', Date.UTC(2025, 0, 5)), 'x-events-2025.01.05');
  });

  it('puts alerts in monthly indices', () => {
    assert.equal(alertsIndexName('sentrail', '2026-11-30T23:59:00Z'), 'sentrail-alerts-2026.11');
  });

  it('refuses a timestamp that is not one', () => {
    assert.throws(() => eventsIndexName('sentrail', 'yesterday'), /not a valid timestamp: yesterday/);
  });
});

describe('Elasticsearch (real server)', () => {
  const prefix = uniqueName('test');
  const config = testConfig({ SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: prefix });
  const client = createElastic(config.elasticsearch);

  before(() => installTemplates(client, config.elasticsearch));
  after(async () => {
    await dropIndexPrefix(client, prefix);
    await client.close();
  });

  it('answers the readiness ping', async () => {
    await pingElastic(client);
  });

  it('indexes into the daily index, finds it through the alias, and refuses a second create', async () => {
    const timestamp = '2026-11-28T10:00:00Z';
    const index = eventsIndexName(prefix, timestamp);
    const document = {
      '@timestamp': timestamp,
      event: { id: 'evt-1', action: 'ConsoleLogin', outcome: 'failure', original: '{"eventID":"evt-1"}' },
      user: { name: 'alice' },
      source: { ip: '203.0.113.9' },
      pci_dss: { requirements: ['10.2.1.4'] },
      requestParameters: '{"free":"form"}',
    };
    await client.index({ index, id: 'evt-1', op_type: 'create', document, refresh: 'wait_for' });
    await assert.rejects(
      client.index({ index, id: 'evt-1', op_type: 'create', document }),
      (error: { meta?: { statusCode?: number } }) => error.meta?.statusCode === 409,
    );

    const result = await client.search({
      index: `${prefix}-events`,
      query: {
        bool: {
          filter: [{ term: { 'pci_dss.requirements': '10.2.1.4' } }, { term: { 'source.ip': '203.0.113.0/24' } }],
        },
      },
    });
    assert.equal(result.hits.hits.length, 1);
    assert.equal(result.hits.hits[0]!._index, `${prefix}-events-2026.11.28`);
    assert.deepEqual(result.hits.hits[0]!._source, document);
  });

  it('creates indices with the template mapping: typed ECS fields, nothing dynamic', async () => {
    const index = eventsIndexName(prefix, '2026-11-27T00:00:00Z');
    await client.index({
      index,
      document: { '@timestamp': '2026-11-27T00:00:00Z', surprise: { a: 1 }, event: { original: 'x'.repeat(40_000) } },
      refresh: 'wait_for',
    });
    const mapping = (await client.indices.getMapping({ index }))[index]!.mappings;
    const properties = mapping.properties!;
    assert.equal(mapping.dynamic, 'false');
    assert.equal(properties['@timestamp']!.type, 'date');
    assert.equal(properties['surprise'], undefined, 'an unknown field must not be mapped');
    const event = properties['event'] as { properties: Record<string, { type: string; index?: boolean }> };
    assert.deepEqual(event.properties['original'], { type: 'keyword', index: false, doc_values: false });
    const source = properties['source'] as { properties: Record<string, { type: string }> };
    assert.equal(source.properties['ip']!.type, 'ip');
    const pci = properties['pci_dss'] as { properties: Record<string, { type: string }> };
    assert.equal(pci.properties['requirements']!.type, 'keyword');

    const settings = (await client.indices.getSettings({ index }))[index]!.settings!.index!;
    assert.equal(settings.number_of_replicas, '0');
    const aliases = await client.indices.getAlias({ index });
    assert.ok(aliases[index]!.aliases[`${prefix}-events`], 'the index joins the events alias');
  });

  it('gives alert indices their own mapping and alias', async () => {
    const index = alertsIndexName(prefix, '2026-11-28T00:00:00Z');
    await client.index({ index, id: 'a1', document: { status: 'open', count: 3 }, refresh: 'wait_for' });
    const properties = (await client.indices.getMapping({ index }))[index]!.mappings.properties!;
    assert.equal(properties['status']!.type, 'keyword');
    assert.equal(properties['count']!.type, 'long');
    const found = await client.search({ index: `${prefix}-alerts`, query: { term: { status: 'open' } } });
    assert.equal(found.hits.hits.length, 1);
  });
});
