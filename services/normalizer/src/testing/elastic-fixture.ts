import { createElastic, installTemplates } from '@sentrail/lib/elastic';
import { dropIndexPrefix, testConfig, uniqueName } from '@sentrail/lib/testing';

/**
 * A test's own index prefix on the shared Elasticsearch, with Sentrail's templates installed as a
 * service installs them; `remove` deletes its indices (by name: wildcard deletes are refused) and templates.
 */
export async function elasticFixture(name: string) {
  const prefix = uniqueName(name);
  const config = testConfig({ SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: prefix });
  const client = createElastic(config.elasticsearch);
  await installTemplates(client, config.elasticsearch);
  return {
    prefix,
    config,
    client,
    /** Documents in an index, counting everything written before the call. */
    async count(index: string): Promise<number> {
      await client.indices.refresh({ index });
      return (await client.count({ index })).count;
    },
    /** How many of these documents are there, by index and id. */
    async countIds(requests: { id: string; index: string }[]): Promise<number> {
      const index = [...new Set(requests.map((request) => request.index))];
      await client.indices.refresh({ index, ignore_unavailable: true });
      const query = { ids: { values: requests.map(({ id }) => id) } };
      return (await client.count({ index, query, ignore_unavailable: true })).count;
    },
    async remove(): Promise<void> {
      await dropIndexPrefix(client, prefix);
      await client.close();
    },
  };
}
