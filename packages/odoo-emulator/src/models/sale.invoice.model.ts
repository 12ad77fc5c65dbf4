/**
 * Invoicing sales orders (sale/wizard/sale_make_invoice_advance.py, sale/models/sale_order.py `_create_invoices`):
 * the `sale.advance.payment.inv` wizard, created with the orders in the context (`active_model` / `active_ids`), and
 * its `create_invoices`, which invoices what each order has to invoice (`qty_to_invoice`: delivered quantities for
 * products invoiced on delivery, ordered quantities otherwise, less what is already invoiced), one draft customer
 * invoice per customer and currency, with the order's name as `invoice_origin`, its reference as `ref`, its invoice
 * address as customer, its salesperson, and a note "created from" the order; then answers the window action Odoo
 * answers (flows/d_invoice.json). Nothing left to invoice is the recorded UserError. Down payments (percentage or
 * fixed amount) are not emulated.
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import { OdooError, userError } from '../errors/odoo.errors.ts';
import { postMessage } from './mail.thread.ts';
import { moveAmounts } from './account.move.ops.ts';
import { orderCurrency } from './sale.model.ts';

const NOTHING_TO_INVOICE = "Cannot create an invoice. No items are available to invoice.\n\nTo resolve this issue, please ensure that:\n   \u2022 The products have been delivered before attempting to invoice them.\n   \u2022 The invoicing policy of the product is configured correctly.\n\nIf you want to invoice based on ordered quantities instead:\n   \u2022 For consumable or storable products, open the product, go to the 'General Information' tab and change the 'Invoicing Policy' from 'Delivered Quantities' to 'Ordered Quantities'.\n   \u2022 For services (and other products), change the 'Invoicing Policy' to 'Prepaid/Fixed Price'.\n";

export class SaleAdvancePaymentInv extends Model {
  readonly name = 'sale.advance.payment.inv';
  description = 'Sales Advance Payment Invoice';
  override transient = true;

  override defaults(env: Env): Record<string, unknown> {
    const active = env.context.active_ids;
    return {
      advance_payment_method: 'delivered',
      deduct_down_payments: true,
      consolidated_billing: true,
      amount: 0,
      fixed_amount: 0,
      sale_order_ids: Array.isArray(active) ? [[6, 0, active.map(Number)]] : [],
    };
  }

  override afterCreate(env: Env, id: number): void {
    const orders = (this.table.get(id)!.sale_order_ids as number[] | undefined) ?? [];
    const first = env.model('sale.order').table.get(orders[0]);
    this.table.update(id, { company_id: first?.company_id ?? false, currency_id: first?.currency_id ?? false });
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    const orders = (rec.sale_order_ids as number[] | undefined) ?? [];
    switch (field) {
      case 'count':
        return orders.length;
      case 'has_down_payments':
        return false;
      case 'amount_invoiced':
      case 'amount_to_invoice':
        return 0;
      case 'display_draft_invoice_warning':
        return orders.some((o) => (env.model('sale.order').getter('invoice_ids')(env.model('sale.order').table.get(o)!, env) as number[]).some((m) => env.model('account.move').table.get(m)?.state === 'draft'));
      case 'display_invoice_amount_warning':
        return false;
      default:
        return NOT_COMPUTED;
    }
  }

  protected override registerMethods(): void {
    this.method('create_invoices', {
      api: 'records', params: [], qualname: 'SaleAdvancePaymentInv.create_invoices',
      impl: (c) => {
        this.ensureExisting(c.env, c.ids);
        const id = this.ensureOne(c.ids);
        const wizard = this.table.get(id)!;
        if (wizard.advance_payment_method !== 'delivered') throw new OdooError('builtins.NotImplementedError', 'the Odoo emulator does not create down payment invoices (advance_payment_method "percentage" or "fixed")');
        const orderIds = (wizard.sale_order_ids as number[] | undefined) ?? [];
        const invoices = createInvoices(c.env, orderIds, { final: wizard.deduct_down_payments !== false, grouped: wizard.consolidated_billing === false });
        return actionViewInvoice(c.env, orderIds, invoices);
      },
    });
  }
}

/** `sale.order._get_invoiceable_lines`: lines with something to invoice, a section only when one of its lines is. */
function invoiceableLines(env: Env, orderId: number, final: boolean): Rec[] {
  const lines = env.model('sale.order.line');
  const sorted = [...lines.table.lookup('order_id', orderId)].map((id) => lines.table.get(id)!)
    .sort((a, b) => ((a.sequence as number) ?? 10) - ((b.sequence as number) ?? 10) || a.id - b.id);
  const out: Rec[] = [];
  let pendingSection: Rec | null = null;
  for (const line of sorted) {
    if (line.display_type === 'line_section') {
      pendingSection = line;
      continue;
    }
    const qty = Number(lines.getter('qty_to_invoice')(line, env)) || 0;
    if (line.display_type !== 'line_note' && Math.abs(qty) < 1e-6) continue;
    if (qty > 0 || (qty < 0 && final) || line.display_type === 'line_note') {
      if (pendingSection) {
        out.push(pendingSection);
        pendingSection = null;
      }
      out.push(line);
    }
  }
  return out;
}

