// `sentrail verify-export FILE MANIFEST [--public-key PEM_FILE]`: checks offline, with no server, that
// an export file is the one its manifest describes, or that a bundle's folder holds exactly the files its
// manifest lists, and that the manifest is signed by the key given.
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { KeyObject } from 'node:crypto';
import { loadConfig } from '@sentrail/lib/config';
import { publicKeyFromPem } from './signing-key.js';
import { verifyBundle, verifyExport } from './verify-export.js';

export const USAGE = `usage: sentrail verify-export FILE MANIFEST [--public-key PEM_FILE]
       sentrail verify-export DIR DIR/manifest.json [--public-key PEM_FILE]
  Checks that FILE is the export MANIFEST describes (its SHA-256 and row count), or that the bundle
  folder DIR (an auditor report) holds exactly the files its manifest lists (each one's size and
  SHA-256, none missing, none added), and that MANIFEST is signed by the public key of PEM_FILE
  (GET /v1/exports/public-key gives it; default: the key of api.signingKeyFile in the local
  configuration). Needs no server.
  Exit status: 0 they match ("ok: …"), 1 they do not (every problem listed), 2 usage error.
`;

export interface Io {
  stdout: Writable;
  stderr: Writable;
  /** For the local configuration: SENTRAIL_CONFIG and SENTRAIL_* overrides. */
  env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the ${what} ${path}: ${(error as Error).message}`);
  }
}

async function readManifest(path: string): Promise<Record<string, unknown>> {
  const text = await readText(path, 'manifest');
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the manifest ${path} is not JSON: ${(error as Error).message}`);
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest))
    throw new UsageError(`the manifest ${path} is not a JSON object`);
  return manifest as Record<string, unknown>;
}

async function publicKey(path: string | undefined, env: NodeJS.ProcessEnv): Promise<KeyObject> {
  let file = path;
  if (file === undefined) {
    try {
      file = loadConfig({ env }).api.signingKeyFile;
    } catch (error) {
      throw new UsageError(
        `no --public-key given and the local configuration cannot be read: ${(error as Error).message}`,
      );
    }
  }
  const pem = await readText(
    file,
    path === undefined ? 'signing key (api.signingKeyFile; or give --public-key)' : 'public key',
  );
  try {
    return publicKeyFromPem(pem);
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
}

/** `ok: <what it is>` and exit 0, or every problem and exit 1. */
function report(io: Io, problems: string[], ok: string, mismatch: string): number {
  if (problems.length === 0) {
    io.stdout.write(`ok: ${ok}\n`);
    return 0;
  }
  io.stdout.write(`${mismatch}:\n${problems.map((p) => `  - ${p}\n`).join('')}`);
  return 1;
}

export async function runVerifyExport(args: string[], io: Io): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { 'public-key': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (positionals.length !== 2) throw new UsageError(`FILE and MANIFEST are required, ${positionals.length} given`);
    const [file, manifestFile] = positionals as [string, string];
    const manifest = await readManifest(manifestFile);
    const key = await publicKey(values['public-key'], io.env);
    await access(file, constants.R_OK).catch((error: Error) => {
      throw new UsageError(`cannot read the file ${file}: ${error.message}`);
    });
    const id = typeof manifest['id'] === 'string' ? manifest['id'] : '(no id)';
    const signedBy = `signed by key ${String(manifest['public_key_sha256'])}`;
    const isFolder = (await stat(file)).isDirectory();
    if (manifest['kind'] === 'bundle') {
      if (!isFolder) throw new UsageError(`${manifestFile} is the manifest of a bundle: give its folder, not ${file}`);
      const { problems, files } = await verifyBundle(file, manifest, key);
      return report(
        io,
        problems,
        `${file} is bundle ${id}: ${files} files, each of the size and SHA-256 listed, none missing or added, ${signedBy}`,
        `${file} does not match the manifest of bundle ${id}`,
      );
    }
    if (isFolder) throw new UsageError(`${file} is a folder, and ${manifestFile} is not a bundle's manifest`);
    const { problems, file: found } = await verifyExport(file, manifest, key);
    return report(
      io,
      problems,
      `${file} is export ${id}: ${found.rows} rows, sha256 ${found.sha256}, ${signedBy}`,
      `${file} does not match the manifest of export ${id}`,
    );
  } catch (error) {
    if (!(error instanceof UsageError) && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') !== true)
      throw error;
    io.stderr.write(`sentrail verify-export: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  process.exitCode = await runVerifyExport(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
