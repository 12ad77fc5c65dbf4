import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { present } from '../shared/assert.ts';
import type { Db } from '../storage/db.ts';
import { PermanentError, RateLimitedError, RetryableError, errorMessage } from '../shared/errors.ts';
import type { PoleepoClient } from '../poleepo/poleepo.client.ts';
import { PoleepoValidationError } from '../poleepo/poleepo.errors.ts';
import type { BindingsRepo } from './products.bindings.repo.ts';
import type { BatchesRepo } from './products.batches.repo.ts';
import { setError, stripId, syncMirror, type BindingValues } from './products.decide.ts';
import { poleepoIdValue } from './products.mapper.ts';
import type { BatchItemRow, BindingRow, ItemOperation } from './products.tables.ts';
import type { ProductEntry } from './products.types.ts';

export interface BatcherDeps {
  db: Db;
  connectionId: number;
  bindings: BindingsRepo;
  batches: BatchesRepo;
  clock: Clock;
  logger: Logger;
  batchSize: number;
  /** Called between batches (the export lease, cancellation). */
  between?(): Promise<void>;
}

export interface GenerateResult {
  batches: number;
  items: number;
  /** Variants waiting for their parent to exist on Poleepo first. */
  held: number;
  recovered: number;
}

const PAGE = 2000;

/**
 * Generate Product Batches (DESIGN §4.4): the queued bindings, families together and parents first, in batches of the
 * configured size. Each batch is recorded as `submitting` with its items (draft) before the call, so that a crash
 * between sending and recording leaves a trace: the next run reconciles those creates by SKU on Poleepo before
 * anything is sent again (no product is ever created twice). Items in flight are never sent again; later changes wait
 * in the binding and go in a later batch.
 */
export class Batcher {
  constructor(private readonly deps: BatcherDeps, private readonly poleepo: PoleepoClient) {}

  async generate(signal?: AbortSignal): Promise<GenerateResult> {
    const result: GenerateResult = { batches: 0, items: 0, held: 0, recovered: await this.recover(signal) };
    const size = this.deps.batchSize;
    let current: BindingRow[] = [];
    const flush = async () => {
      if (!current.length) return;
      const rows = current;
      current = [];
      await this.submit(rows, signal);
      result.batches++;
      result.items += rows.length;
      await this.deps.between?.();
      signal?.throwIfAborted();
    };
    let afterTemplate = -1;
    for (;;) {
      const page = await this.deps.bindings.queuedPage(this.deps.connectionId, afterTemplate, PAGE);
      if (!page.length) break;
      const families = groupByTemplate(page);
      const lastFamily = families[families.length - 1];
      // The page is not empty, so there is a last family; the next page starts after its template.
      const lastTemplate = present(lastFamily, 'a non-empty page has a family')[0].template_id;
      if (page.length === PAGE) {
        // The page may have cut the last family: read it whole (unless it left the queue meanwhile).
        const [first, ...rest] = await this.deps.bindings.queuedOfTemplate(this.deps.connectionId, lastTemplate);
        if (first) families[families.length - 1] = [first, ...rest];
        else families.pop();
      }
      for (const family of families) {
        const { now, later } = await this.sendable(family);
        if (now.length > size - current.length) await flush();
        if (now.length <= size) {
          current.push(...now);
        } else {
          // A family larger than a batch: the parent and what fits go first; variants needing a parent that is not on
          // Poleepo yet wait for it (next run, after its result).
          for (let i = 0; i < now.length; i += size) {
            current.push(...now.slice(i, i + size));
            await flush();
          }
        }
        result.held += later.length;
      }
      afterTemplate = lastTemplate;
      if (page.length < PAGE) break;
    }
    await flush();
    return result;
  }

  /** Splits a family into what can be sent now and what waits for its parent. */
  private async sendable(family: Family): Promise<{ now: BindingRow[]; later: BindingRow[] }> {
    const parentQueued = family.find((b) => b.kind === 'parent');
    const variants = family.filter((b) => b.kind === 'variant');
    const needsParent = variants.filter((b) => parentSkuOfPayload(b) !== null);
    if (!needsParent.length) return { now: family, later: [] };
    const parent = parentQueued ?? (await this.deps.bindings.parentOf(this.deps.connectionId, family[0].template_id));
    const parentOnPoleepo = Boolean(parent?.poleepo_id);
    if (parentOnPoleepo) return { now: family, later: [] };
    if (parentQueued) {
      // Parent first, then as many of its variants as fit in the same batch; the rest wait for its result.
      const room = Math.max(0, this.deps.batchSize - 1);
      const free = variants.filter((b) => parentSkuOfPayload(b) === null);
      const dependent = needsParent.slice(0, room - Math.min(room, free.length));
      const waiting = needsParent.slice(dependent.length);
      return { now: [parentQueued, ...free, ...dependent], later: waiting };
    }
    // The parent is in flight or failed: its variants wait.
    return { now: variants.filter((b) => parentSkuOfPayload(b) === null), later: needsParent };
  }

