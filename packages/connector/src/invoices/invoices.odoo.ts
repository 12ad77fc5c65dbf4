import type { OdooClient } from '../odoo/odoo.client.ts';
import type { OdooDomain, OdooRecord } from '../odoo/odoo.types.ts';
import { m2oId, m2oName } from '../orders/orders.odoo-data.ts';
import { INVOICE_PDF_ACTION_XMLID } from '../provisioning/provisioning.actions.ts';
import { POLEEPO_MODULE } from '../provisioning/provisioning.fields.ts';
import type { InvoiceKind } from './invoices.tables.ts';

/** A sale order as invoicing reads it. */
export interface InvoiceableOrder {
  id: number;
  name: string;
  state: string;
  /** `to invoice`, `invoiced`, `no`, `upselling`. */
  invoiceStatus: string | null;
  invoiceIds: number[];
  poleepoOrderId: string | null;
}

/** An `account.move` of an order (customer invoice or credit note). */
export interface OrderMove {
  id: number;
  name: string | null;
  state: string;
  kind: InvoiceKind;
  invoiceOrigin: string | null;
  /** YYYY-MM-DD */
  invoiceDate: string | null;
  currency: string | null;
  amountUntaxed: number;
  amountTax: number;
  amountTotal: number;
  /** A credit note: the invoice it reverses. */
  reversedMoveId: number | null;
  writeDate: string | null;
}

const MOVE_FIELDS = ['name', 'state', 'move_type', 'invoice_origin', 'invoice_date', 'currency_id', 'amount_untaxed', 'amount_tax', 'amount_total', 'reversed_entry_id', 'write_date'];
const MOVE_TYPES: Record<string, InvoiceKind> = { out_invoice: 'INVOICE', out_refund: 'CREDIT_NOTE' };

/** The context of a wizard or action run on records, as the web client gives it (docs/odoo-api.md §F). */
function activeContext(model: string, id: number) {
  return { active_model: model, active_ids: [id], active_id: id };
}

/**
 * Everything invoicing does in Odoo, by the external API only (docs/odoo-api.md §F): the sale order's invoicing state,
 * the invoice made with Odoo's own wizard (`sale.advance.payment.inv` → `create_invoices`), the credit note with
 * `account.move.reversal` → `refund_moves`, posting, the PDF made by the provisioned server action and read back as
 * an attachment. The calls that create are never retried blindly: the runner looks before it repeats one.
 */
export class InvoicesOdoo {
  constructor(private readonly client: OdooClient, private readonly companyId: number | null) {}

  async saleOrder(id: number, signal?: AbortSignal): Promise<InvoiceableOrder | null> {
    const [row] = await this.client.read('sale.order', [id], ['name', 'state', 'invoice_status', 'invoice_ids', 'x_poleepo_order_id'], { signal });
    return row ? orderOf(row) : null;
  }

  /** Outgoing deliveries of sale orders validated since `since` (Odoo `date_done`), oldest first. */
  async deliveriesDoneSince(since: string, limit: number, signal?: AbortSignal): Promise<{ pickingId: number; saleOrderId: number; dateDone: string | null }[]> {
    const domain: unknown[] = [['picking_type_code', '=', 'outgoing'], ['state', '=', 'done'], ['date_done', '>=', since], ['sale_id', '!=', false]];
    if (this.companyId) domain.push(['company_id', '=', this.companyId]);
    const rows = await this.client.searchRead('stock.picking', domain, { fields: ['sale_id', 'date_done'], order: 'date_done asc, id asc', limit, signal });
    return rows.flatMap((r) => {
      const saleOrderId = m2oId(r.sale_id);
      return saleOrderId === null ? [] : [{ pickingId: r.id, saleOrderId, dateDone: typeof r.date_done === 'string' ? r.date_done : null }];
    });
  }

