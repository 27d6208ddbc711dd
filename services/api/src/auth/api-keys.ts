// API keys, stored in `<prefix>-api-keys` with only the SHA-256 of their secret: a key is shown
// once, when it is created. A key reads `stk_<id>_<secret>`; the id finds the stored key without a
// search, the secret is compared in constant time. Keys are high-entropy random values, so one
// round of SHA-256 is enough (no password stretching).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { aliases, type ElasticClient } from '@sentrail/lib/elastic';
import { ROLES, type Principal, type Role } from './roles.js';

const KEY_FORMAT = /^stk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface StoredKey {
  id: string;
  name: string;
  role: Role;
  secret_sha256: string;
  created: { at: string; by: string };
  revoked?: { at: string; by: string };
}

/** A key as listed: never its secret nor its hash. */
export type KeyInfo = Omit<StoredKey, 'secret_sha256'>;

/** The id and secret of a well-formed key; the secret is base64url, so it may contain '_'. */
export function parseKey(key: string): { id: string; secret: string } | undefined {
  const match = KEY_FORMAT.exec(key);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class ApiKeys {
  private readonly alias: string;
  private readonly index: string;

  constructor(
    private readonly client: ElasticClient,
    prefix: string,
  ) {
    this.alias = aliases(prefix).apiKeys;
    // One index behind the alias: keys are few and never expire by age.
    this.index = `${this.alias}-000001`;
  }

  /** Creates a key; the returned `key` is the only time its secret is seen. */
  async create(role: Role, name: string, by: string): Promise<{ key: string; info: KeyInfo }> {
    if (!ROLES.includes(role)) throw new RangeError(`role must be one of ${ROLES.join(', ')}`);
    if (name.trim() === '') throw new RangeError('name is required');
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const stored: StoredKey = {
      id,
      name,
      role,
      secret_sha256: sha256(secret),
      created: { at: new Date().toISOString(), by },
    };
    await this.client.create({ index: this.index, id, document: stored, refresh: 'wait_for' });
    return { key: `stk_${id}_${secret}`, info: publicInfo(stored) };
  }

  /** The principal of a valid, unrevoked key; undefined for anything else. */
  async verify(key: string): Promise<Principal | undefined> {
    const parsed = parseKey(key);
    if (!parsed) return undefined;
    const { id, secret } = parsed;
    const stored = await this.read(id);
    if (!stored || stored.revoked) return undefined;
    const expected = Buffer.from(stored.secret_sha256, 'hex');
    const given = Buffer.from(sha256(secret), 'hex');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    return { keyId: stored.id, name: stored.name, role: stored.role };
  }

  async list(): Promise<KeyInfo[]> {
    await this.client.indices.refresh({ index: this.alias, ignore_unavailable: true });
    const found = await this.client.search<StoredKey>({
      index: this.alias,
      ignore_unavailable: true,
      size: 10_000,
      sort: [{ 'created.at': 'asc' }],
    });
    return found.hits.hits.map((hit) => publicInfo(hit._source!));
  }

  /** Revokes a key; false when there is no such key. Revoking twice keeps the first record. */
  async revoke(id: string, by: string): Promise<KeyInfo | undefined> {
    const stored = await this.read(id);
    if (!stored) return undefined;
    if (stored.revoked) return publicInfo(stored);
    const revoked = { ...stored, revoked: { at: new Date().toISOString(), by } };
    await this.client.index({ index: this.index, id, document: revoked, refresh: 'wait_for' });
    return publicInfo(revoked);
  }

  private async read(id: string): Promise<StoredKey | undefined> {
    if (!/^[0-9a-f]{16}$/.test(id)) return undefined;
    const found = await this.client.get<StoredKey>({ index: this.index, id }).catch((error: unknown) => {
      if ((error as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return undefined;
      throw error;
    });
    return found?._source;
  }
}

function publicInfo({ id, name, role, created, revoked }: StoredKey): KeyInfo {
  return revoked ? { id, name, role, created, revoked } : { id, name, role, created };
}
