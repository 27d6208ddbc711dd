// The offline check of an export against its manifest: the file's SHA-256 and row count, and the
// manifest's signature under the auditor's copy of the public key. Each mismatch is named on its own,
// so "the file was changed", "the file is cut short", "the manifest was edited" and "another key
// signed it" read differently.
import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { EXPORT_FORMATS, signatureMatches, type ExportFormat } from './manifest.js';
import { publicKeyFingerprint } from './signing-key.js';

export interface Verification {
  /** Empty when the file is the one the manifest describes, signed by this key. */
  problems: string[];
  /** What the file itself holds. */
  file: { sha256: string; rows: number };
}

const isSha256 = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);

async function fileSha256(path: string): Promise<string> {
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
  const { format, rows, sha256, public_key_sha256: keySha256 } = manifest;

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

  const fingerprint = publicKeyFingerprint(publicKey);
  if (!isSha256(keySha256)) problems.push('manifest: public_key_sha256 is missing or not a hex SHA-256');
  else if (keySha256 !== fingerprint)
    problems.push(`signed by another key: the manifest names key ${keySha256}, the public key given is ${fingerprint}`);
  // Under another key the signature fails by construction: saying it was edited would mislead.
  else if (!signatureMatches(manifest, publicKey))
    problems.push('signature invalid: the manifest was changed after it was signed');

  return { problems, file: { sha256: fileDigest, rows: fileRows } };
}
