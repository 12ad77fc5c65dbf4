import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { Db } from '../storage/db.ts';
import type { Database } from '../storage/schema.ts';
import type { BindingKind, BindingRow, ProductBindingsTable } from './products.tables.ts';
import { chunks } from './products.odoo.ts';

export type BindingValues = Omit<Insertable<ProductBindingsTable>, 'id'> & Omit<BindingRow, 'id'>;
export type MirrorRow = Pick<BindingRow, 'id' | 'odoo_id' | 'queued_at' | 'inflight_item_id' | 'poleepo_id' | 'odoo_ref' | 'last_error' | 'last_error_code' | 'odoo_last_error' | 'odoo_needs_update'>;
export type BindingPatch = Updateable<ProductBindingsTable>;

/** Columns rewritten when a binding is upserted (everything but its identity and creation time). */
const UPDATABLE: (keyof ProductBindingsTable)[] = [
  'template_id', 'sku', 'title', 'eligible', 'poleepo_id', 'sent_hash', 'sent_payload', 'sent_at', 'pending_hash', 'pending_payload',
  'queued_at', 'forced', 'inflight_item_id', 'failed_hash', 'inactive_sent', 'odoo_ref', 'odoo_needs_update', 'odoo_last_error',
  'mirror_pending', 'flagged', 'has_parent', 'last_error_code', 'last_error', 'last_error_at', 'warning', 'seen_at', 'updated_at',
];

/** A binding that does not exist yet: nothing sent, nothing known. */
export function newBinding(connectionId: number, kind: BindingKind, odooId: number, templateId: number, now: number): Omit<BindingRow, 'id'> {
  return {
    connection_id: connectionId, kind, odoo_id: odooId, template_id: templateId, sku: null, title: null, eligible: 0, poleepo_id: null,
    sent_hash: null, sent_payload: null, sent_at: null, pending_hash: null, pending_payload: null, queued_at: null, forced: 0,
    inflight_item_id: null, failed_hash: null, inactive_sent: 0, odoo_ref: null, odoo_needs_update: 0, odoo_last_error: null,
    mirror_pending: 0, flagged: 0, has_parent: 0, last_error_code: null, last_error: null, last_error_at: null, warning: null,
    seen_at: null, created_at: now, updated_at: now,
  };
}

export interface BindingFilter {
  connectionId?: number;
  kind?: BindingKind;
  /** queued | inflight | error | synced | inactive */
  state?: string;
  search?: string;
}

/** The product bindings of DESIGN §4.1: per connection, the variant (or parent) ↔ Poleepo product facts. */
export class BindingsRepo {
  constructor(private readonly db: Db) {}

  private x(executor?: Kysely<Database>): Kysely<Database> {
    return executor ?? this.db.kysely;
  }

  async byOdooIds(connectionId: number, kind: BindingKind, ids: readonly number[], executor?: Kysely<Database>): Promise<Map<number, BindingRow>> {
    const out = new Map<number, BindingRow>();
    for (const chunk of chunks([...new Set(ids)], 1000)) {
      const rows = await this.x(executor).selectFrom('product_bindings').selectAll()
        .where('connection_id', '=', connectionId).where('kind', '=', kind).where('odoo_id', 'in', chunk).execute();
      for (const r of rows) out.set(r.odoo_id, r);
    }
    return out;
  }

