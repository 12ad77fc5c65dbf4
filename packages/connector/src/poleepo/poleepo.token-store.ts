import type { Db } from '../storage/db.ts';
import type { SecretBox } from '../shared/secrets.ts';
import { leaseCleared, leaseFree, leaseHeldBy, leaseIsLive } from '../storage/lease.ts';
import './poleepo.tables.ts';

/** The right to fetch the next token (storage/lease.ts): one process refreshes, the others wait for its result. */
const REFRESH_LEASE = { owner: 'refresh_owner', until: 'refresh_until' } as const;

export interface StoredToken {
  token: string | null;
  expiresAt: number;
  /** From then on the token should be renewed (before it expires). */
  renewAt: number;
  version: number;
  refreshOwner: string | null;
  refreshUntil: number | null;
}

/**
 * Where a Poleepo access token lives between calls. Renewal is coordinated through it: `tryClaim` is a
 * compare-and-set that grants the refresh lease to one owner only while the token needs renewing and no live lease
 * exists, so among all processes sharing the store exactly one calls Poleepo for a new token.
 */
export interface PoleepoTokenStore {
  read(): Promise<StoredToken | null>;
  /** Takes the refresh lease when the stored token is due for renewal at `now` and no lease is live. */
  tryClaim(owner: string, now: number, leaseUntil: number): Promise<boolean>;
  /** Stores the new token; returns its version (null if the lease was lost meanwhile: the token is then not stored). */
  saveClaimed(owner: string, token: string, expiresAt: number, renewAt: number, now: number): Promise<number | null>;
  release(owner: string): Promise<void>;
  /** Marks the token of that version unusable (a 401); a newer version is left alone. */
  invalidate(version: number, now: number): Promise<void>;
}

/** The shared store: one row per account in `poleepo_tokens`, the token encrypted with the deployment's key. */
export class DbTokenStore implements PoleepoTokenStore {
  constructor(private readonly db: Db, private readonly secrets: SecretBox, private readonly baseUrl: string, private readonly clientId: string) {}

  private get rows() {
    return this.db.kysely.selectFrom('poleepo_tokens').where('base_url', '=', this.baseUrl).where('client_id', '=', this.clientId);
  }

  async read(): Promise<StoredToken | null> {
    const row = await this.rows.selectAll().executeTakeFirst();
    if (!row) return null;
    return {
      token: row.access_token ? this.secrets.decrypt(row.access_token) : null,
      expiresAt: Number(row.expires_at),
      renewAt: Number(row.renew_at),
      version: Number(row.version),
      refreshOwner: row.refresh_owner,
      refreshUntil: row.refresh_until === null ? null : Number(row.refresh_until),
    };
  }

  async tryClaim(owner: string, now: number, leaseUntil: number): Promise<boolean> {
    await this.db.kysely.insertInto('poleepo_tokens')
      .values({ base_url: this.baseUrl, client_id: this.clientId, access_token: null, expires_at: 0, renew_at: 0, version: 0, updated_at: now })
      .onConflict((oc) => oc.columns(['base_url', 'client_id']).doNothing())
      .execute();
    const res = await this.db.kysely.updateTable('poleepo_tokens')
      .set({ refresh_owner: owner, refresh_until: leaseUntil, updated_at: now })
      .where('base_url', '=', this.baseUrl).where('client_id', '=', this.clientId)
      .where('renew_at', '<=', now)
      .where(leaseFree(REFRESH_LEASE, now))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async saveClaimed(owner: string, token: string, expiresAt: number, renewAt: number, now: number): Promise<number | null> {
    const row = await this.db.kysely.updateTable('poleepo_tokens')
      .set((eb) => ({
        access_token: this.secrets.encrypt(token), expires_at: expiresAt, renew_at: renewAt, version: eb('version', '+', 1),
        ...leaseCleared(REFRESH_LEASE), updated_at: now,
      }))
      .where('base_url', '=', this.baseUrl).where('client_id', '=', this.clientId).where(leaseHeldBy(REFRESH_LEASE, owner))
      .returning('version')
      .executeTakeFirst();
    return row ? Number(row.version) : null;
  }

  async release(owner: string): Promise<void> {
    await this.db.kysely.updateTable('poleepo_tokens').set(leaseCleared(REFRESH_LEASE))
      .where('base_url', '=', this.baseUrl).where('client_id', '=', this.clientId).where(leaseHeldBy(REFRESH_LEASE, owner))
      .execute();
  }

  async invalidate(version: number, now: number): Promise<void> {
    await this.db.kysely.updateTable('poleepo_tokens').set({ expires_at: 0, renew_at: 0, updated_at: now })
      .where('base_url', '=', this.baseUrl).where('client_id', '=', this.clientId).where('version', '=', version)
      .execute();
  }
}

/** One process without a database (CLI probes, tests of the client alone): the same protocol in memory. */
export class MemoryTokenStore implements PoleepoTokenStore {
  private row: StoredToken | null = null;

  async read(): Promise<StoredToken | null> {
    return this.row ? { ...this.row } : null;
  }

  async tryClaim(owner: string, now: number, leaseUntil: number): Promise<boolean> {
    this.row ??= { token: null, expiresAt: 0, renewAt: 0, version: 0, refreshOwner: null, refreshUntil: null };
    if (this.row.renewAt > now) return false;
    if (leaseIsLive(this.row.refreshUntil, now)) return false;
    this.row.refreshOwner = owner;
    this.row.refreshUntil = leaseUntil;
    return true;
  }

  async saveClaimed(owner: string, token: string, expiresAt: number, renewAt: number): Promise<number | null> {
    if (!this.row || this.row.refreshOwner !== owner) return null;
    this.row = { token, expiresAt, renewAt, version: this.row.version + 1, refreshOwner: null, refreshUntil: null };
    return this.row.version;
  }

  async release(owner: string): Promise<void> {
    if (this.row?.refreshOwner === owner) {
      this.row.refreshOwner = null;
      this.row.refreshUntil = null;
    }
  }

  async invalidate(version: number): Promise<void> {
    if (this.row?.version === version) {
      this.row.expiresAt = 0;
      this.row.renewAt = 0;
    }
  }
}
