import type { Generated, Selectable } from 'kysely';

/** Poleepo's document types the connector sends (§4.6 of docs/poleepo-api.md). */
export type InvoiceKind = 'INVOICE' | 'CREDIT_NOTE';
export const INVOICE_KINDS: readonly InvoiceKind[] = ['INVOICE', 'CREDIT_NOTE'];

/**
 * Where an invoice (or credit note) stands; each step is recorded before the side effect it leads to, so a crash or a
 * lost reply resumes at the step and reconciles instead of repeating (DESIGN §4.8):
 * - `creating`  the connector is to make it in Odoo: `create_sent_at` is written just before the wizard's
 *               `create_invoices` (a credit note: `account.move.reversal`'s `refund_moves`); after it, a retry first
 *               looks in Odoo for a move of the order that no row knows (by `invoice_origin`, or `reversed_entry_id`);
 * - `posting`   the move exists in draft: `action_post`;
 * - `rendering` posted: its PDF is made in Odoo by the provisioned server action (which finds the attachment it made
 *               before instead of rendering a second one) and found as an attachment of the move;
 * - `uploading` number, date, amounts and PDF to Poleepo: `upload_sent_at` is written before the POST; after it, a
 *               retry first looks for the document on Poleepo (`GET /orders/{id}/documents`, by type and number);
 * - `sent`      on Poleepo (`poleepo_document_id`);
 * - `failed`    stopped with a reason in plain words (`error`, `error_code`; the step it stopped at in `failed_step`):
 *               no PDF engine in Odoo, nothing to invoice, Poleepo refused the document… `invoices send` (or the
 *               Invoice Sync job, after `retry_at`) resumes it at that step.
 */
export type InvoiceStep = 'creating' | 'posting' | 'rendering' | 'uploading' | 'sent' | 'failed';
export const INVOICE_STEPS: readonly InvoiceStep[] = ['creating', 'posting', 'rendering', 'uploading', 'sent', 'failed'];
/** Steps with work left for the runner. */
export const WORKING_STEPS: readonly InvoiceStep[] = ['creating', 'posting', 'rendering', 'uploading'];

export interface InvoicesTable {
  id: Generated<number>;
  connection_id: number;
  poleepo_order_id: string;
  sale_order_id: number;
  sale_order_name: string | null;
  kind: InvoiceKind;
  /** `connector`: made in Odoo by the connector; `odoo`: made in Odoo by a person, picked up and sent. */
  origin: 'connector' | 'odoo';
  /** What asked for it: the policy (on_confirmation, on_delivery), `send` (a person), `odoo` (picked up), `cancel`. */
  trigger: string;
  step: InvoiceStep;
  /**
   * Set while a move the connector is to make has no id yet (`INVOICE`, or `CREDIT_NOTE:<invoice move id>`): unique
   * per order, so two triggers never make two invoices; cleared once the move is known.
   */
  open_key: string | null;
  /** The Odoo `account.move` (unique per connection once known). */
  move_id: number | null;
  /** `INV/2026/00005` (exists once posted). */
  move_name: string | null;
  move_state: string | null;
  /** YYYY-MM-DD, Odoo's `invoice_date`. */
  invoice_date: string | null;
  currency: string | null;
  /** Odoo's amounts as Odoo computed them (what is sent to Poleepo). */
  amount_untaxed: number | null;
  amount_tax: number | null;
  amount_total: number | null;
  /** A credit note: the invoice move it reverses. */
  reversed_move_id: number | null;
  create_sent_at: number | null;
  post_sent_at: number | null;
  render_sent_at: number | null;
  upload_sent_at: number | null;
  attachment_id: number | null;
  file_name: string | null;
  poleepo_document_id: number | null;
  error: string | null;
  /** no_wkhtmltopdf, nothing_to_invoice, not_provisioned, poleepo_refused, odoo_cancelled, odoo_refused… */
  error_code: string | null;
  failed_step: InvoiceStep | null;
  /** A failed row is tried again by Invoice Sync from this time on (null: only when a person asks). */
  retry_at: number | null;
  /** After a create whose answer was lost: not looked for in Odoo before this time (Odoo's request time limit). */
  recheck_at: number | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

/**
 * A document Poleepo holds for an order (waybill, an invoice Poleepo made…) and its import into Odoo:
 * `importing` (attachments and note to do; `attach_sent_at` before the first attachment is created, so an attachment
 * found afterwards is known to be ours), `done`, `skipped` (the connector's own upload, or nothing to attach to).
 */
export type OrderDocumentStep = 'importing' | 'done' | 'skipped' | 'failed';
export const ORDER_DOCUMENT_STEPS: readonly OrderDocumentStep[] = ['importing', 'done', 'skipped', 'failed'];

export interface OrderDocumentsTable {
  id: Generated<number>;
  connection_id: number;
  poleepo_order_id: string;
  poleepo_document_id: number;
  type: string;
  number: string | null;
  date: string | null;
  file_name: string;
  step: OrderDocumentStep;
  sale_order_id: number | null;
  picking_id: number | null;
  attach_sent_at: number | null;
  order_attachment_id: number | null;
  picking_attachment_id: number | null;
  /** The chatter note (null when the file was already in Odoo, attached by shipping). */
  message_id: number | null;
  note: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  imported_at: number | null;
}

/**
 * Invoice Sync cursors per connection: `deliveries` (Odoo date_done of validated deliveries), `moves` (Odoo write_date
 * of posted invoices), `orders` (the order bindings' updated_at), `documents_scan` (where the periodic scan of recent
 * orders' Poleepo documents stands, JSON: {@link DocumentScanState}).
 */
export interface InvoiceSyncCursorsTable {
  connection_id: number;
  source: 'deliveries' | 'moves' | 'orders' | 'documents_scan';
  cursor: string;
  updated_at: number;
}

export type InvoiceRow = Selectable<InvoicesTable>;
export type OrderDocumentRow = Selectable<OrderDocumentsTable>;

declare module '../storage/schema.ts' {
  interface Database {
    invoices: InvoicesTable;
    order_documents: OrderDocumentsTable;
    invoice_sync_cursors: InvoiceSyncCursorsTable;
  }
}