  private async submit(rows: BindingRow[], signal?: AbortSignal): Promise<void> {
    const now = this.deps.clock.now();
    const items = rows.map((b) => ({ binding: b, entry: withProductId(JSON.parse(b.pending_payload!) as ProductEntry, b.poleepo_id) }));
    const entries: ProductEntry[] = items.map((item) => item.entry);
    const { batchId } = await this.deps.db.kysely.transaction().execute(async (trx) => {
      const batchId = await this.deps.batches.insertBatch({
        connection_id: this.deps.connectionId, status: 'submitting', poleepo_batch_id: null, poleepo_status: null, items: rows.length,
        completed_items: 0, error_items: 0, error: null, polls: 0, created_at: now, submitted_at: null, last_polled_at: null, completed_at: null, updated_at: now,
      }, trx);
      await this.deps.batches.insertItems(items.map(({ binding: b, entry }, i) => ({
        batch_id: batchId, connection_id: this.deps.connectionId, binding_id: b.id, position: i, kind: b.kind, odoo_id: b.odoo_id,
        sku: entry.sku, operation: operationOf(entry), payload: JSON.stringify(entry), payload_hash: b.pending_hash!,
        status: 'draft' as const, poleepo_product_id: null, error_code: null, error_message: null, created_at: now, updated_at: now,
      })), trx);
      await this.deps.bindings.markInFlight(batchId, rows.map((b) => b.id), now, trx);
      return { batchId };
    });
    let poleepoBatchId: string;
    try {
      const batch = await this.poleepo.submitBatch(entries, { signal });
      poleepoBatchId = String(batch.id);
    } catch (error) {
      await this.submitFailed(batchId, await this.deps.batches.items(batchId), error);
      throw error instanceof RetryableError || error instanceof PermanentError || error instanceof RateLimitedError ? error : new RetryableError(errorMessage(error), { cause: error });
    }
    const done = this.deps.clock.now();
    await this.deps.db.kysely.transaction().execute(async (trx) => {
      await this.deps.batches.updateBatch(batchId, { status: 'sent', poleepo_batch_id: poleepoBatchId, submitted_at: done, updated_at: done }, trx);
      await this.deps.batches.setItemsStatus(batchId, 'draft', { status: 'sent', updated_at: done }, trx);
    });
  }

  /**
   * A refusal of the whole batch (4xx) is final for its items; a rate limit or a credential problem means Poleepo did
   * not take it (re-queued); anything else (no answer, 5xx) may have been applied: the batch stays `submitting`
   * and the next run reconciles it by SKU.
   */
  private async submitFailed(batchId: number, items: BatchItemRow[], error: unknown): Promise<void> {
    const now = this.deps.clock.now();
    const refused = error instanceof PoleepoValidationError;
    const notTaken = !refused && (error instanceof RateLimitedError || error instanceof PermanentError);
    if (!refused && !notTaken) {
      await this.deps.batches.updateBatch(batchId, { error: `No confirmation from Poleepo: ${errorMessage(error)}`, updated_at: now });
      return;
    }
    const message = refused ? `Poleepo refused the batch: ${errorMessage(error)}` : `Not sent: ${errorMessage(error)}`;
    await this.deps.db.kysely.transaction().execute(async (trx) => {
      await this.deps.batches.updateBatch(batchId, { status: 'failed', error: message, error_items: items.length, completed_at: now, updated_at: now }, trx);
      await this.deps.batches.setItemsStatus(batchId, 'draft', { status: 'error', error_code: refused ? (error as PoleepoValidationError).info.poleepoCode ?? 'VALIDATION_ERROR' : 'NOT_SENT', error_message: message, updated_at: now }, trx);
      const bindings = await this.deps.bindings.byIds(items.map((i) => i.binding_id), trx);
      for (const item of items) {
        const b = bindings.get(item.binding_id);
        if (!b || b.inflight_item_id !== item.id) continue;
        const row = stripId(b);
        row.inflight_item_id = null;
        if (refused) {
          row.failed_hash = item.payload_hash;
          setError(row, 'BATCH_REFUSED', message, now);
        } else requeue(row, item, now);
        row.updated_at = now;
        syncMirror(row);
        await this.deps.bindings.update(b.id, row, trx);
      }
    });
  }

