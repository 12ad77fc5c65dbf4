import type { Clock } from '../shared/clock.ts';
import type { Db } from '../storage/db.ts';
import type { PoleepoClient } from '../poleepo/poleepo.client.ts';
import type { PoleepoBatch, PoleepoBatchItemResult } from '../poleepo/poleepo.types.ts';
import { PoleepoNotFoundError } from '../poleepo/poleepo.errors.ts';
import type { BatchesRepo } from './products.batches.repo.ts';
import type { BindingsRepo } from './products.bindings.repo.ts';
import { requeue } from './products.batcher.ts';
import { PROBLEM_CODES, clearError, setError, stripId, syncMirror, type BindingValues } from './products.decide.ts';
import type { BatchItemRow, BatchRow } from './products.tables.ts';

export interface PollerDeps {
  db: Db;
  connectionId: number;
  bindings: BindingsRepo;
  batches: BatchesRepo;
  clock: Clock;
}

export interface PollResult {
  polled: number;
  completed: number;
  stillProcessing: number;
  /** Batches Poleepo answered 404 for: marked lost, their items queued again for the next export. */
  lost: number;
  items: { completed: number; error: number; requeued: number };
}

const FINAL = new Set(['COMPLETED', 'FAILED']);

/**
 * Poll Product Batches (DESIGN §4.4): asks Poleepo for the results of sent batches, oldest first, through the client
 * whose `batches.status` calls pass the persisted rate-limit ledger (5 per window per Poleepo account, every process).
 * When the ledger (or Poleepo's 429) says wait, the RateLimitedError goes up and the task is rescheduled; what was
 * polled before is already stored. Results: the Poleepo id is bound (and mirrored to x_poleepo_ref), item errors are
 * kept (PARENT_NOT_FOUND re-queued after its parent; DUPLICATE_SKU / PRODUCT_NOT_FOUND reconciled by SKU), and
 * needs-update clears only for completed items.
 */
export class Poller {
  constructor(private readonly deps: PollerDeps, private readonly poleepo: PoleepoClient) {}

  async poll(signal?: AbortSignal): Promise<PollResult> {
    const result: PollResult = { polled: 0, completed: 0, stillProcessing: 0, lost: 0, items: { completed: 0, error: 0, requeued: 0 } };
    const sent = await this.deps.batches.withStatus(this.deps.connectionId, 'sent');
    for (const batch of sent) {
      signal?.throwIfAborted();
      let answer: PoleepoBatch;
      try {
        answer = await this.poleepo.getBatch(batch.poleepo_batch_id!, { signal });
      } catch (error) {
        if (!(error instanceof PoleepoNotFoundError)) throw error;
        result.polled++;
        result.items.requeued += await this.markLost(batch);
        result.lost++;
        continue;
      }
      result.polled++;
      const now = this.deps.clock.now();
      if (!FINAL.has(answer.status)) {
        await this.deps.batches.updateBatch(batch.id, { poleepo_status: answer.status, polls: batch.polls + 1, last_polled_at: now, updated_at: now });
        result.stillProcessing++;
        continue;
      }
      await this.apply(batch, answer, result, signal);
      result.completed++;
    }
    return result;
  }

  private async apply(batch: BatchRow, answer: PoleepoBatch, result: PollResult, signal?: AbortSignal): Promise<void> {
    const items = await this.deps.batches.items(batch.id);
    const results = answer.results ?? [];
    const byIndex = new Map(results.map((r) => [r.index, r]));
    const outcome = new Map<number, PoleepoBatchItemResult | undefined>();
    for (const item of items) {
      const r = byIndex.get(item.position);
      outcome.set(item.id, r && r.sku === item.sku ? r : results.find((x) => x.sku === item.sku) ?? r);
    }
    // Reconciliation lookups happen before the transaction (no transaction is held across a network call): the items
    // to reconcile by SKU are looked up together, in one walk of Poleepo's product list (not a request per item).
    const toLookUp = items.filter((item) => {
      const r = outcome.get(item.id);
      return r?.status === 'ERROR' && ((r.error_code === 'DUPLICATE_SKU' && item.operation === 'create') || r.error_code === 'PRODUCT_NOT_FOUND');
    });
    const lookups = new Map<number, string | null>();
    if (toLookUp.length) {
      const bySku = await this.poleepo.productIdsBySku(toLookUp.map((i) => i.sku), { signal });
      for (const item of toLookUp) lookups.set(item.id, bySku.get(item.sku) ?? null);
    }
    const now = this.deps.clock.now();
    await this.deps.db.kysely.transaction().execute(async (trx) => {
      const bindings = await this.deps.bindings.byIds(items.map((i) => i.binding_id), trx);
      let completed = 0;
      let errors = 0;
      for (const item of items) {
        const r = outcome.get(item.id);
        const success = r?.status === 'SUCCESS';
        const code = success ? null : r?.status === 'ERROR' ? r.error_code ?? 'ERROR' : 'NO_RESULT';
        const message = success ? null : r?.message ?? (r ? 'Poleepo gave no reason' : 'Poleepo returned no result for this item');
        await this.deps.batches.updateItem(item.id, {
          status: success ? 'completed' : 'error', poleepo_product_id: r?.product_id != null ? String(r.product_id) : null,
          error_code: code, error_message: message, updated_at: now,
        }, trx);
        if (success) completed++;
        else errors++;
        const b = bindings.get(item.binding_id);
        if (!b || b.inflight_item_id !== item.id) continue;
        const row = stripId(b);
        row.inflight_item_id = null;
        row.updated_at = now;
        if (success) {
          this.succeeded(row, item, r!, now);
          result.items.completed++;
        } else if (this.failed(row, item, code!, message!, lookups.get(item.id), now)) result.items.requeued++;
        else result.items.error++;
        syncMirror(row);
        await this.deps.bindings.update(b.id, row, trx);
      }
      // A parent Poleepo no longer has (deleted there): send it again, so its variants can follow it.
      const orphaned = new Set(items.filter((i) => outcome.get(i.id)?.error_code === 'PARENT_NOT_FOUND').map((i) => bindings.get(i.binding_id)?.template_id).filter((t): t is number => t !== undefined));
      for (const templateId of orphaned) {
        const parent = await this.deps.bindings.parentOf(this.deps.connectionId, templateId, trx);
        if (!parent || !parent.poleepo_id || !parent.sent_payload || !parent.sent_hash || parent.inflight_item_id !== null || parent.queued_at !== null || parent.last_error_code) continue;
        const row = stripId(parent);
        requeue(row, { payload: parent.sent_payload, payload_hash: parent.sent_hash }, now);
        row.updated_at = now;
        await this.deps.bindings.update(parent.id, row, trx);
      }
      await this.deps.batches.updateBatch(batch.id, {
        status: answer.status === 'FAILED' ? 'failed' : 'completed', poleepo_status: answer.status, polls: batch.polls + 1,
        completed_items: completed, error_items: errors, last_polled_at: now, completed_at: now, updated_at: now,
      }, trx);
    });
  }

