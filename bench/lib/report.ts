import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { createElastic } from '@sentrail/lib/elastic';
import { REPO_ROOT, testConfig } from '@sentrail/lib/testing';

/** One line of the summary table `npm run bench` prints: the same shape for every benchmark. */
export interface Summary {
  /** The headline figure, e.g. records per second or a p50 latency. */
  figure: number;
  unit: string;
  /** The limit measured in the same run, in the same unit, where there is one. */
  limit?: number;
  /** How the figure compares with the limit: 1 is as good as the limit, lower is worse. */
  ratio?: number;
  /** The aim the figure is held to, as words ("≥ 0.8 of the limit"), and whether this run met it. */
  aim?: string;
  met?: boolean;
  /** Peak resident memory, MiB, of the processes that did the work when they are not this one (services). */
  memory?: Record<string, number>;
}

export interface Result {
  /** What was measured over: `records` is the corpus size, the rest says how it was made. */
  corpus: { records: number } & Record<string, unknown>;
  summary: Summary;
  [figures: string]: unknown;
}

/** The machine a figure was measured on: figures from different machines do not compare. */
const machine = () => ({
  cores: availableParallelism(),
  cpu: cpus()[0]?.model,
  memory_gib: Math.round(totalmem() / 2 ** 30),
});

/** Node's, the Elasticsearch server's own, and the JVM servers' as infra/pom.xml pins them. */
async function versions(): Promise<Record<string, string>> {
  const pom = readFileSync(join(REPO_ROOT, 'infra/pom.xml'), 'utf8');
  const pinned = (name: string) => {
    const version = new RegExp(`<${name}\\.version>([^<]+)<`).exec(pom)?.[1];
    if (!version) throw new Error(`infra/pom.xml pins no ${name}.version`);
    return version;
  };
  const elastic = createElastic(testConfig().elasticsearch);
  try {
    // The node's own info: on this server GET / answers 405.
    const { nodes } = await elastic.nodes.info({ node_id: '_local', metric: '_none' });
    return {
      node: process.version,
      elasticsearch: Object.values(nodes)[0]?.version ?? 'unknown',
      kafka: pinned('kafka'),
      elasticmq: pinned('elasticmq'),
      s3proxy: pinned('s3proxy'),
    };
  } finally {
    await elastic.close();
  }
}

/**
 * Writes bench/results/<name>.json: the figures with the date, machine, versions and this process's
 * peak resident memory (the benchmark's, or the service's when it runs in-process), and returns the path.
 */
export async function writeResult(name: string, result: Result): Promise<string> {
  const folder = join(REPO_ROOT, 'bench/results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${name}.json`);
  const report = {
    benchmark: name,
    date: new Date().toISOString(),
    machine: machine(),
    versions: await versions(),
    // maxRSS is in KiB.
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    ...result,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
