/**
 * What a merchant does in Odoo's UI to invoice a sales order ("Create Invoice" → "Regular invoice" → "Create Draft",
 * then "Confirm"), as the external-API calls it amounts to (flows/d_invoice.json, the same in 17, 18 and 19):
 *
 *   sale.advance.payment.inv create({advance_payment_method: 'delivered'}) with context
 *     {active_model: 'sale.order', active_ids: [order], active_id: order}
 *   sale.advance.payment.inv create_invoices([wizard]) (same context) → an ir.actions.act_window on account.move
 *   account.move action_post([invoice])                              → false; the invoice gets its number
 *
 * `create_invoices` answers a window action, not the invoice: the new invoices are the order's `invoice_ids` that
 * were not there before (the action's `res_id` names the single one). For tests of the connector and for the demo:
 * it runs against the emulator or a real Odoo alike, through any `execute_kw`-style caller.
 *
 *   const { moveIds, names } = await invoiceSaleOrder((m, f, a, k) => odoo.call(m, f, a, k), { version: 18, saleOrderId });
 *   // moveIds [25], names ['INV/2026/00005']
 */
import type { CallOdoo } from './delivery.flow.ts';

export interface InvoiceSaleOrderOptions {
  version: 17 | 18 | 19;
  saleOrderId: number;
  /** Post (confirm) the invoices, as "Confirm" does (default true); false leaves them drafts. */
  post?: boolean;
  /** Context for every call (e.g. `allowed_company_ids` for an order of another company). */
  context?: Record<string, unknown>;
}

export interface InvoiceSaleOrderResult {
  /** The account.move ids made (customer invoices; a credit note when the order's balance to invoice is negative). */
  moveIds: number[];
  /** Their names: the number once posted (INV/2026/00005); drafts: "/" on 17, false on 18/19. */
  names: (string | false)[];
  /** Their state: "posted", or "draft" with `post: false`. */
  states: string[];
}

type Row = Record<string, unknown> & { id: number };

function createdId(v: unknown): number {
  const id = Array.isArray(v) ? v[0] : v;
  if (typeof id !== 'number') throw new Error(`expected a record id, got ${JSON.stringify(v)}`);
  return id;
}

export async function invoiceSaleOrder(callOdoo: CallOdoo, options: InvoiceSaleOrderOptions): Promise<InvoiceSaleOrderResult> {
  const { saleOrderId } = options;
  const baseContext = options.context ?? {};
  const call = async (model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}, context: Record<string, unknown> = {}) => {
    const ctx = { ...baseContext, ...context };
    return await callOdoo(model, method, args, Object.keys(ctx).length ? { ...kwargs, context: ctx } : kwargs);
  };
  const invoiceIds = async () => {
    const [order] = (await call('sale.order', 'read', [[saleOrderId]], { fields: ['invoice_ids', 'state'] })) as Row[];
    if (!order) throw new Error(`sale.order ${saleOrderId} does not exist`);
    return { state: String(order.state), ids: (order.invoice_ids as number[]) ?? [] };
  };

  const before = await invoiceIds();
  if (before.state !== 'sale') throw new Error(`sale.order ${saleOrderId} is not a confirmed order (state ${before.state})`);
  const orderContext = { active_model: 'sale.order', active_ids: [saleOrderId], active_id: saleOrderId };
  const wizardId = createdId(await call('sale.advance.payment.inv', 'create', [{ advance_payment_method: 'delivered' }], {}, orderContext));
  const action = (await call('sale.advance.payment.inv', 'create_invoices', [[wizardId]], {}, orderContext)) as Record<string, unknown> | null;
  const after = await invoiceIds();
  const moveIds = after.ids.filter((id) => !before.ids.includes(id)).sort((a, b) => a - b);
  if (!moveIds.length && typeof action?.res_id === 'number' && action.res_id) moveIds.push(action.res_id);
  if (!moveIds.length) throw new Error(`create_invoices made no invoice (answered ${JSON.stringify(action)})`);

  if (options.post !== false) {
    const drafts = ((await call('account.move', 'read', [moveIds], { fields: ['state'] })) as Row[]).filter((m) => m.state === 'draft').map((m) => m.id);
    if (drafts.length) await call('account.move', 'action_post', [drafts]);
  }
  const moves = (await call('account.move', 'read', [moveIds], { fields: ['name', 'state'] })) as Row[];
  const byId = new Map(moves.map((m) => [m.id, m]));
  return {
    moveIds,
    names: moveIds.map((id) => (typeof byId.get(id)?.name === 'string' ? (byId.get(id)!.name as string) : false)),
    states: moveIds.map((id) => String(byId.get(id)?.state ?? '')),
  };
}