  async get(id: number, executor?: Kysely<Database>): Promise<BindingRow | undefined> {
    return this.x(executor).selectFrom('product_bindings').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byIds(ids: readonly number[], executor?: Kysely<Database>): Promise<Map<number, BindingRow>> {
    const out = new Map<number, BindingRow>();
    for (const chunk of chunks([...new Set(ids)], 1000)) {
      for (const r of await this.x(executor).selectFrom('product_bindings').selectAll().where('id', 'in', chunk).execute()) out.set(r.id, r);
    }
    return out;
  }

  /** Inserts or rewrites whole rows (by connection, kind, odoo id), in chunks that stay under SQLite's variable limit. */
  async upsert(rows: readonly Omit<BindingRow, 'id'>[], executor?: Kysely<Database>): Promise<void> {
    const run = async (trx: Kysely<Database>) => {
      for (const chunk of chunks(rows, 500)) {
        await trx.insertInto('product_bindings').values(chunk as Insertable<ProductBindingsTable>[])
          .onConflict((oc) => oc.columns(['connection_id', 'kind', 'odoo_id']).doUpdateSet((eb) => Object.fromEntries(UPDATABLE.map((c) => [c, eb.ref(`excluded.${c}`)])) as never))
          .execute();
      }
    };
    if (executor) await run(executor);
    else await this.db.kysely.transaction().execute(run);
  }

  async update(id: number, patch: BindingPatch, executor?: Kysely<Database>): Promise<void> {
    await this.x(executor).updateTable('product_bindings').set(patch).where('id', '=', id).execute();
  }

  /** The bindings whose payloads went into this batch: in flight on their item, nothing queued any more. */
  async markInFlight(batchId: number, ids: readonly number[], now: number, executor?: Kysely<Database>): Promise<void> {
    for (const chunk of chunks(ids, 1000)) {
      await this.x(executor).updateTable('product_bindings')
        .set((eb) => ({
          inflight_item_id: eb.selectFrom('product_batch_items').select('product_batch_items.id')
            .where('product_batch_items.batch_id', '=', batchId).whereRef('product_batch_items.binding_id', '=', 'product_bindings.id'),
          pending_hash: null, pending_payload: null, queued_at: null, forced: 0, updated_at: now,
        }))
        .where('id', 'in', chunk).execute();
    }
  }

  /** Odoo now shows what these bindings say (written by the mirror). */
  async markMirrored(ids: readonly number[], now: number): Promise<void> {
    const needs = sql<number>`case when queued_at is not null or inflight_item_id is not null or last_error_code is not null then 1 else 0 end`;
    for (const chunk of chunks(ids, 1000)) {
      await this.db.kysely.updateTable('product_bindings')
        .set((eb) => ({ odoo_ref: eb.ref('poleepo_id'), odoo_last_error: eb.ref('last_error'), odoo_needs_update: needs, flagged: needs, mirror_pending: 0, updated_at: now }))
        .where('id', 'in', chunk).execute();
    }
  }

  async clearMirror(ids: readonly number[], now: number): Promise<void> {
    for (const chunk of chunks(ids, 1000)) {
      await this.db.kysely.updateTable('product_bindings').set({ mirror_pending: 0, updated_at: now }).where('id', 'in', chunk).execute();
    }
  }

  /** Eligible variants holding these SKUs (duplicate detection across the catalog). */
  async eligibleBySku(connectionId: number, skus: readonly string[], executor?: Kysely<Database>): Promise<BindingRow[]> {
    const out: BindingRow[] = [];
    for (const chunk of chunks([...new Set(skus)], 1000)) {
      // `kind` is checked here, not in SQL: with `kind = ?` SQLite (no statistics) walks every variant through the
      // (connection, kind, odoo id) key instead of looking the SKUs up in their index.
      const rows = await this.x(executor).selectFrom('product_bindings').selectAll()
        .where('connection_id', '=', connectionId).where('eligible', '=', 1).where('sku', 'in', chunk).execute();
      for (const r of rows) if (r.kind === 'variant') out.push(r);
    }
    return out;
  }

  async byErrorCode(connectionId: number, code: string): Promise<BindingRow[]> {
    return this.db.kysely.selectFrom('product_bindings').selectAll().where('connection_id', '=', connectionId).where('last_error_code', '=', code).execute();
  }

  /** Odoo id and SKU of the bindings with this error code (no payloads). */
  async skusWithErrorCode(connectionId: number, code: string): Promise<{ odoo_id: number; sku: string | null }[]> {
    return this.db.kysely.selectFrom('product_bindings').select(['odoo_id', 'sku']).where('connection_id', '=', connectionId).where('last_error_code', '=', code).execute();
  }

  /**
   * Who holds these SKUs among the eligible variants: odoo id, SKU and error code only (a change to a shared tax asks
   * this for every SKU of the catalog: full rows, payloads included, would be hundreds of megabytes).
   */
  async eligibleSkuHolders(connectionId: number, skus: readonly string[]): Promise<{ odoo_id: number; sku: string | null; last_error_code: string | null }[]> {
    const out: { odoo_id: number; sku: string | null; last_error_code: string | null }[] = [];
    for (const chunk of chunks([...new Set(skus)], 1000)) {
      // `kind` checked here: see eligibleBySku (the SKU index, not a walk of every variant per chunk).
      const rows = await this.db.kysely.selectFrom('product_bindings').select(['odoo_id', 'sku', 'last_error_code', 'kind'])
        .where('connection_id', '=', connectionId).where('eligible', '=', 1).where('sku', 'in', chunk).execute();
      for (const r of rows) if (r.kind === 'variant') out.push({ odoo_id: r.odoo_id, sku: r.sku, last_error_code: r.last_error_code });
    }
    return out;
  }

  /** Templates (of these) that have at least one eligible variant. */
  async templatesWithEligible(connectionId: number, templateIds: readonly number[], executor?: Kysely<Database>): Promise<Set<number>> {
    const out = new Set<number>();
    for (const chunk of chunks([...new Set(templateIds)], 1000)) {
      const rows = await this.x(executor).selectFrom('product_bindings').select('template_id').distinct()
        .where('connection_id', '=', connectionId).where('kind', '=', 'variant').where('eligible', '=', 1).where('template_id', 'in', chunk).execute();
      for (const r of rows) out.add(r.template_id);
    }
    return out;
  }

  /** The shape of the variant bindings of these templates (no payloads): family shape changes. */
  async variantShapes(connectionId: number, templateIds: readonly number[]): Promise<Pick<BindingRow, 'odoo_id' | 'template_id' | 'eligible' | 'has_parent'>[]> {
    const out: Pick<BindingRow, 'odoo_id' | 'template_id' | 'eligible' | 'has_parent'>[] = [];
    for (const chunk of chunks([...new Set(templateIds)], 1000)) {
      // `kind` checked here: see eligibleBySku (the template index, not a walk of every variant per chunk).
      const rows = await this.db.kysely.selectFrom('product_bindings').select(['odoo_id', 'template_id', 'eligible', 'has_parent', 'kind'])
        .where('connection_id', '=', connectionId).where('template_id', 'in', chunk).execute();
      for (const r of rows) if (r.kind === 'variant') out.push({ odoo_id: r.odoo_id, template_id: r.template_id, eligible: r.eligible, has_parent: r.has_parent });
    }
    return out;
  }

  /** Parent bindings in Odoo id order, after `afterOdooId` (a walk over every parent, a page at a time). */
  async parentsAfter(connectionId: number, afterOdooId: number, limit: number): Promise<BindingRow[]> {
    return this.db.kysely.selectFrom('product_bindings').selectAll()
      .where('connection_id', '=', connectionId).where('kind', '=', 'parent').where('odoo_id', '>', afterOdooId)
      .orderBy('odoo_id').limit(limit).execute();
  }

  /** Queued and not in flight, in template order (families together), from `afterTemplate` on. */
  async queuedPage(connectionId: number, afterTemplate: number, limit: number): Promise<BindingRow[]> {
    return this.db.kysely.selectFrom('product_bindings').selectAll()
      .where('connection_id', '=', connectionId).where('queued_at', 'is not', null).where('inflight_item_id', 'is', null)
      .where('template_id', '>', afterTemplate)
      .orderBy('template_id').orderBy(sql`case when kind = 'parent' then 0 else 1 end`).orderBy('odoo_id')
      .limit(limit).execute();
  }

  /** Every queued binding of these templates (a family read whole when a page cut it). */
  async queuedOfTemplate(connectionId: number, templateId: number): Promise<BindingRow[]> {
    return this.db.kysely.selectFrom('product_bindings').selectAll()
      .where('connection_id', '=', connectionId).where('queued_at', 'is not', null).where('inflight_item_id', 'is', null).where('template_id', '=', templateId)
      .orderBy(sql`case when kind = 'parent' then 0 else 1 end`).orderBy('odoo_id').execute();
  }

  async parentOf(connectionId: number, templateId: number, executor?: Kysely<Database>): Promise<BindingRow | undefined> {
    return this.x(executor).selectFrom('product_bindings').selectAll()
      .where('connection_id', '=', connectionId).where('kind', '=', 'parent').where('odoo_id', '=', templateId).executeTakeFirst();
  }

  /** What the mirror needs of the bindings Odoo must be told about (no payloads: a full export has 100,000 of them). */
  async mirrorPending(connectionId: number, limit: number): Promise<MirrorRow[]> {
    return this.db.kysely.selectFrom('product_bindings')
      .select(['id', 'odoo_id', 'queued_at', 'inflight_item_id', 'poleepo_id', 'odoo_ref', 'last_error', 'last_error_code', 'odoo_last_error', 'odoo_needs_update'])
      .where('connection_id', '=', connectionId).where('mirror_pending', '=', 1).where('kind', '=', 'variant').orderBy('id').limit(limit).execute();
  }

  async maxSeenAt(connectionId: number): Promise<number> {
    const row = await this.db.kysely.selectFrom('product_bindings').select((eb) => eb.fn.max('seen_at').as('m')).where('connection_id', '=', connectionId).executeTakeFirst();
    return Number(row?.m ?? 0);
  }

  /**
   * Variant bindings not seen by a full read that started at `since` (deleted or no longer followed in Odoo), at most
   * `limit` (in id order): the caller marks them seen and asks again.
   */
  async notSeenSince(connectionId: number, since: number, limit = 1_000_000): Promise<BindingRow[]> {
    return this.db.kysely.selectFrom('product_bindings').selectAll()
      .where('connection_id', '=', connectionId).where('kind', '=', 'variant')
      .where((eb) => eb.or([eb('seen_at', 'is', null), eb('seen_at', '<', since)])).orderBy('id').limit(limit).execute();
  }

  async bySku(connectionId: number, sku: string): Promise<BindingRow[]> {
    return this.db.kysely.selectFrom('product_bindings').selectAll().where('connection_id', '=', connectionId).where('sku', '=', sku).orderBy('kind', 'desc').execute();
  }

  async counts(connectionId: number): Promise<{ total: number; eligible: number; queued: number; inflight: number; errors: number; synced: number }> {
    const row = await this.db.kysely.selectFrom('product_bindings')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        eb.fn.sum<number>(sql`case when eligible = 1 and kind = 'variant' then 1 else 0 end`).as('eligible'),
        eb.fn.sum<number>(sql`case when queued_at is not null then 1 else 0 end`).as('queued'),
        eb.fn.sum<number>(sql`case when inflight_item_id is not null then 1 else 0 end`).as('inflight'),
        eb.fn.sum<number>(sql`case when last_error_code is not null then 1 else 0 end`).as('errors'),
        eb.fn.sum<number>(sql`case when sent_hash is not null and queued_at is null and inflight_item_id is null and last_error_code is null then 1 else 0 end`).as('synced'),
      ])
      .where('connection_id', '=', connectionId).executeTakeFirst();
    return {
      total: Number(row?.total ?? 0), eligible: Number(row?.eligible ?? 0), queued: Number(row?.queued ?? 0), inflight: Number(row?.inflight ?? 0),
      errors: Number(row?.errors ?? 0), synced: Number(row?.synced ?? 0),
    };
  }

  async list(filter: BindingFilter, page: { limit: number; offset: number }): Promise<{ rows: BindingRow[]; total: number }> {
    let q = this.db.kysely.selectFrom('product_bindings');
    if (filter.connectionId) q = q.where('connection_id', '=', filter.connectionId);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    switch (filter.state) {
      case 'queued': q = q.where('queued_at', 'is not', null); break;
      case 'inflight': q = q.where('inflight_item_id', 'is not', null); break;
      case 'error': q = q.where('last_error_code', 'is not', null); break;
      case 'inactive': q = q.where('inactive_sent', '=', 1); break;
      case 'synced': q = q.where('sent_hash', 'is not', null).where('queued_at', 'is', null).where('inflight_item_id', 'is', null).where('last_error_code', 'is', null); break;
      default: break;
    }
    if (filter.search) {
      const like = `%${filter.search.replace(/[%_\\]/g, (m) => `\\${m}`)}%`;
      q = q.where((eb) => eb.or([eb('sku', 'like', like), eb('title', 'like', like)]));
    }
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await q.selectAll().orderBy('sku').orderBy('id').limit(page.limit).offset(page.offset).execute();
    return { rows, total };
  }
}
