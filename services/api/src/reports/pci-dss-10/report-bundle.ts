// What an auditor takes away: one folder holding the report as JSON (the figures), HTML and PDF, any
// files attached (exports and their manifests), and manifest.json listing each file with its size and
// SHA-256, signed with the API's Ed25519 key. `sentrail verify-export DIR DIR/manifest.json` checks it
// offline: every file as listed, none missing, none added, the signature.
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { BUNDLE_MANIFEST_NAME, signManifest, type BundleFile, type BundleManifest } from '../../exports/manifest.js';
import type { SigningKey } from '../../exports/signing-key.js';
import { fileSha256 } from '../../exports/verify-export.js';
import { renderReportHtml } from './report-html.js';
import { renderReportPdf } from './report-pdf.js';
import type { PciReport } from './report.js';

/** The report's own files in a bundle. */
export const REPORT_FILES = { json: 'report.json', html: 'report.html', pdf: 'report.pdf' } as const;

const RESERVED = new Set<string>([...Object.values(REPORT_FILES), BUNDLE_MANIFEST_NAME]);

export interface BundleOptions {
  /** Created when missing; must be empty, so nothing unlisted lies beside the files. */
  dir: string;
  report: PciReport;
  key: SigningKey;
  /** Files copied into the bundle under their own names. */
  attachments?: readonly string[];
  now?: Date;
}

/** Throws when `dir` holds anything: a bundle's folder holds its own files only. */
export async function checkEmptyFolder(dir: string): Promise<void> {
  const found = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!found) return;
  if (!found.isDirectory()) throw new Error(`${dir} is not a folder`);
  if ((await readdir(dir)).length > 0) throw new Error(`${dir} is not empty: a bundle's folder holds its files only`);
}

/** Throws when two attachments, or an attachment and a file of the report, would have the same name. */
export function checkAttachmentNames(paths: readonly string[]): void {
  const names = new Set<string>();
  for (const path of paths) {
    const name = basename(path);
    if (RESERVED.has(name)) throw new Error(`${path}: the bundle's own ${name} has that name`);
    if (names.has(name)) throw new Error(`${path}: another attachment is named ${name} too`);
    names.add(name);
  }
}

async function listed(dir: string, name: string): Promise<BundleFile> {
  const path = join(dir, name);
  return { name, bytes: (await stat(path)).size, sha256: await fileSha256(path) };
}

/** Writes the bundle and returns its signed manifest, which is in the folder too. */
export async function writeReportBundle({
  dir,
  report,
  key,
  attachments = [],
  now = new Date(),
}: BundleOptions): Promise<BundleManifest> {
  checkAttachmentNames(attachments);
  await checkEmptyFolder(dir);
  const html = renderReportHtml(report);
  const pdf = await renderReportPdf(html);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, REPORT_FILES.json), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, REPORT_FILES.html), html);
  await writeFile(join(dir, REPORT_FILES.pdf), pdf);
  for (const path of attachments) await copyFile(path, join(dir, basename(path)));
  // Sizes and digests of the bytes on disk, read back: what the auditor will check.
  const names = [...Object.values(REPORT_FILES), ...attachments.map((path) => basename(path))];
  const files = await Promise.all(names.map((name) => listed(dir, name)));
  const manifest = signManifest(
    {
      kind: 'bundle' as const,
      id: randomUUID(),
      report: report.report,
      range: report.range,
      requester: report.generated_by,
      created_at: now.toISOString(),
      files,
    },
    key,
  );
  await writeFile(join(dir, BUNDLE_MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
