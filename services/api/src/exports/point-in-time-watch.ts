// For tests: what an Elasticsearch client does with points in time, seen through the client's own
// diagnostic events (the requests still go to the real server): the searches made, the points in
// time opened and those closed.
import type { DiagnosticResult } from '@elastic/elasticsearch';
import type { ElasticClient } from '@sentrail/lib/elastic';

export interface PointInTimeWatch {
  searches: number;
  opened: string[];
  closed: string[];
  stop(): void;
}

export function watchPointsInTime(client: ElasticClient): PointInTimeWatch {
  const watch: PointInTimeWatch = {
    searches: 0,
    opened: [],
    closed: [],
    stop: () => client.diagnostic.off('response', listener),
  };
  const listener = (error: unknown, result: Required<DiagnosticResult> | null) => {
    if (error || !result) return;
    const { method, path, body } = result.meta.request.params;
    if (path === '/_search') watch.searches += 1;
    else if (method === 'POST' && path.endsWith('/_pit')) watch.opened.push((result.body as { id: string }).id);
    else if (method === 'DELETE' && path === '/_pit')
      watch.closed.push((JSON.parse(body as string) as { id: string }).id);
  };
  client.diagnostic.on('response', listener);
  return watch;
}