/** `sale.order.line._prepare_invoice_line`. */
function invoiceLineVals(env: Env, line: Rec, sequence: number): Record<string, unknown> {
  const lines = env.model('sale.order.line') as unknown as { taxField: string; uomField: string; getter: Model['getter'] };
  const vals: Record<string, unknown> = {
    display_type: line.display_type || 'product',
    sequence,
    name: line.name,
    product_id: line.product_id || false,
    product_uom_id: line[lines.uomField] || false,
    quantity: Number(lines.getter('qty_to_invoice')(line, env)) || 0,
    discount: line.discount ?? 0,
    price_unit: line.price_unit ?? 0,
    tax_ids: [[6, 0, (line[lines.taxField] as number[] | undefined) ?? []]],
    sale_line_ids: [[4, line.id]],
    is_downpayment: Boolean(line.is_downpayment),
  };
  if (line.display_type) vals.account_id = false;
  return vals;
}

/** `sale.order._prepare_invoice`. */
function invoiceVals(env: Env, order: Rec): Record<string, unknown> {
  const vals: Record<string, unknown> = {
    ref: order.client_order_ref || '',
    move_type: 'out_invoice',
    narration: order.note || false,
    // The order's currency as Odoo computes it (its pricelist's): a GBP order is invoiced in GBP.
    currency_id: orderCurrency(order, env),
    partner_id: order.partner_invoice_id || order.partner_id,
    partner_shipping_id: order.partner_shipping_id || false,
    invoice_origin: order.name,
    invoice_user_id: order.user_id || false,
    payment_reference: order.reference || false,
    company_id: order.company_id,
    invoice_line_ids: [] as unknown[],
  };
  if (order.team_id) vals.team_id = order.team_id;
  if (order.fiscal_position_id) vals.fiscal_position_id = order.fiscal_position_id;
  if (order.payment_term_id) vals.invoice_payment_term_id = order.payment_term_id;
  return vals;
}

