import type { Generated, Selectable } from 'kysely';

/** Tables of the product export (migration 0040). Times are epoch ms; booleans 0/1; JSON as text. */

export type BindingKind = 'variant' | 'parent';

export interface ProductBindingsTable {
  id: Generated<number>;
  connection_id: number;
  kind: BindingKind;
  odoo_id: number;
  template_id: number;
  sku: string | null;
  title: string | null;
  eligible: number;
  poleepo_id: string | null;
  sent_hash: string | null;
  sent_payload: string | null;
  sent_at: number | null;
  pending_hash: string | null;
  pending_payload: string | null;
  queued_at: number | null;
  forced: number;
  inflight_item_id: number | null;
  failed_hash: string | null;
  inactive_sent: number;
  odoo_ref: string | null;
  odoo_needs_update: number;
  odoo_last_error: string | null;
  mirror_pending: number;
  flagged: number;
  has_parent: number;
  last_error_code: string | null;
  last_error: string | null;
  last_error_at: number | null;
  warning: string | null;
  seen_at: number | null;
  created_at: number;
  updated_at: number;
}

/** lost: Poleepo answered 404 for the batch (it no longer knows it); its items were queued again. */
export type BatchStatus = 'submitting' | 'sent' | 'completed' | 'failed' | 'abandoned' | 'lost';
export const BATCH_STATUSES: readonly BatchStatus[] = ['submitting', 'sent', 'completed', 'failed', 'abandoned', 'lost'];

export interface ProductBatchesTable {
  id: Generated<number>;
  connection_id: number;
  status: BatchStatus;
  poleepo_batch_id: string | null;
  poleepo_status: string | null;
  items: number;
  completed_items: number;
  error_items: number;
  error: string | null;
  polls: number;
  created_at: number;
  submitted_at: number | null;
  last_polled_at: number | null;
  completed_at: number | null;
  updated_at: number;
}

export type ItemStatus = 'draft' | 'sent' | 'completed' | 'error';
export const ITEM_STATUSES: readonly ItemStatus[] = ['draft', 'sent', 'completed', 'error'];
export type ItemOperation = 'create' | 'update' | 'deactivate';

export interface ProductBatchItemsTable {
  id: Generated<number>;
  batch_id: number;
  connection_id: number;
  binding_id: number;
  position: number;
  kind: BindingKind;
  odoo_id: number;
  sku: string;
  operation: ItemOperation;
  payload: string;
  payload_hash: string;
  status: ItemStatus;
  poleepo_product_id: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  updated_at: number;
}

export interface ProductExportStateTable {
  connection_id: number;
  horizon: string | null;
  cursors: string;
  facts: string | null;
  tax_checks: string;
  recheck: string | null;
  last_full_at: number | null;
  last_run_at: number | null;
  last_summary: string | null;
  lock_owner: string | null;
  lock_until: number | null;
  updated_at: number;
}

export type BindingRow = Selectable<ProductBindingsTable>;
export type BatchRow = Selectable<ProductBatchesTable>;
export type BatchItemRow = Selectable<ProductBatchItemsTable>;
export type ExportStateRow = Selectable<ProductExportStateTable>;

declare module '../storage/schema.ts' {
  interface Database {
    product_bindings: ProductBindingsTable;
    product_batches: ProductBatchesTable;
    product_batch_items: ProductBatchItemsTable;
    product_export_state: ProductExportStateTable;
  }
}
