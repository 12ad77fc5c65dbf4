import type { Generated } from 'kysely';

/**
 * Where an order stands on the connector's side (the orders page shows it in people's words):
 * - `pending`   known, nothing done in Odoo yet (the import is queued or running);
 * - `waiting`   its Poleepo status is not importable yet (connection setting);
 * - `skipped`   cancelled or refunded on Poleepo before it was ever imported: nothing to do;
 * - `parked`    cannot be imported until a person acts (unknown SKU, no carrier): `parked_reason`, retryable;
 * - `refused`   the API key hides its customer data or prices: never imported with blanks;
 * - `uncertain` an Odoo call that may have committed got no answer: nothing is looked at again before `recheck_at`;
 * - `draft`     the sale order exists in Odoo, not confirmed yet;
 * - `confirmed` confirmed in Odoo, marketplace date written back;
 * - `cancelled` cancelled in Odoo;
 * - `error`     the last attempt failed (`error`); the task retries or was dead-lettered.
 * `flag` is independent of the state: a confirmed order may still need a person's look (total mismatch,
 * cancellation after delivery).
 */
export type OrderBindingState = 'pending' | 'waiting' | 'skipped' | 'parked' | 'refused' | 'uncertain' | 'draft' | 'confirmed' | 'cancelled' | 'error';
export const ORDER_BINDING_STATES: readonly OrderBindingState[] = ['pending', 'waiting', 'skipped', 'parked', 'refused', 'uncertain', 'draft', 'confirmed', 'cancelled', 'error'];

/** One row per (connection, Poleepo order): the connector's source of truth for the order's binding (DESIGN §2). */
export interface OrderBindingsTable {
  id: Generated<number>;
  connection_id: number;
  /** The idempotency key (also `x_poleepo_order_id` in Odoo). */
  poleepo_order_id: string;
  state: OrderBindingState;
  sale_order_id: number | null;
  sale_order_name: string | null;
  /** sale.order `state` as last seen (draft, sale, cancel…). */
  odoo_state: string | null;
  /** The Poleepo status as last applied; never moves to a lower rank (`status_rank`). */
  poleepo_status: string | null;
  status_rank: number;
  /** The last status the connector pushed to Poleepo (confirmation, cancellation). */
  pushed_status: string | null;
  /** Marketplace order number and channel name (not personal data). */
  reference: string | null;
  channel: string | null;
  currency: string | null;
  poleepo_total: number | null;
  odoo_total: number | null;
  order_date: number | null;
  /** Poleepo's `update_date` of the order as last read. */
  poleepo_updated_at: number | null;
  /** Why the order is parked (unknown SKU…): what a person must do. */
  parked_reason: string | null;
  /** Needs a person's review though imported (total mismatch, cancellation blocked). */
  flag: string | null;
  error: string | null;
  /** After an ambiguous Odoo failure: the step that may have committed (partner, create, confirm). */
  uncertain_step: string | null;
  /** Not looked at again before this time (longer than Odoo's request time limit after the failure). */
  recheck_at: number | null;
  /** Connector-added time of the last import (total minus time in Odoo and Poleepo calls), ms. */
  import_ms: number | null;
  external_ms: number | null;
  created_at: number;
  updated_at: number;
  confirmed_at: number | null;
}

/** Order Polling cursors per connection: `poleepo` (epoch ms of the last `update_date` seen), `odoo` (write_date). */
export interface OrderPollCursorsTable {
  connection_id: number;
  source: 'poleepo' | 'odoo';
  cursor: string;
  updated_at: number;
}

declare module '../storage/schema.ts' {
  interface Database {
    order_bindings: OrderBindingsTable;
    order_poll_cursors: OrderPollCursorsTable;
  }
}