/** `sale.order._create_invoices(grouped, final)`: the draft invoices' ids. */
export function createInvoices(env: Env, orderIds: number[], options: { final: boolean; grouped: boolean }): number[] {
  const orders = env.model('sale.order');
  orders.ensureExisting(env, orderIds);
  let list: Record<string, unknown>[] = [];
  let sequence = 0;
  for (const orderId of orderIds) {
    const order = orders.table.get(orderId)!;
    const vals = invoiceVals(env, order);
    const lines = invoiceableLines(env, orderId, options.final);
    if (!lines.some((l) => !l.display_type)) continue;
    for (const line of lines) vals.invoice_line_ids = [...(vals.invoice_line_ids as unknown[]), [0, 0, invoiceLineVals(env, line, sequence++)]];
    list.push(vals);
  }
  if (!list.length && env.context.raise_if_nothing_to_invoice !== false) throw userError(NOTHING_TO_INVOICE);
  if (!options.grouped) {
    const keys = env.profile.major >= 19 ? ['company_id', 'partner_id', 'partner_shipping_id', 'currency_id', 'fiscal_position_id'] : ['company_id', 'partner_id', 'currency_id'];
    const groups = new Map<string, Record<string, unknown>[]>();
    for (const vals of list) {
      const key = JSON.stringify(keys.map((k) => vals[k] ?? null));
      groups.set(key, [...(groups.get(key) ?? []), vals]);
    }
    list = [...groups.values()].map((group) => {
      if (group.length === 1) return group[0];
      const [first, ...rest] = group;
      const unique = (k: string) => [...new Set(group.map((v) => v[k]))];
      const refs = unique('ref').map(String);
      const payments = unique('payment_reference');
      return {
        ...first,
        invoice_line_ids: [first, ...rest].flatMap((v) => v.invoice_line_ids as unknown[]),
        ref: refs.join(', ').slice(0, 2000),
        invoice_origin: unique('invoice_origin').join(', '),
        payment_reference: payments.length === 1 ? payments[0] : false,
      };
    });
  }
  // Created as the superuser with default_move_type out_invoice (`_create_account_invoices`).
  const moves = env.model('account.move');
  const creator = env.withContext({ default_move_type: 'out_invoice' });
  const ids = list.map((vals) => moves.createOne(creator, vals));
  for (const id of ids) {
    const move = moves.table.get(id)!;
    if (options.final && moveAmounts(env, move).amount_total < 0) switchToRefund(env, id);
    const lineTable = env.model('account.move.line').table;
    const origins = new Set<number>();
    for (const l of lineTable.lookup('move_id', id)) for (const sol of (lineTable.get(l)!.sale_line_ids as number[] | undefined) ?? []) {
      const o = env.model('sale.order.line').table.get(sol)?.order_id as number | undefined;
      if (o) origins.add(o);
    }
    const links = [...origins].sort((a, b) => a - b).map((o) => `<a href="#" data-oe-model="sale.order" data-oe-id="${o}">${orders.displayNameOfId(o, env)}</a>`).join(', ');
    postMessage(env, 'account.move', id, { body: `<p>This journal entry has been created from: ${links}</p>`, messageType: 'notification', subtypeXmlid: 'mail.mt_note' });
  }
  return ids;
}

/** `action_switch_move_type` of a final invoice whose total is negative: it becomes a credit note of the opposite quantities. */
function switchToRefund(env: Env, moveId: number): void {
  const lines = env.model('account.move.line');
  for (const id of lines.table.lookup('move_id', moveId)) {
    const l = lines.table.get(id)!;
    if (l.display_type === 'product') lines.table.update(id, { quantity: -(Number(l.quantity) || 0) });
  }
  env.model('account.move').writeRecords(env, [moveId], { move_type: 'out_refund' });
}

/** `sale.order.action_view_invoice(invoices)`: account.action_move_out_invoice_type on the invoices. */
export function actionViewInvoice(env: Env, orderIds: number[], invoices: number[]): Record<string, unknown> {
  const profile = env.profile.invoicing;
  let action: Record<string, unknown> = structuredClone(profile.invoiceAction);
  if (invoices.length > 1) action.domain = [['id', 'in', invoices]];
  else if (invoices.length === 1) action.res_id = invoices[0];
  else action = { type: 'ir.actions.act_window_close' };
  const context: Record<string, unknown> = { default_move_type: 'out_invoice' };
  if (orderIds.length === 1) {
    const order = env.model('sale.order').table.get(orderIds[0])!;
    context.default_partner_id = order.partner_id;
    context.default_partner_shipping_id = order.partner_shipping_id ?? false;
    context.default_invoice_payment_term_id = order.payment_term_id || null;
    if (profile.actionContextOrigin) context.default_invoice_origin = order.name;
  }
  action.context = context;
  return action;
}
