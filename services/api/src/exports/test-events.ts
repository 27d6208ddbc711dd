// Events for the export tests: ECS documents as the normalizer writes them, indexed into a test
// prefix's daily indices in one bulk.
import type { EcsDocument } from '@sentrail/lib/ecs';
import { aliases, eventsIndexName, type ElasticClient } from '@sentrail/lib/elastic';

/** An event at `timestamp`; `fields` replaces or adds top-level sets. */
export function testEvent(id: string, timestamp: string, fields: Partial<EcsDocument> = {}): EcsDocument {
  return {
    '@timestamp': timestamp,
    event: {
      id,
      kind: 'event',
      action: 'GetObject',
      outcome: 'success',
      dataset: 'aws.cloudtrail',
      module: 'aws',
      original: JSON.stringify({ eventID: id }),
    },
    user: { name: 'alice' },
    source: { ip: '192.0.2.10', address: '192.0.2.10' },
    resource: { type: 'AWS::S3::Object', id: `arn:aws:s3:::cde-bucket/${id}` },
    cloud: { provider: 'aws', account: { id: '111122223333' }, region: 'eu-west-1' },
    host: { name: 'bastion-1' },
    pci_dss: { requirements: ['10.2.1.1'] },
    ...fields,
  };
}

export async function indexEvents(elastic: ElasticClient, prefix: string, documents: EcsDocument[]): Promise<void> {
  for (let i = 0; i < documents.length; i += 2000) {
    const operations = documents
      .slice(i, i + 2000)
      .flatMap((document) => [
        { create: { _index: eventsIndexName(prefix, document['@timestamp']), _id: document.event.id } },
        document,
      ]);
    const response = await elastic.bulk({ operations });
    const failed = response.items.find((item) => item.create?.error);
    if (failed) throw new Error(`indexing a test event failed: ${JSON.stringify(failed.create?.error)}`);
  }
  await elastic.indices.refresh({ index: aliases(prefix).events });
}
