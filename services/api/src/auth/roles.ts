// The roles of DESIGN.md §7. A route names the roles that may call it in its `config.roles`;
// a route that names none is refused to everybody, so forgetting to say is never an open door.

export const ROLES = ['analyst', 'auditor', 'admin', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

/** Who called: the API key a request was authenticated with. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
}

/** Searching and reading the trails: analysts and auditors. */
export const READERS: readonly Role[] = ['analyst', 'auditor'];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The roles allowed to call the route; `public` routes (the web UI's files, /docs) need no key. */
    roles?: readonly Role[] | 'public';
  }
  interface FastifyRequest {
    /** Set by the authentication hook on every route that is not public. */
    principal?: Principal;
    /** What a route adds to the request's access record (siem.raw.sentrail): the query, the rows, the export. */
    audit?: { query?: string; rows?: number; export?: { format: 'csv' | 'ndjson'; sha256: string } };
  }
}
