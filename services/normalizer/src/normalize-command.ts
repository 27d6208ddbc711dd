// `./sentrail normalize --source <source> [FILE]`: a dry run of the normalizer on a file, without any
// server. Records in, one ECS document a line out on stdout; problems and a summary on stderr.
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline, Readable, type Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { loadCommandConfig } from '@sentrail/lib/config';
import { createContext, type NormalizerContext } from './context-labels.js';
import { isObject } from './fields.js';
import { MAPPER_INPUTS, type MapperName } from './mappers/index.js';
import { normalize, type Normalized } from './normalize.js';

/** The --source values and the mapper each one forces. */
export const SOURCES = {
  cloudtrail: 'cloudtrail',
  wazuh: 'wazuh',
  k8s: 'k8sAudit',
  infra: 'changes',
  integrity: 'integrity',
  sentrail: 'sentrailAccess',
} as const satisfies Record<string, MapperName>;
export type SourceName = keyof typeof SOURCES;

export const USAGE = `usage: sentrail normalize --source <${Object.keys(SOURCES).join('|')}> [FILE]
  Maps audit records to ECS documents as the normalizer would, with no server: one document a line on
  stdout, problems and a summary on stderr. FILE (stdin when absent or -) holds NDJSON records, a
  CloudTrail {"Records": [...]} file or a Kubernetes EventList, gzipped or not.
  Exit status: 0 every record mapped, 1 some rejected, 2 usage or configuration error.
`;

export class UsageError extends Error {}

export interface CommandLine {
  source: SourceName;
  /** Undefined for stdin. */
  file: string | undefined;
  help: boolean;
}