  /**
   * Poleepo answers 404 for a batch it no longer knows (its store was reset, the batch expired): asking again would
   * fail forever. The batch is marked lost with the reason, its items end with BATCH_LOST, and each product still
   * waiting on it is queued again, once, for the next export (creates that did reach Poleepo come back as
   * DUPLICATE_SKU and are reconciled by SKU). Returns how many products were queued again.
   */
  private async markLost(batch: BatchRow): Promise<number> {
    const items = await this.deps.batches.items(batch.id);
    const now = this.deps.clock.now();
    const reason = `Poleepo no longer knows batch ${batch.poleepo_batch_id} (404): its ${items.length} item(s) were queued again for the next export`;
    let requeued = 0;
    await this.deps.db.kysely.transaction().execute(async (trx) => {
      const bindings = await this.deps.bindings.byIds(items.map((i) => i.binding_id), trx);
      for (const item of items) {
        await this.deps.batches.updateItem(item.id, { status: 'error', error_code: 'BATCH_LOST', error_message: 'Poleepo no longer knows this batch; queued again for the next export', updated_at: now }, trx);
        const b = bindings.get(item.binding_id);
        if (!b || b.inflight_item_id !== item.id) continue;
        const row = stripId(b);
        row.inflight_item_id = null;
        row.updated_at = now;
        requeue(row, item, now);
        await this.deps.bindings.update(b.id, row, trx);
        requeued++;
      }
      await this.deps.batches.updateBatch(batch.id, {
        status: 'lost', poleepo_status: 'NOT_FOUND', polls: batch.polls + 1, completed_items: 0, error_items: items.length,
        error: reason, last_polled_at: now, completed_at: now, updated_at: now,
      }, trx);
    });
    return requeued;
  }

  private succeeded(row: BindingValues, item: BatchItemRow, r: PoleepoBatchItemResult, now: number): void {
    if (r.product_id !== null && r.product_id !== undefined) row.poleepo_id = String(r.product_id);
    row.sent_hash = item.payload_hash;
    row.sent_payload = item.payload;
    row.sent_at = now;
    row.failed_hash = null;
    row.inactive_sent = item.operation === 'deactivate' ? 1 : 0;
    // A change made while it was in flight that equals what was sent is nothing to send.
    if (row.pending_hash === item.payload_hash) {
      row.pending_hash = null;
      row.pending_payload = null;
      row.queued_at = null;
      row.forced = 0;
    }
    if (row.last_error_code && !PROBLEM_CODES.has(row.last_error_code)) clearError(row);
  }

  /** Returns true when the item was re-queued. The error shown to people starts with Poleepo's code. */
  private failed(row: BindingValues, item: BatchItemRow, code: string, reason: string, lookup: string | null | undefined, now: number): boolean {
    const message = `${code}: ${reason}`;
    switch (code) {
      case 'PARENT_NOT_FOUND':
        setError(row, code, `${message} (sent again after its parent)`, now);
        requeue(row, item, now);
        return true;
      case 'DUPLICATE_SKU':
        if (item.operation === 'create' && lookup) {
          row.poleepo_id = lookup;
          setError(row, code, `${message}: bound to the Poleepo product ${lookup} that has this SKU, sent again as an update`, now);
          requeue(row, item, now);
          return true;
        }
        break;
      case 'PRODUCT_NOT_FOUND':
        row.poleepo_id = lookup ?? null;
        setError(row, code, lookup ? `${message}: the SKU belongs to Poleepo product ${lookup}, sent again as an update` : `${message}: sent again as a new product`, now);
        requeue(row, item, now);
        return true;
      case 'NO_RESULT':
        setError(row, code, message, now);
        requeue(row, item, now);
        return true;
      default:
        break;
    }
    setError(row, code, message, now);
    // Not sent again until the product changes (or a person ticks Needs Update).
    row.failed_hash = item.payload_hash;
    if (row.pending_hash === item.payload_hash && !row.forced) {
      row.pending_hash = null;
      row.pending_payload = null;
      row.queued_at = null;
    }
    return false;
  }
}
