// The offline check of an export against its manifest (the file's SHA-256 and row count), or of a
// bundle's folder against its manifest (every file's size and SHA-256, none missing, none added), and
// of the manifest's signature under the auditor's copy of the public key. Each mismatch is named on
// its own, so "the file was changed", "the file is cut short", "a file was added", "the manifest was
// edited" and "another key signed it" read differently.
import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import {
  BUNDLE_MANIFEST_NAME,
  EXPORT_FORMATS,
  signatureMatches,
  type BundleFile,
  type ExportFormat,
} from './manifest.js';
import { publicKeyFingerprint } from './signing-key.js';

export interface Verification {
  /** Empty when the file is the one the manifest describes, signed by this key. */
  problems: string[];
  /** What the file itself holds. */
  file: { sha256: string; rows: number };
}

const isSha256 = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);

/** Hex SHA-256 of a file, read as a stream: an export can be large. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** NDJSON: lines, a last line without its newline included. */
async function ndjsonRows(path: string): Promise<number> {
  let newlines = 0;
  let last: number | undefined;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) newlines += 1;
    last = chunk.at(-1);
  }
  return last === undefined || last === 0x0a ? newlines : newlines + 1;
}

/** CSV: records after the header, parsed (quoted fields may hold newlines); throws on malformed CSV. */
async function csvRows(path: string): Promise<number> {
  const parser = parse();
  const discard = new Writable({ objectMode: true, write: (_record, _encoding, done) => done() });
  await pipeline(createReadStream(path), parser, discard);
  return Math.max(parser.info.records - 1, 0);
}

/** Reads `path` once per check; `manifest` is the parsed manifest JSON, trusted in nothing. */
export async function verifyExport(
  path: string,
  manifest: Record<string, unknown>,
  publicKey: KeyObject,
): Promise<Verification> {
  const problems: string[] = [];
  const { format, rows, sha256 } = manifest;

  const fileDigest = await fileSha256(path);
  if (!isSha256(sha256)) problems.push('manifest: sha256 is missing or not a hex SHA-256');
  else if (fileDigest !== sha256)
    problems.push(
      `SHA-256 differs: the file's is ${fileDigest}, the manifest says ${sha256} (the file is not the exported one)`,
    );

  let fileRows = 0;
  if (!EXPORT_FORMATS.includes(format as ExportFormat))
    problems.push(`manifest: format is ${JSON.stringify(format)}, not one of ${EXPORT_FORMATS.join(', ')}`);
  else {
    try {
      fileRows = format === 'csv' ? await csvRows(path) : await ndjsonRows(path);
      if (!Number.isInteger(rows)) problems.push('manifest: rows is missing or not a whole number');
      else if (fileRows !== rows)
        problems.push(`row count differs: the file has ${fileRows} rows, the manifest says ${String(rows)}`);
    } catch (error) {
      problems.push(`the file is not valid CSV: ${(error as Error).message}`);
    }
  }

  problems.push(...signatureProblems(manifest, publicKey));
  return { problems, file: { sha256: fileDigest, rows: fileRows } };
}

/** Whether the manifest names this key and its signature holds under it. */
function signatureProblems(manifest: Record<string, unknown>, publicKey: KeyObject): string[] {
  const keySha256 = manifest['public_key_sha256'];
  const fingerprint = publicKeyFingerprint(publicKey);
  if (!isSha256(keySha256)) return ['manifest: public_key_sha256 is missing or not a hex SHA-256'];
  if (keySha256 !== fingerprint)
    return [`signed by another key: the manifest names key ${keySha256}, the public key given is ${fingerprint}`];
  // Under another key the signature fails by construction: saying it was edited would mislead.
  if (!signatureMatches(manifest, publicKey))
    return ['signature invalid: the manifest was changed after it was signed'];
  return [];
}

export interface BundleVerification {
  /** Empty when the folder holds exactly the files the manifest lists, as listed, signed by this key. */
  problems: string[];
  /** The files the manifest lists. */
  files: number;
}

/** A listed file's name, size and digest as the manifest gives them; a problem when they are not. */
function listedFile(entry: unknown, at: number): BundleFile | string {
  const { name, bytes, sha256 } = (entry ?? {}) as Record<string, unknown>;
  // A name with a folder part could make the check read outside the bundle.
  if (typeof name !== 'string' || name === '' || /[/\\]/.test(name) || name === '.' || name === '..')
    return `manifest: files[${at}].name is missing or not a plain file name`;
  if (!Number.isInteger(bytes) || (bytes as number) < 0)
    return `manifest: files[${at}].bytes (${name}) is missing or not a whole number`;
  if (!isSha256(sha256)) return `manifest: files[${at}].sha256 (${name}) is missing or not a hex SHA-256`;
  return { name, bytes: bytes as number, sha256 };
}

/** Checks the folder `dir` against a bundle's manifest (parsed JSON, trusted in nothing). */
export async function verifyBundle(
  dir: string,
  manifest: Record<string, unknown>,
  publicKey: KeyObject,
): Promise<BundleVerification> {
  const problems: string[] = [];
  const entries: unknown[] = Array.isArray(manifest['files']) ? manifest['files'] : [];
  if (!Array.isArray(manifest['files'])) problems.push('manifest: files is missing or not a list');
  const listed = new Set<string>();
  for (const [at, entry] of entries.entries()) {
    const file = listedFile(entry, at);
    if (typeof file === 'string') {
      problems.push(file);
      continue;
    }
    if (listed.has(file.name)) problems.push(`manifest: ${file.name} is listed twice`);
    listed.add(file.name);
    const path = join(dir, file.name);
    const found = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!found) problems.push(`${file.name}: missing (the manifest lists it, the folder does not have it)`);
    else if (!found.isFile()) problems.push(`${file.name}: not a file`);
    else if (found.size !== file.bytes)
      problems.push(`${file.name}: size differs: the file has ${found.size} bytes, the manifest says ${file.bytes}`);
    else {
      const digest = await fileSha256(path);
      if (digest !== file.sha256)
        problems.push(
          `${file.name}: SHA-256 differs: the file's is ${digest}, the manifest says ${file.sha256} (the file was changed)`,
        );
    }
  }
  for (const name of (await readdir(dir)).sort())
    if (name !== BUNDLE_MANIFEST_NAME && !listed.has(name))
      problems.push(`${name}: added (the folder has it, the manifest does not list it)`);
  problems.push(...signatureProblems(manifest, publicKey));
  return { problems, files: listed.size };
}
