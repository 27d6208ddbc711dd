// Signed manifests. An export's: what was exported (query, time range, format), for whom, how many
// rows, the SHA-256 of the exact bytes sent. A bundle's (an auditor report with its attachments): every
// file of the bundle's folder with its size and SHA-256. Both carry an Ed25519 signature over all of
// it, made by one signer, so that an auditor can prove offline that the files are the ones Sentrail
// produced and that neither they nor the manifest changed.
import { sign, verify, type KeyObject } from 'node:crypto';
import type { SigningKey } from './signing-key.js';

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What signing adds to a manifest of any kind. */
export interface ManifestSignature {
  /** Hex SHA-256 of the signing public key's SPKI DER. */
  public_key_sha256: string;
  /** Base64 Ed25519 signature over canonicalJson of every other field. */
  signature: string;
}

export interface ExportManifest extends ManifestSignature {
  id: string;
  /** The query as the auditor wrote it. */
  query: string;
  /** ISO 8601 UTC; events with from <= @timestamp < to. */
  range: { from: string; to: string };
  format: ExportFormat;
  requester: { key_id: string; name: string; role: string };
  started_at: string;
  completed_at: string;
  /** Data rows (CSV records after the header, NDJSON lines). */
  rows: number;
  /** Hex SHA-256 of the file's exact bytes. */
  sha256: string;
}

export type ManifestContent = Omit<ExportManifest, keyof ManifestSignature>;

/** The name of a bundle's manifest in its folder; every other file there is listed in it. */
export const BUNDLE_MANIFEST_NAME = 'manifest.json';

export interface BundleFile {
  /** A plain file name in the bundle's folder (no folder part). */
  name: string;
  bytes: number;
  /** Hex SHA-256 of the file's exact bytes. */
  sha256: string;
}

export interface BundleManifest extends ManifestSignature {
  /** What tells a bundle's manifest from an export's, which has no kind. */
  kind: 'bundle';
  id: string;
  /** The report the bundle holds, e.g. 'pci-dss-10'. */
  report: string;
  /** ISO 8601 UTC; the report covers from <= @timestamp < to. */
  range: { from: string; to: string };
  requester: { name: string; key_id?: string; role?: string };
  created_at: string;
  files: BundleFile[];
}

/**
 * JSON with every object's keys sorted (by UTF-16 code unit, as Array.prototype.sort) and no
 * whitespace: one serialization for one value, so a signature made here can be checked anywhere.
 * For the manifest's strings and integers this is RFC 8785 (JCS).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The bytes a manifest's signature covers: every field but the signature itself. */
function signedBytes(manifest: object): Buffer {
  const signed = Object.entries(manifest).filter(([key]) => key !== 'signature');
  return Buffer.from(canonicalJson(Object.fromEntries(signed)), 'utf8');
}

export function signManifest<Content extends object>(content: Content, key: SigningKey): Content & ManifestSignature {
  const unsigned = { ...content, public_key_sha256: key.publicKeySha256 };
  return { ...unsigned, signature: sign(null, signedBytes(unsigned), key.privateKey).toString('base64') };
}

/** Whether the signature matches the manifest's other fields, whatever they are, under this key. */
export function signatureMatches(manifest: Record<string, unknown>, publicKey: KeyObject): boolean {
  if (typeof manifest['signature'] !== 'string') return false;
  return verify(null, signedBytes(manifest), publicKey, Buffer.from(manifest['signature'], 'base64'));
}