export function parseCommandLine(args: string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { source: { type: 'string', short: 's' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const help = values.help ?? false;
  if (help) return { source: 'cloudtrail', file: undefined, help };
  if (values.source === undefined) throw new UsageError('--source is required');
  if (!Object.hasOwn(SOURCES, values.source)) throw new UsageError(`unknown --source "${values.source}"`);
  if (positionals.length > 1) throw new UsageError(`one FILE at most, not ${positionals.length}`);
  const file = positionals[0] === '-' ? undefined : positionals[0];
  return { source: values.source as SourceName, file, help };
}

export interface InputRecord {
  /** The record's JSON text: the line as given, or JSON.stringify of an element of a list document. */
  text: string;
  /** Its place among the input's records, from 1. */
  number: number;
  /** Where a problem with it is reported: its line, or `#number` for an element of a list document. */
  where: string;
}

/** Longest input read whole in the hope it is one pretty-printed document; CloudTrail files are far smaller. */
export const MAX_DOCUMENT_CHARS = 128 * 1024 * 1024;
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** What an iterator has not given yet, for `for await` and `yield*`. */
const rest = <T>(iterator: AsyncIterator<T>): AsyncIterable<T> => ({ [Symbol.asyncIterator]: () => iterator });

/** The input's bytes, gunzipped when they begin with gzip's magic bytes, whatever the file is called. */
async function* gunzipped(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const chunks = input[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let next: IteratorResult<Buffer>;
  while (head.length < GZIP_MAGIC.length && !(next = await chunks.next()).done)
    head = Buffer.concat([head, next.value]);
  const bytes = (async function* () {
    yield head;
    yield* rest(chunks);
  })();
  if (!head.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC)) return yield* bytes;
  // pipeline() destroys the gunzip stream with any error, so reading it throws on corrupt or truncated data.
  yield* pipeline(Readable.from(bytes), createGunzip(), () => undefined) as AsyncIterable<Buffer>;
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** The records of a list document: CloudTrail's {"Records": [...]}, Kubernetes' {"kind": "EventList", "items": [...]}. */
function listedRecords(value: unknown): unknown[] | undefined {
  if (!isObject(value)) return undefined;
  if (Array.isArray(value['Records'])) return value['Records'] as unknown[];
  if (value['kind'] === 'EventList' && Array.isArray(value['items'])) return value['items'] as unknown[];
  return undefined;
}

/**
 * The records of an input, read as it comes: NDJSON one record (or one list document) a line; or,
 * when the first line is not JSON on its own, one pretty-printed document read whole. Records are not
 * checked here: a line that is not JSON is yielded as it is, for normalize() to reject.
 */
export async function* readRecords(
  input: AsyncIterable<Buffer>,
  maxDocumentChars = MAX_DOCUMENT_CHARS,
): AsyncGenerator<InputRecord> {
  const lines = createInterface({ input: Readable.from(gunzipped(input)), crlfDelay: Infinity })[
    Symbol.asyncIterator
  ]();
  let count = 0;
  const records = (text: string, parsed: { value: unknown } | undefined, line: number): InputRecord[] => {
    const listed = listedRecords(parsed?.value);
    if (!listed) return [{ text, number: ++count, where: String(line) }];
    return listed.map((element) => {
      const number = ++count;
      return { text: JSON.stringify(element), number, where: `#${number}` };
    });
  };

  let next = await lines.next();
  let firstLine = 1;
  for (; !next.done && next.value.trim() === ''; next = await lines.next()) firstLine++;
  if (next.done) return;
  const pending = [next.value];
  if (!parseJson(next.value)) {
    // Maybe the opening line of a pretty-printed document: hold lines until the end, or until too long to be one.
    let chars = next.value.length;
    while (chars <= maxDocumentChars && !(next = await lines.next()).done) {
      pending.push(next.value);
      chars += next.value.length + 1;
    }
    if (next.done) {
      const text = pending.join('\n');
      const document = parseJson(text);
      // Not one document: NDJSON with a broken first line, unless no line is JSON by itself.
      if (document || !pending.some((line) => parseJson(line))) return yield* records(text, document, firstLine);
    }
  }

  let line = firstLine - 1;
  const all = (async function* () {
    yield* pending;
    yield* rest(lines);
  })();
  for await (const text of all) {
    line++;
    if (text.trim() === '') continue;
    // Only a line that may be a list document is parsed here; normalize() parses the records themselves.
    yield* records(text, /"(Records|EventList)"/.test(text) ? parseJson(text) : undefined, line);
  }
}

export async function openInput(file: string | undefined, stdin: Readable): Promise<Readable> {
  if (file === undefined) return stdin;
  let handle;
  try {
    handle = await open(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  // A pipe (`<(zcat ...)`) is fine, a directory is not.
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw new UsageError(`${file} is a directory`);
  }
  return handle.createReadStream();
}

/**
 * Every record of an input with what `normalize` makes of it, the mapper forced; `file` names the
 * origins (stdin when undefined). Shared with `./sentrail detect`, which normalizes raw input first.
 */
export async function* normalizeInput(
  input: Readable,
  mapper: MapperName,
  file: string | undefined,
  context: NormalizerContext,
): AsyncGenerator<{ record: InputRecord; result: Normalized }> {
  const { topic, source } = MAPPER_INPUTS[mapper];
  const originPrefix = file === undefined ? 'stdin' : `file:${file}`;
  for await (const record of readRecords(input)) {
    const now = new Date();
    const meta = { topic, source, origin: `${originPrefix}#${record.number}`, receivedAt: now.toISOString() };
    let result: Normalized;
    try {
      result = normalize(record.text, meta, { context, mapper, now });
    } catch (error) {
      // A mapper bug, not the record's fault: reported like a rejection so the rest of the file is still tried.
      result = { ok: false, error: `the ${mapper} mapper failed: ${(error as Error).message}` };
    }
    yield { record, result };
  }
}

export interface Io {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** The whole command; resolves with its exit status. */
export async function runCommand(args: string[], io: Io): Promise<number> {
  let commandLine: CommandLine;
  let input: Readable;
  try {
    commandLine = parseCommandLine(args);
    if (commandLine.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    input = await openInput(commandLine.file, io.stdin);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`sentrail normalize: ${error.message}\n${USAGE}`);
    return 2;
  }
  const config = loadCommandConfig('normalize', io.stderr);
  if (!config) return 2;

  const label = commandLine.file ?? 'stdin';
  let mapped = 0;
  let rejected = 0;
  let failed = false;
  try {
    const context = createContext(config.normalizer.context);
    for await (const { record, result } of normalizeInput(
      input,
      SOURCES[commandLine.source],
      commandLine.file,
      context,
    )) {
      if (result.ok) {
        mapped++;
        if (!io.stdout.write(`${JSON.stringify(result.document)}\n`)) await once(io.stdout, 'drain');
      } else {
        rejected++;
        io.stderr.write(`${label}:${record.where}: ${result.error}\n`);
      }
    }
  } catch (error) {
    failed = true;
    io.stderr.write(`${label}: cannot read further: ${(error as Error).message}\n`);
  }
  io.stderr.write(`${mapped + rejected} records: ${mapped} mapped, ${rejected} rejected\n`);
  return rejected > 0 || failed ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit();
  });
  process.exitCode = await runCommand(process.argv.slice(2), process);
}
