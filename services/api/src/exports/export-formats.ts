// The two export formats. NDJSON: each event's whole ECS document, one per line. CSV: a fixed set of
// columns, the PCI DSS 10.2.2 elements of an audit record (who, what, when, outcome, origin, affected
// resource) and where the event came from, with a header row; quoting is csv-stringify's (RFC 4180).
import type { Transform } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { EventDocument } from './event-pages.js';
import type { ExportFormat } from './manifest.js';

/** CSV columns, named by their ECS field. */
export const CSV_COLUMNS = [
  '@timestamp', // when
  'event.id',
  'event.dataset', // which trail
  'event.action', // what
  'event.outcome', // outcome
  'user.name', // who
  'user.id',
  'source.ip', // origin
  'source.address',
  'resource.type', // affected resource
  'resource.id',
  'resource.name',
  'cloud.account.id', // where
  'cloud.region',
  'host.name',
  'pci_dss.requirements', // which PCI DSS requirements the event is evidence for
] as const;

export interface ExportFormatter {
  /** What a document becomes on its way to the stages: a CSV record, an NDJSON line. */
  toRow: (document: EventDocument) => unknown;
  /** The stages from rows to the file's bytes, in pipeline order. */
  stages: Transform[];
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
};

/** The fields an export reads from each document: CSV needs its columns only. */
export function exportFields(format: ExportFormat): readonly string[] | undefined {
  return format === 'csv' ? CSV_COLUMNS : undefined;
}

/** Each column's path, split once: this runs for every cell of every row. */
const COLUMN_PATHS = CSV_COLUMNS.map((column) => column.split('.'));

function valueAt(document: EventDocument, path: readonly string[]): unknown {
  let value: unknown = document;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** One cell: a list is its items separated by spaces (PCI DSS requirement numbers have none). */
function cell(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(cell).join(' ');
  // Absent, or an object where a value was expected (the source keeps what it was given): its JSON.
  return value === undefined || value === null ? '' : JSON.stringify(value);
}

export function csvRecord(document: EventDocument): string[] {
  return COLUMN_PATHS.map((path) => cell(valueAt(document, path)));
}

const ndjsonLine = (document: EventDocument) => `${JSON.stringify(document)}\n`;

export function exportFormatter(format: ExportFormat): ExportFormatter {
  if (format === 'ndjson') return { toRow: ndjsonLine, stages: [] };
  // The header is written even when there are no rows.
  return { toRow: csvRecord, stages: [stringify({ header: true, columns: [...CSV_COLUMNS] })] };
}
