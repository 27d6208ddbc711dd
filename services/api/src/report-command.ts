// `./sentrail report pci-dss-10 --from ISO --to ISO --out DIR [--attach FILE]…`: the auditor evidence
// report for a period, built from Elasticsearch with no API running, written as a signed bundle that
// `sentrail verify-export` checks offline.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCommandConfig, type SentrailConfig } from '@sentrail/lib/config';
import { createElastic } from '@sentrail/lib/elastic';
import { BUNDLE_MANIFEST_NAME } from './exports/manifest.js';
import { ensureSigningKey } from './exports/signing-key.js';
import { operator } from './operator.js';
import { BadRequestError } from './query/bad-request.js';
import { checkTimeRange, MAX_RANGE_DAYS, type TimeRange } from './query/time-range.js';
import { checkAttachmentNames, checkEmptyFolder, writeReportBundle } from './reports/pci-dss-10/report-bundle.js';
import { buildPciReport, type PciReport } from './reports/pci-dss-10/report.js';

export const USAGE = `usage: sentrail report pci-dss-10 --from ISO --to ISO --out DIR [--attach FILE]…
  Builds the PCI DSS requirement 10 evidence report of the events with from <= @timestamp < to (ISO
  8601, at most ${MAX_RANGE_DAYS} days) from Elasticsearch, and writes the bundle DIR (created; it must be
  empty): report.json, report.html, report.pdf, each FILE attached (exports and their manifests) and
  ${BUNDLE_MANIFEST_NAME}, which lists every file with its size and SHA-256, signed with the key of
  api.signingKeyFile. Check a bundle with: sentrail verify-export DIR DIR/${BUNDLE_MANIFEST_NAME}
  Exit status: 0 written, 1 failed (Elasticsearch unavailable, Chromium missing), 2 usage or configuration error.
`;

const REPORTS = ['pci-dss-10'];

export interface Io {
  stdout: Writable;
  stderr: Writable;
}

class UsageError extends Error {}

interface Command {
  range: TimeRange;
  out: string;
  attachments: string[];
}

function parseCommand(args: string[]): Command | 'help' {
  const { values, positionals } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      attach: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) return 'help';
  const [report, ...rest] = positionals;
  if (report === undefined) throw new UsageError(`a report is required: ${REPORTS.join(', ')}`);
  if (!REPORTS.includes(report)) throw new UsageError(`unknown report "${report}" (one of ${REPORTS.join(', ')})`);
  if (rest.length > 0) throw new UsageError(`${report} takes no arguments besides its options, not "${rest[0]}"`);
  const range = checkTimeRange(values.from, values.to, { from: '--from', to: '--to' });
  if (values.out === undefined || values.out.trim() === '') throw new UsageError('--out is required');
  return { range, out: resolve(values.out), attachments: (values.attach ?? []).map((path) => resolve(path)) };
}

/** What makes a bundle impossible, found before Elasticsearch is asked anything. */
async function checkTarget({ out, attachments }: Command): Promise<void> {
  try {
    checkAttachmentNames(attachments);
  } catch (error) {
    throw new UsageError(`--attach ${(error as Error).message}`);
  }
  for (const path of attachments)
    await access(path, constants.R_OK).catch((error: Error) => {
      throw new UsageError(`--attach ${path}: cannot be read: ${error.message}`);
    });
  try {
    await checkEmptyFolder(out);
  } catch (error) {
    throw new UsageError(`--out ${(error as Error).message}`);
  }
}

async function build(command: Command, config: SentrailConfig, io: Io): Promise<PciReport | undefined> {
  const elastic = createElastic(config.elasticsearch);
  try {
    return await buildPciReport({
      elastic,
      prefix: config.elasticsearch.indexPrefix,
      retention: config.normalizer.retention,
      range: command.range,
      generatedBy: { name: operator('report') },
    });
  } catch (error) {
    io.stderr.write(`sentrail report: Elasticsearch at ${config.elasticsearch.node}: ${(error as Error).message}\n`);
    return undefined;
  } finally {
    await elastic.close();
  }
}

async function run(command: Command, config: SentrailConfig, io: Io): Promise<number> {
  const key = await ensureSigningKey(config.api.signingKeyFile);
  const report = await build(command, config, io);
  if (!report) return 1;
  let manifest;
  try {
    manifest = await writeReportBundle({ dir: command.out, report, key, attachments: command.attachments });
  } catch (error) {
    io.stderr.write(`sentrail report: cannot write the bundle ${command.out}: ${(error as Error).message}\n`);
    return 1;
  }
  const verdicts = new Map<string, number>();
  for (const { evidence } of report.sections) verdicts.set(evidence, (verdicts.get(evidence) ?? 0) + 1);
  io.stdout.write(
    `wrote the PCI DSS 10 report of ${report.range.from} to ${report.range.to} ` +
      `(${[...verdicts].map(([evidence, count]) => `${count} ${evidence}`).join(', ')}) to ${command.out}:\n` +
      manifest.files.map(({ name, bytes }) => `  ${name}  ${bytes} bytes\n`).join('') +
      `  ${BUNDLE_MANIFEST_NAME}  bundle ${manifest.id}, signed by key ${manifest.public_key_sha256}\n` +
      `check it with: sentrail verify-export ${command.out} ${resolve(command.out, BUNDLE_MANIFEST_NAME)}\n`,
  );
  return 0;
}

/** The whole command; resolves with its exit status. `env` holds the SENTRAIL_* overrides. */
export async function runReport(args: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let command: Command | 'help';
  try {
    command = parseCommand(args);
    if (command !== 'help') await checkTarget(command);
  } catch (error) {
    const usage =
      error instanceof UsageError ||
      error instanceof BadRequestError ||
      (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') === true;
    if (!usage) throw error;
    io.stderr.write(`sentrail report: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (command === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  const config = loadCommandConfig('report', io.stderr, { env });
  return config ? run(command, config, io) : 2;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runReport(process.argv.slice(2), process);
}
