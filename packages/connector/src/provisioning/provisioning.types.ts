import { PermanentError } from '../shared/errors.ts';
import type { ConnectionCheckResult } from '../connections/connections.types.ts';

/** What provisioning makes in Odoo. */
export type ItemKind = 'group' | 'field' | 'server action' | 'view' | 'automation rule';

/** One record provisioning manages, named by its xmlid in our module. */
export interface ItemRef {
  kind: ItemKind;
  /** The name part of `poleepo_connector.<xmlid>`. */
  xmlid: string;
  /** The Odoo model of the record (ir.model.fields, ir.ui.view...). */
  model: string;
  /** Plain words: "field product.product.x_poleepo_published", "view sale.order.form.poleepo". */
  label: string;
}

export type Change = 'created' | 'adopted' | 'updated' | 'unchanged' | 'removed' | 'kept' | 'skipped';

export interface ItemChange extends ItemRef {
  change: Change;
  /** The record id in Odoo (null once removed or when skipped). */
  id: number | null;
  detail?: string;
}

export interface ProvisionReport {
  connection: string;
  odoo: { url: string; db: string; version: string; transport: string };
  mode: 'provision' | 'remove';
  items: ItemChange[];
  counts: Record<Change, number>;
  notes: string[];
}

export type ItemStatus = 'ok' | 'missing' | 'outdated' | 'conflict' | 'unavailable';

export interface ItemState extends ItemRef {
  status: ItemStatus;
  id: number | null;
  detail?: string;
}

export interface OdooCheckReport {
  connection: string;
  /** No check failed (warnings allowed). */
  ok: boolean;
  /** Everything provisioning makes is there, up to date, and the views render. */
  complete: boolean;
  checks: ConnectionCheckResult[];
  items: ItemState[];
}

/** Provisioning must not go on: the reason says why and what to do. */
export class ProvisioningRefusedError extends PermanentError {
  constructor(message: string) {
    super(message, { code: 'provisioning_refused' });
  }
}

export function emptyCounts(): Record<Change, number> {
  return { created: 0, adopted: 0, updated: 0, unchanged: 0, removed: 0, kept: 0, skipped: 0 };
}