  /**
   * Batches left `submitting` by a crash or a lost answer: whether Poleepo received them is unknown. Every create is
   * looked up by SKU first (found → bound to that product, so the resend is an update) — all of them through one walk
   * of Poleepo's product list, not one request per item; then every item is re-queued.
   */
  async recover(signal?: AbortSignal): Promise<number> {
    const stuck = await this.deps.batches.withStatus(this.deps.connectionId, 'submitting');
    if (!stuck.length) return 0;
    const itemsOf = new Map<number, BatchItemRow[]>();
    for (const batch of stuck) itemsOf.set(batch.id, await this.deps.batches.items(batch.id));
    const creates = [...itemsOf.values()].flat().filter((i) => i.operation === 'create').map((i) => i.sku);
    const onPoleepo = creates.length ? await this.poleepo.productIdsBySku(creates, { signal }) : new Map<string, string>();
    let recovered = 0;
    for (const batch of stuck) {
      const items = itemsOf.get(batch.id)!;
      const found = new Map<number, string>();
      for (const item of items) {
        const id = item.operation === 'create' ? onPoleepo.get(item.sku) : undefined;
        if (id !== undefined) found.set(item.id, id);
      }
      const now = this.deps.clock.now();
      await this.deps.db.kysely.transaction().execute(async (trx) => {
        const bindings = await this.deps.bindings.byIds(items.map((i) => i.binding_id), trx);
        for (const item of items) {
          const b = bindings.get(item.binding_id);
          await this.deps.batches.updateItem(item.id, { status: 'error', error_code: 'UNCONFIRMED', error_message: found.has(item.id) ? `Poleepo has SKU ${item.sku} (product ${found.get(item.id)}): bound to it and re-queued as an update` : 'Not confirmed by Poleepo (the connector stopped while sending): re-queued', updated_at: now }, trx);
          if (!b || b.inflight_item_id !== item.id) continue;
          const row = stripId(b);
          row.inflight_item_id = null;
          if (found.has(item.id)) row.poleepo_id = found.get(item.id)!;
          requeue(row, item, now);
          row.updated_at = now;
          syncMirror(row);
          await this.deps.bindings.update(b.id, row, trx);
        }
        await this.deps.batches.updateBatch(batch.id, { status: 'abandoned', error: `${batch.error ? `${batch.error}. ` : ''}Outcome unknown: creates reconciled by SKU on Poleepo, items re-queued`, error_items: items.length, completed_at: now, updated_at: now }, trx);
      });
      recovered++;
    }
    return recovered;
  }
}

/** Puts an item's payload back in the queue, unless a newer change is already waiting there. */
export function requeue(row: BindingValues, item: Pick<BatchItemRow, 'payload' | 'payload_hash'>, now: number): void {
  if (row.pending_hash === null) {
    const { product_id: _id, ...content } = JSON.parse(item.payload) as ProductEntry;
    row.pending_hash = item.payload_hash;
    row.pending_payload = JSON.stringify(content);
  }
  row.queued_at ??= now;
}

export function withProductId(entry: ProductEntry, poleepoId: string | null): ProductEntry {
  const id = poleepoIdValue(poleepoId);
  const { product_id: _old, ...content } = entry;
  return id === undefined ? content : { product_id: id, ...content };
}

export function operationOf(entry: ProductEntry): ItemOperation {
  if (entry.active === false) return 'deactivate';
  return entry.product_id !== undefined && entry.product_id !== null && entry.product_id !== '' ? 'update' : 'create';
}

const parentSkus = new WeakMap<BindingRow, string | null>();

/** The parent SKU a queued variant's payload names (parsed once per row). */
function parentSkuOfPayload(b: BindingRow): string | null {
  if (b.kind !== 'variant' || !b.pending_payload || !b.has_parent) return null;
  let sku = parentSkus.get(b);
  if (sku === undefined) {
    const entry = JSON.parse(b.pending_payload) as ProductEntry;
    sku = entry.active === false ? null : entry.parent_sku ?? null;
    parentSkus.set(b, sku);
  }
  return sku;
}

/** A product template's bindings: never empty (the parent, its variants, or both). */
type Family = [BindingRow, ...BindingRow[]];

function groupByTemplate(rows: BindingRow[]): Family[] {
  const out: Family[] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    if (last && last[0].template_id === r.template_id) last.push(r);
    else out.push([r]);
  }
  return out;
}