  /** Of these sale orders, the ones imported from Poleepo: id → Poleepo order id. */
  async importedOrders(ids: readonly number[], signal?: AbortSignal): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.client.read('sale.order', ids, ['x_poleepo_order_id'], { signal });
    return new Map(rows.filter((r) => typeof r.x_poleepo_order_id === 'string' && r.x_poleepo_order_id !== '').map((r) => [r.id, String(r.x_poleepo_order_id)]));
  }

  /** The orders (of these) with at least one outgoing delivery done: "on delivery" means after this. */
  async deliveredOrders(saleOrderIds: readonly number[], signal?: AbortSignal): Promise<Set<number>> {
    if (saleOrderIds.length === 0) return new Set();
    const rows = await this.client.searchRead('stock.picking', [['sale_id', 'in', [...saleOrderIds]], ['picking_type_code', '=', 'outgoing'], ['state', '=', 'done']], { fields: ['sale_id'], signal });
    return new Set(rows.map((r) => m2oId(r.sale_id)).filter((id): id is number => id !== null));
  }

  /** The order's outgoing deliveries that are done (where a waybill belongs). */
  async doneDeliveries(saleOrderId: number, signal?: AbortSignal): Promise<{ id: number; name: string }[]> {
    const rows = await this.client.searchRead('stock.picking', [['sale_id', '=', saleOrderId], ['picking_type_code', '=', 'outgoing'], ['state', '=', 'done']], { fields: ['name'], order: 'id asc', signal });
    return rows.map((r) => ({ id: r.id, name: String(r.name) }));
  }

  /** Imported orders with these names (an invoice's `invoice_origin` names its orders): name → Poleepo order id. */
  async importedOrdersNamed(names: readonly string[], signal?: AbortSignal): Promise<Map<string, { id: number; poleepoOrderId: string }>> {
    if (names.length === 0) return new Map();
    const domain: unknown[] = [['name', 'in', [...names]], ['x_poleepo_order_id', '!=', false]];
    if (this.companyId) domain.push(['company_id', '=', this.companyId]);
    const rows = await this.client.searchRead('sale.order', domain, { fields: ['name', 'x_poleepo_order_id'], signal });
    return new Map(rows.map((r) => [String(r.name), { id: r.id, poleepoOrderId: String(r.x_poleepo_order_id) }]));
  }

  /** Customer invoices and credit notes of an order: by `invoice_origin` (one order's name among several) or its `invoice_ids`. */
  async movesOfOrder(order: Pick<InvoiceableOrder, 'name' | 'invoiceIds'>, signal?: AbortSignal): Promise<OrderMove[]> {
    const byOrigin: OdooDomain = ['|', ['invoice_origin', '=', order.name], ['invoice_origin', 'ilike', order.name]];
    const domain: unknown[] = [['move_type', 'in', ['out_invoice', 'out_refund']], ...(order.invoiceIds.length ? ['|', ['id', 'in', order.invoiceIds], ...byOrigin] : byOrigin)];
    const rows = await this.client.searchRead('account.move', domain, { fields: MOVE_FIELDS, order: 'id asc', signal });
    // `ilike` also matches S000251 for S00025: keep exact names in a comma-separated origin.
    return rows.map(moveOf).filter((m) => order.invoiceIds.includes(m.id) || originNames(m.invoiceOrigin).includes(order.name));
  }

  async move(id: number, signal?: AbortSignal): Promise<OrderMove | null> {
    const [row] = await this.client.read('account.move', [id], MOVE_FIELDS, { signal });
    return row ? moveOf(row) : null;
  }

  /** Credit notes reversing this invoice (made by anyone). */
  async reversalsOf(invoiceMoveId: number, signal?: AbortSignal): Promise<OrderMove[]> {
    const rows = await this.client.searchRead('account.move', [['move_type', '=', 'out_refund'], ['reversed_entry_id', '=', invoiceMoveId]], { fields: MOVE_FIELDS, order: 'id asc', signal });
    return rows.map(moveOf);
  }

  /** Posted customer invoices and credit notes written since `since` (Odoo `write_date`), oldest first. */
  async postedMovesSince(since: string | null, limit: number, signal?: AbortSignal): Promise<OrderMove[]> {
    const domain: unknown[] = [['move_type', 'in', ['out_invoice', 'out_refund']], ['state', '=', 'posted']];
    if (since) domain.push(['write_date', '>=', since]);
    if (this.companyId) domain.push(['company_id', '=', this.companyId]);
    const rows = await this.client.searchRead('account.move', domain, { fields: MOVE_FIELDS, order: 'write_date asc, id asc', limit, signal });
    return rows.map(moveOf);
  }

  /**
   * Odoo's "Create Invoice" button, regular invoice: the wizard with the order as its active record, then
   * `create_invoices`. Answers the new move's id when Odoo's window action names it (17/18/19 do for one invoice).
   * Never retried: after an ambiguous failure the caller looks the invoice up by the order.
   */
  async createInvoice(saleOrderId: number, signal?: AbortSignal): Promise<number | null> {
    const context = activeContext('sale.order', saleOrderId);
    const wizard = await this.client.create('sale.advance.payment.inv', { advance_payment_method: 'delivered' }, { context, signal });
    const action = await this.client.call<unknown>('sale.advance.payment.inv', 'create_invoices', [[wizard]], {}, { context, signal, retry: false });
    return resIdOf(action, 'account.move');
  }

  /**
   * Odoo's "Credit Note" button on a posted invoice: `account.move.reversal` → `refund_moves`. The wizard's journal is
   * the invoice's: the form fills it by an onchange, and a create over the API without it is refused by real Odoo
   * 18 and 19 ("a mandatory field is not set … journal_id": the many2many of moves is written after the insert; 17 was
   * run with the journal given).
   */
  async createCreditNote(invoiceMoveId: number, reason: string, signal?: AbortSignal): Promise<number | null> {
    const context = activeContext('account.move', invoiceMoveId);
    const [invoice] = await this.client.read('account.move', [invoiceMoveId], ['journal_id'], { signal });
    const journalId = m2oId(invoice?.journal_id);
    const wizard = await this.client.create('account.move.reversal', { reason, ...(journalId !== null ? { journal_id: journalId } : {}) }, { context, signal });
    const action = await this.client.call<unknown>('account.move.reversal', 'refund_moves', [[wizard]], {}, { context, signal, retry: false });
    return resIdOf(action, 'account.move');
  }

  async post(moveId: number, signal?: AbortSignal): Promise<void> {
    await this.client.call('account.move', 'action_post', [[moveId]], {}, { signal, retry: false });
  }

  /** The PDF the server action made (an attachment of the move with that name), or null. */
  async findPdf(moveId: number, fileName: string, signal?: AbortSignal): Promise<number | null> {
    const ids = await this.client.search('ir.attachment', [['res_model', '=', 'account.move'], ['res_id', '=', moveId], ['name', '=', fileName]], { limit: 1, order: 'id asc', signal });
    return ids[0] ?? null;
  }

  /** The provisioned server action's id (`poleepo_connector.action_invoice_pdf`), or null when not provisioned. */
  async pdfActionId(signal?: AbortSignal): Promise<number | null> {
    const [row] = await this.client.searchRead('ir.model.data', [['module', '=', POLEEPO_MODULE], ['name', '=', INVOICE_PDF_ACTION_XMLID], ['model', '=', 'ir.actions.server']], { fields: ['res_id'], limit: 1, signal });
    if (!row) return null;
    const id = Number(row.res_id);
    const exists = await this.client.search('ir.actions.server', [['id', '=', id]], { signal });
    return exists.length ? id : null;
  }

  /**
   * Runs the server action on the move, as a button would: it renders `account.account_invoices` and keeps the PDF as
   * an attachment of the move. Safe to repeat: the action finds the PDF it made before.
   */
  async renderPdf(actionId: number, moveId: number, signal?: AbortSignal): Promise<void> {
    // Rendering takes seconds (3–4 s on 2 cores, docs/odoo-api.md §F): a longer timeout than a read.
    await this.client.call('ir.actions.server', 'run', [[actionId]], {}, { context: activeContext('account.move', moveId), signal, retry: true, timeoutMs: 180_000 });
  }

  async attachmentContent(attachmentId: number, signal?: AbortSignal): Promise<Buffer> {
    const [row] = await this.client.read('ir.attachment', [attachmentId], ['datas'], { signal });
    if (!row || typeof row.datas !== 'string' || row.datas === '') throw new Error(`Attachment ${attachmentId} has no content in Odoo`);
    return Buffer.from(row.datas, 'base64');
  }
}

