// Each service as its own process, the way `npm start` runs it: it connects to the real servers,
// becomes ready, and leaves cleanly on SIGTERM; a bad configuration stops it at start, naming the key.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { createElastic } from '@sentrail/lib/elastic';
import { createKafka, RAW_TOPICS, TOPICS } from '@sentrail/lib/kafka';
import { createLogger } from '@sentrail/lib/logger';
import { dropIndexPrefix, startGroupAtEnd, startServiceProcess, testConfig, uniqueName } from '@sentrail/lib/testing';

const SERVICES = ['ingest', 'normalizer', 'correlator', 'api'] as const;

async function readiness(address: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${address}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('services as processes', () => {
  const config = testConfig();
  const prefix = uniqueName('test-services');
  after(async () => {
    const elastic = createElastic(config.elasticsearch);
    await dropIndexPrefix(elastic, prefix);
    await elastic.close();
  });

  /** The normalizer and correlator with their own groups, from the end of their topics, and their own indices. */
  async function isolation(name: string): Promise<Record<string, string>> {
    const consumes: Record<string, readonly string[]> = { normalizer: RAW_TOPICS, correlator: [TOPICS.events] };
    const topics = consumes[name];
    if (!topics) return {};
    const groupId = uniqueName('test-services');
    await startGroupAtEnd(createKafka(config.kafka, createLogger('services-test', 'silent')), groupId, topics);
    return {
      [`SENTRAIL_${name.toUpperCase()}__GROUP_ID`]: groupId,
      SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: prefix,
    };
  }

  for (const name of SERVICES) {
    it(`${name} becomes ready against the real servers and stops cleanly on SIGTERM`, async () => {
      const service = startServiceProcess(name, await isolation(name));
      const address = await service.address;
      const ready = await readiness(address);
      assert.equal(ready.status, 200, JSON.stringify(ready.body));
      assert.equal(ready.body['status'], 'ready');
      const metrics = await (await fetch(`${address}/metrics`)).text();
      assert.match(metrics, new RegExp(`sentrail_dependency_up\\{dependency="kafka",service="${name}"\\} 1`));

      const exited = once(service.child, 'exit');
      service.child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0, service.stderr.join('\n'));
      const messages = service.logs.map((entry) => entry['message']);
      assert.ok(messages.includes('shutting down'), 'it logs the shutdown');
      assert.ok(!messages.includes('shutdown step failed'), JSON.stringify(service.logs.slice(-5)));
      assert.ok(service.logs.every((entry) => typeof entry['@timestamp'] === 'string' && 'ecs.version' in entry));
    });
  }

  it('reports not ready, naming the dependency that does not answer', async () => {
    const unreachable = startServiceProcess('ingest', { SENTRAIL_INGEST__CLOUDTRAIL_BUCKET: 'no-such-bucket' });
    const ingest = await readiness(await unreachable.address);
    assert.equal(ingest.status, 503);
    const checks = ingest.body['checks'] as Record<string, { status: string }>;
    assert.equal(checks['s3']!.status, 'down');
    assert.equal(checks['kafka']!.status, 'up');
    unreachable.child.kill('SIGTERM');
    await once(unreachable.child, 'exit');
  });

  it('refuses to start with a bad configuration, naming the key', async () => {
    const service = startServiceProcess('normalizer', { SENTRAIL_ELASTICSEARCH__NODE: 'not a url' });
    const [code] = (await once(service.child, 'exit')) as [number | null];
    assert.equal(code, 2);
    assert.match(service.stderr.join('\n'), /elasticsearch\.node: must match .* \(from SENTRAIL_ELASTICSEARCH__NODE\)/);
  });

  it('refuses to start with a bad source setting, naming the key under ingest.sources', async () => {
    const service = startServiceProcess('ingest', { SENTRAIL_INGEST__SOURCES__DEMO__INTERVAL_SECONDS: '0' });
    const [code] = (await once(service.child, 'exit')) as [number | null];
    assert.equal(code, 2);
    assert.match(service.stderr.join('\n'), /ingest\.sources\.demo\.intervalSeconds: must be >= 0\.1/);
  });
});
