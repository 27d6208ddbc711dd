// One request to Sentrail's API, as the API produces it to siem.raw.sentrail (PCI DSS 10.2.1.3:
// access to the audit trail is itself logged). The normalizer maps it like any other source.

export interface AccessRecord {
  /** The request id: the Kafka key and the event's id. */
  id: string;
  /** When the request arrived, ISO 8601. */
  time: string;
  method: string;
  /** The route pattern, e.g. `/v1/search`, not the URL with its values. */
  route: string;
  /** The URL as requested, query string included. */
  url: string;
  status: number;
  durationMs: number;
  /** The API key used; null when the request had none or an unknown one. */
  key: { id: string; name: string; role: string } | null;
  client: { ip: string; userAgent?: string };
  /** The search or trail query, as the user wrote it. */
  query?: string;
  /** Rows returned by a search or trail, or written by an export. */
  rows?: number;
  /** For exports: format and SHA-256 of the content. */
  export?: { format: 'csv' | 'ndjson'; sha256: string };
}