function orderOf(r: OdooRecord): InvoiceableOrder {
  return {
    id: r.id, name: String(r.name ?? ''), state: String(r.state ?? ''), invoiceStatus: typeof r.invoice_status === 'string' ? r.invoice_status : null,
    invoiceIds: Array.isArray(r.invoice_ids) ? (r.invoice_ids as unknown[]).filter((x): x is number => typeof x === 'number') : [],
    poleepoOrderId: typeof r.x_poleepo_order_id === 'string' && r.x_poleepo_order_id !== '' ? r.x_poleepo_order_id : null,
  };
}

function moveOf(r: OdooRecord): OrderMove {
  return {
    id: r.id, name: typeof r.name === 'string' && r.name !== '' && r.name !== '/' ? r.name : null, state: String(r.state ?? ''),
    kind: MOVE_TYPES[String(r.move_type)] ?? 'INVOICE', invoiceOrigin: typeof r.invoice_origin === 'string' && r.invoice_origin !== '' ? r.invoice_origin : null,
    invoiceDate: typeof r.invoice_date === 'string' && r.invoice_date !== '' ? r.invoice_date.slice(0, 10) : null, currency: m2oName(r.currency_id),
    amountUntaxed: Number(r.amount_untaxed ?? 0), amountTax: Number(r.amount_tax ?? 0), amountTotal: Number(r.amount_total ?? 0),
    reversedMoveId: m2oId(r.reversed_entry_id), writeDate: typeof r.write_date === 'string' ? r.write_date : null,
  };
}

/** The order names in an `invoice_origin` ("S00025" or "S00025, S00026" for a consolidated invoice). */
export function originNames(origin: string | null): string[] {
  return origin ? origin.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

/** The record a window action opens, when it opens exactly one record of `model`. */
function resIdOf(action: unknown, model: string): number | null {
  if (!action || typeof action !== 'object') return null;
  const a = action as { res_model?: unknown; res_id?: unknown };
  return a.res_model === model && typeof a.res_id === 'number' && a.res_id > 0 ? a.res_id : null;
}

/** The PDF's name in Odoo and on Poleepo: the invoice number with its slashes made underscores. */
export function invoiceFileName(moveName: string): string {
  return `${moveName.replace(/\//g, '_')}.pdf`;
}
