// `./sentrail detect [--rules DIR] --source <cloudtrail|wazuh|k8s|infra|ecs> [FILE]`: the rules over a
// file with no server, raw records normalized first by the normalizer's own code, alerts printed as
// NDJSON. One pass, in file order, so correlations see the events as the correlator would.
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCommandConfig } from '@sentrail/lib/config';
import type { EcsDocument } from '@sentrail/lib/ecs';
import { createContext } from '@sentrail/normalizer/dist/context-labels.js';
import {
  normalizeInput,
  openInput,
  readRecords,
  SOURCES,
  UsageError,
  type Io,
} from '@sentrail/normalizer/dist/normalize-command.js';
import { Detector } from './detector.js';
import { loadRulePack } from './rule-pack.js';

export const USAGE = `usage: sentrail detect [--rules DIR] --source <${[...Object.keys(SOURCES), 'ecs'].join('|')}> [FILE]
  Runs the rules of DIR (default: correlator.rulesDir) over FILE (stdin when absent or -) with no server
  and prints the alerts as NDJSON. Raw records (NDJSON, a CloudTrail Records file, a K8s EventList,
  gzipped or not) are normalized first; --source ecs reads normalized documents (NDJSON).
  Exit status: 0 done, 1 some records rejected or rules refused, 2 usage or configuration error.
`;

type Source = keyof typeof SOURCES | 'ecs';

/** Each input record as an ECS document with its id, or the reason it is not one. */
async function* documents(
  input: Readable,
  source: Source,
  file: string | undefined,
  context: ReturnType<typeof createContext>,
): AsyncGenerator<{ where: string; id?: string; document?: EcsDocument; error?: string }> {
  if (source !== 'ecs') {
    for await (const { record, result } of normalizeInput(input, SOURCES[source], file, context)) {
      yield result.ok
        ? { where: record.where, id: result.id, document: result.document }
        : { where: record.where, error: result.error };
    }
    return;
  }
  for await (const record of readRecords(input)) {
    try {
      const document = JSON.parse(record.text) as EcsDocument;
      if (typeof document?.event?.id !== 'string') throw new Error('not an ECS document: event.id is missing');
      yield { where: record.where, id: document.event.id, document };
    } catch (error) {
      yield { where: record.where, error: (error as Error).message };
    }
  }
}

export async function runDetect(args: string[], io: Io): Promise<number> {
  let values;
  let file: string | undefined;
  try {
    const parsed = parseArgs({
      args,
      options: { rules: { type: 'string' }, source: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
    values = parsed.values;
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (!values.source || !(values.source === 'ecs' || Object.hasOwn(SOURCES, values.source)))
      throw new UsageError(values.source ? `unknown --source "${values.source}"` : '--source is required');
    if (parsed.positionals.length > 1) throw new UsageError(`one FILE at most, not ${parsed.positionals.length}`);
    file = parsed.positionals[0] === '-' ? undefined : parsed.positionals[0];
  } catch (error) {
    io.stderr.write(`sentrail detect: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const config = loadCommandConfig('detect', io.stderr);
  if (!config) return 2;
  let input: Readable;
  try {
    input = await openInput(file, io.stdin);
  } catch (error) {
    io.stderr.write(`sentrail detect: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  // --rules is relative to where the command runs; the configured folder to the configuration file.
  const configDir = dirname(resolve(process.env['SENTRAIL_CONFIG'] ?? 'sentrail.yaml'));
  const rulesDir = values.rules ? resolve(values.rules) : resolve(configDir, config.correlator.rulesDir);
  let pack;
  try {
    pack = await loadRulePack(rulesDir);
  } catch (error) {
    io.stderr.write(`sentrail detect: cannot read the rules in ${rulesDir}: ${(error as Error).message}\n`);
    return 2;
  }
  for (const refused of pack.refused)
    io.stderr.write(`rule refused: ${refused.id ?? '-'} ${refused.file}: ${refused.reason}\n`);
  const detector = new Detector(pack);
  const label = file ?? 'stdin';
  let records = 0;
  let rejected = 0;
  let alerts = 0;
  for await (const entry of documents(input, values.source as Source, file, createContext(config.normalizer.context))) {
    records++;
    if (!entry.document) {
      rejected++;
      io.stderr.write(`${label}:${entry.where}: ${entry.error}\n`);
      continue;
    }
    for (const detection of detector.detect(entry.id!, entry.document)) {
      alerts++;
      if (!io.stdout.write(`${JSON.stringify(detection)}\n`)) await once(io.stdout, 'drain');
    }
  }
  io.stderr.write(
    `${records} records: ${rejected} rejected; ${alerts} alerts from ${pack.rules.length + pack.correlations.length} rules\n`,
  );
  return rejected > 0 || pack.refused.length > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runDetect(process.argv.slice(2), process);
}
