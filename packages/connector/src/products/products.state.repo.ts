import type { Db } from '../storage/db.ts';
import type { Clock } from '../shared/clock.ts';
import { RateLimitedError } from '../shared/errors.ts';
import type { ExportFacts } from './products.odoo.ts';
import type { ExportStateRow } from './products.tables.ts';
import { leaseCleared, leaseFree, leaseHeldBy, leaseTaken } from '../storage/lease.ts';

/** The connection's export lock (storage/lease.ts), re-entrant for its holder. */
const EXPORT_LEASE = { owner: 'lock_owner', until: 'lock_until' } as const;

/** A verdict of the tax cross-check for one tax set (by signature). */
export interface TaxCheck {
  ok: boolean;
  message: string | null;
  at: number;
}

export interface ExportState {
  horizon: string | null;
  cursors: Record<string, string>;
  facts: (ExportFacts & { readAt: number }) | null;
  taxChecks: Record<string, TaxCheck>;
  /** Variants to re-read at the next detection (e.g. a duplicate SKU resolved elsewhere). */
  recheck: number[];
  lastFullAt: number | null;
  lastRunAt: number | null;
  lastSummary: unknown;
}

/** Another run holds this connection's export: come back later without spending an attempt. */
export class ExportBusyError extends RateLimitedError {
  constructor(connectionId: number, retryAfterMs: number) {
    super(`The product export of connection ${connectionId} is already running (a scheduled task or another command); try again when it ends`, retryAfterMs);
  }
}

/**
 * The export state of each connection (one row): change cursors, reference facts, tax cross-check verdicts, and the
 * lease that keeps two runs (tasks in any process, or the CLI) from exporting the same connection at once.
 */
export class ExportStateRepo {
  constructor(private readonly db: Db, private readonly clock: Clock) {}

  async ensure(connectionId: number): Promise<void> {
    await this.db.kysely.insertInto('product_export_state')
      .values({ connection_id: connectionId, horizon: null, cursors: '{}', facts: null, tax_checks: '{}', recheck: null, last_full_at: null, last_run_at: null, last_summary: null, lock_owner: null, lock_until: null, updated_at: this.clock.now() })
      .onConflict((oc) => oc.column('connection_id').doNothing()).execute();
  }

  async load(connectionId: number): Promise<ExportState> {
    await this.ensure(connectionId);
    const row = (await this.db.kysely.selectFrom('product_export_state').selectAll().where('connection_id', '=', connectionId).executeTakeFirst())!;
    return toState(row);
  }

  async save(connectionId: number, state: ExportState): Promise<void> {
    await this.db.kysely.updateTable('product_export_state').set({
      horizon: state.horizon,
      cursors: JSON.stringify(state.cursors),
      recheck: state.recheck.length ? [...new Set(state.recheck)].join(',') : null,
      facts: state.facts ? JSON.stringify(state.facts) : null,
      tax_checks: JSON.stringify(state.taxChecks),
      last_full_at: state.lastFullAt,
      last_run_at: state.lastRunAt,
      last_summary: state.lastSummary === undefined ? null : JSON.stringify(state.lastSummary),
      updated_at: this.clock.now(),
    }).where('connection_id', '=', connectionId).execute();
  }

  /** Takes (or extends) the connection's export lease; false when someone else holds a live one. */
  async tryLock(connectionId: number, owner: string, leaseMs: number): Promise<boolean> {
    await this.ensure(connectionId);
    const now = this.clock.now();
    const result = await this.db.kysely.updateTable('product_export_state').set(leaseTaken(EXPORT_LEASE, owner, now, leaseMs))
      .where('connection_id', '=', connectionId)
      .where(leaseFree(EXPORT_LEASE, now, owner))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async lockHolder(connectionId: number): Promise<{ owner: string | null; until: number | null }> {
    const row = await this.db.kysely.selectFrom('product_export_state').select(['lock_owner', 'lock_until']).where('connection_id', '=', connectionId).executeTakeFirst();
    return { owner: row?.lock_owner ?? null, until: row?.lock_until ?? null };
  }

  async unlock(connectionId: number, owner: string): Promise<void> {
    await this.db.kysely.updateTable('product_export_state').set(leaseCleared(EXPORT_LEASE))
      .where('connection_id', '=', connectionId).where(leaseHeldBy(EXPORT_LEASE, owner)).execute();
  }
}

function toState(row: ExportStateRow): ExportState {
  const recheck = row.recheck ? row.recheck.split(',').map(Number).filter((n) => n > 0) : [];
  return {
    horizon: row.horizon,
    cursors: parse<Record<string, string>>(row.cursors, {}),
    facts: parse(row.facts, null),
    taxChecks: parse(row.tax_checks, {}),
    recheck,
    lastFullAt: row.last_full_at,
    lastRunAt: row.last_run_at,
    lastSummary: parse(row.last_summary, null),
  };
}

function parse<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
