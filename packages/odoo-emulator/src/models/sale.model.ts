/**
 * sale.order and sale.order.line: names from the sequence (S00025), amounts with taxes (through the tax engine, per
 * line or globally as the company rounds), `action_confirm` (overwrites `date_order`, creates the reserved
 * delivery, posts "Sales Order Confirmed"), `action_cancel` (17/18: the cancel wizard for a confirmed order unless
 * `disable_cancel_warning`; 19: direct), `action_draft`, `action_lock`/`action_unlock` (return None), the refusals
 * the recordings show, and the line fields each version names (17/18 `tax_id`/`product_uom`, 19 `tax_ids`/`product_uom_id`).
 */
import { Model, NOT_COMPUTED, isPlainObject, roundTo } from '../orm/model.ts';
import { computeLineAmounts, documentAmounts, type LineAmounts } from './account.amounts.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import { userError } from '../errors/odoo.errors.ts';
import { postMessage, postTracking, registerMailThread } from './mail.thread.ts';
import type { StockPicking } from './stock.picking.model.ts';

export class SaleOrder extends Model {
  readonly name = 'sale.order';
  description = 'Sales Order';
  order = 'date_order desc, id desc';
  override companyRule = true;
  override mailThread = true;
  override cascade = ['order_line'];
  override computedStored: ReadonlySet<string> = new Set(['invoice_status', 'delivery_status', 'invoice_count', 'delivery_count']);
  protected override aclDenied = { create: true, write: true, unlink: true };

  override defaults(env: Env): Record<string, unknown> {
    const company = env.model('res.company').table.get(env.companyId);
    const warehouse = [...env.model('stock.warehouse').table.rows.values()].find((w) => w.company_id === env.companyId);
    return {
      state: 'draft',
      date_order: env.now,
      company_id: env.companyId,
      user_id: env.uid,
      currency_id: company?.currency_id ?? 1,
      warehouse_id: warehouse?.id ?? false,
      locked: false,
      pricelist_id: false,
      invoice_status: 'no',
    };
  }

  override beforeCreate(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    if (typeof vals.partner_id === 'number') {
      const partners = env.model('res.partner') as unknown as { addressGet(env: Env, ids: number[], prefs: string[]): Record<string, number | false>; table: Model['table'] };
      if (partners.table.get(vals.partner_id)) {
        const addr = partners.addressGet(env, [vals.partner_id], ['delivery', 'invoice']);
        vals.partner_invoice_id ??= addr.invoice;
        vals.partner_shipping_id ??= addr.delivery;
      }
    }
    if (!vals.name || vals.name === 'New') vals.name = `S${String(env.registry.nextSequence('sale.order', 1)).padStart(5, '0')}`;
    return vals;
  }

  override afterCreate(env: Env, id: number): void {
    postMessage(env, this.name, id, { body: '<p>Sales Order created</p>', messageType: 'notification', subtypeXmlid: 'mail.mt_note' });
  }

  /**
   * sale.order's `create` takes the order's number before the ORM checks the access rights, so a refused create still
   * uses one up (errors.json: portal_test's AccessError; the next order of the recording is one number further on).
   */
  override create(env: Env, valsList: unknown[]): number[] {
    if (!this.canAccess(env, 'create')) {
      for (const vals of valsList) if (isPlainObject(vals) && (!vals.name || vals.name === 'New')) env.registry.nextSequence('sale.order', 1);
    }
    return super.create(env, valsList);
  }

  override beforeUnlink(_env: Env, ids: number[]): void {
    for (const id of ids) {
      const state = this.table.get(id)?.state;
      if (state !== 'draft' && state !== 'cancel') throw userError('You can not delete a sent quotation or a confirmed sales order. You must first cancel it.');
    }
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'currency_id':
        return orderCurrency(rec, env);
      case 'amount_untaxed':
      case 'amount_tax':
      case 'amount_total':
        return this.amounts(rec, env)[field];
      case 'picking_ids':
        return env.registry.has('stock.picking') ? [...env.model('stock.picking').table.lookup('sale_id', rec.id)].sort((a, b) => a - b) : [];
      case 'delivery_count':
        return (this.compute('picking_ids', rec, env) as number[]).length;
      case 'delivery_status': {
        const pickings = (this.compute('picking_ids', rec, env) as number[]).map((id) => env.model('stock.picking').table.get(id)!).filter((p) => p.state !== 'cancel');
        if (!pickings.length) return false;
        if (pickings.every((p) => p.state === 'done')) return 'full';
        if (pickings.some((p) => p.state === 'done')) return 'partial';
        return 'pending';
      }
      case 'invoice_ids':
        return this.invoiceIds(rec, env);
      case 'invoice_count':
        return this.invoiceIds(rec, env).length;
      case 'invoice_status':
        return this.invoiceStatus(rec, env);
      default:
        return NOT_COMPUTED;
    }
  }

  /** `_get_invoiced`: the customer invoices and credit notes of the order's lines. */
  invoiceIds(rec: Rec, env: Env): number[] {
    if (!env.registry.has('account.move.line')) return [];
    const solines = env.model('sale.order.line').table.lookup('order_id', rec.id);
    const amls = env.model('account.move.line').table;
    const moves = env.model('account.move').table;
    const ids = new Set<number>();
    for (const sol of solines) for (const aml of amls.lookup('sale_line_ids', sol)) {
      const move = moves.get(amls.get(aml)?.move_id as number);
      if (move && (move.move_type === 'out_invoice' || move.move_type === 'out_refund')) ids.add(move.id);
    }
    return [...ids].sort((a, b) => a - b);
  }

  /** `_compute_invoice_status` from the lines' (down payments and sections left out). */
  private invoiceStatus(rec: Rec, env: Env): string {
    if (rec.state !== 'sale') return 'no';
    const lines = env.model('sale.order.line');
    const statuses = [...lines.table.lookup('order_id', rec.id)].map((id) => lines.table.get(id)!)
      .filter((l) => !l.display_type && !l.is_downpayment)
      .map((l) => lines.getter('invoice_status')(l, env) as string);
    if (statuses.includes('to invoice')) return 'to invoice';
    if (statuses.length && statuses.every((s) => s === 'invoiced')) return 'invoiced';
    if (statuses.length && statuses.every((s) => s === 'invoiced' || s === 'upselling')) return 'upselling';
    return 'no';
  }

  amounts(rec: Rec, env: Env): { amount_untaxed: number; amount_tax: number; amount_total: number } {
    const key = `so-amounts:${rec.id}:${env.registry.store.table('sale.order.line').version}:${this.table.version}`;
    const cached = env.cache.get(key) as { amount_untaxed: number; amount_tax: number; amount_total: number } | undefined;
    if (cached) return cached;
    const lines = env.model('sale.order.line') as SaleOrderLine;
    const all = [...lines.table.lookup('order_id', rec.id)].map((id) => lines.lineAmounts(lines.table.get(id)!, env));
    const d = documentAmounts(env, all, rec.company_id as number);
    const out = { amount_untaxed: d.untaxed, amount_tax: d.tax, amount_total: d.total };
    env.cache.set(key, out);
    return out;
  }

  protected override registerMethods(): void {
    const v = this.registry.profile;
    const records = (name: string, impl: (env: Env, ids: number[]) => unknown) =>
      this.method(name, { api: 'records', params: [], qualname: `SaleOrder.${name}`, impl: (c) => { this.ensureExisting(c.env, c.ids); return impl(c.env, c.ids); } });
    records('action_confirm', (env, ids) => {
      const refused = ids.filter((id) => !['draft', 'sent'].includes(this.table.get(id)!.state as string));
      if (refused.length) throw userError(v.messages.confirmRefused(refused.map((id) => this.table.get(id)!.name as string)));
      for (const id of ids) this.confirm(env, id);
      return true;
    });
    records('action_cancel', (env, ids) => {
      const confirmed = ids.filter((id) => this.table.get(id)!.state === 'sale');
      if (v.cancelWizard && confirmed.length && !env.context.disable_cancel_warning) {
        return {
          name: 'Cancel Sales Order', view_mode: 'form', res_model: 'sale.order.cancel', view_id: v.major === 17 ? 1070 : 1135,
          type: 'ir.actions.act_window',
          context: { default_template_id: 14, default_order_id: ids[0], mark_so_as_canceled: true, default_email_layout_xmlid: 'mail.mail_notification_layout_with_responsible_signature', model_description: 'Sales Order' },
          target: 'new',
        };
      }
      for (const id of ids) this.cancel(env, id);
      return true;
    });
    records('action_draft', (env, ids) => {
      for (const id of ids) {
        const state = this.table.get(id)!.state;
        if (state === 'cancel' || state === 'sent') this.writeRecords(env, [id], { state: 'draft' });
      }
      return true;
    });
    records('action_lock', (env, ids) => {
      for (const id of ids) if (!this.table.get(id)!.locked) { this.writeRecords(env, [id], { locked: true }); if (v.trackLocked) postTracking(env, this.name, id, 'mail.mt_note', 1); }
      return null;
    });
    records('action_unlock', (env, ids) => {
      for (const id of ids) if (this.table.get(id)!.locked) { this.writeRecords(env, [id], { locked: false }); if (v.trackLocked) postTracking(env, this.name, id, 'mail.mt_note', 1); }
      return null;
    });
    records('action_quotation_sent', (env, ids) => {
      for (const id of ids) if (this.table.get(id)!.state === 'draft') this.writeRecords(env, [id], { state: 'sent' });
      return true;
    });
    this.method('action_preview_sale_order', {
      api: 'records', params: [], qualname: 'SaleOrder.action_preview_sale_order',
      impl: (c) => {
        const id = this.ensureOne(c.ids);
        this.ensureExisting(c.env, [id]);
        return { type: 'ir.actions.act_url', target: 'self', url: `/my/orders/${id}?access_token=` };
      },
    });
    registerMailThread(this);
  }

  confirm(env: Env, id: number): void {
    this.writeRecords(env, [id], { state: 'sale', date_order: env.now });
    const order = this.table.get(id)!;
    const lines = env.model('sale.order.line');
    const lineRecs = lines.sortIds([...lines.table.lookup('order_id', id)], [{ field: 'id', desc: false, nullsFirst: false, key: (r) => r.id }], env).map((l) => lines.table.get(l)!);
    if (env.registry.has('stock.picking')) (env.model('stock.picking') as StockPicking).createDelivery(env, order, lineRecs);
    postTracking(env, this.name, id, 'sale.mt_order_confirmed', 1);
  }

  cancel(env: Env, id: number): void {
    if (env.registry.has('stock.picking')) {
      const pickings = env.model('stock.picking') as StockPicking;
      pickings.cancelPickings(env, [...pickings.table.lookup('sale_id', id)]);
    }
    this.writeRecords(env, [id], { state: 'cancel' });
  }
}

export class SaleOrderLine extends Model {
  readonly name = 'sale.order.line';
  description = 'Sales Order Line';
  order = 'order_id, sequence, id';
  override companyRule = true;
  override computedStored: ReadonlySet<string> = new Set(['invoice_status', 'state', 'company_id', 'order_partner_id', 'currency_id', 'product_type']);

  get taxField(): string {
    return this.fields.has('tax_ids') ? 'tax_ids' : 'tax_id';
  }

  get uomField(): string {
    return this.fields.has('product_uom_id') ? 'product_uom_id' : 'product_uom';
  }

  override init(...args: Parameters<Model['init']>): void {
    super.init(...args);
    const price = this.fields.get('price_unit');
    if (price && this.registry.profile.salePriceDigits !== null) price.digits = this.registry.profile.salePriceDigits;
  }

  override defaults(): Record<string, unknown> {
    return { sequence: 10, discount: 0, product_uom_qty: 1, display_type: false, is_delivery: false, qty_delivered: 0 };
  }

  override beforeCreate(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    const products = env.model('product.product');
    const product = typeof vals.product_id === 'number' ? products.table.get(vals.product_id) : undefined;
    if (product) {
      if (!('name' in vals) || !vals.name) {
        const description = products.getter('description_sale')(product, env);
        vals.name = description ? `${products.displayName(product, env)}\n${description}` : products.displayName(product, env);
      }
      if (!('price_unit' in vals)) vals.price_unit = products.getter('lst_price')(product, env);
      if (!(this.uomField in vals)) vals[this.uomField] = products.getter('uom_id')(product, env) || 1;
      if (!(this.taxField in vals)) {
        const order = env.model('sale.order').table.get(vals.order_id as number);
        const companyId = (order?.company_id as number) ?? env.companyId;
        const taxes = ((products.getter('taxes_id')(product, env) as number[]) ?? []).filter((t) => env.model('account.tax').table.get(t)?.company_id === companyId);
        vals[this.taxField] = [[6, 0, taxes]];
      }
    }
    return vals;
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'price_subtotal':
        return this.lineAmounts(rec, env).subtotal;
      case 'price_tax':
        return this.lineAmounts(rec, env).tax;
      case 'price_total':
        return this.lineAmounts(rec, env).total;
      case 'price_reduce_taxexcl': {
        const q = (rec.product_uom_qty as number) || 0;
        return q ? roundTo(this.lineAmounts(rec, env).subtotal / q, 6) : 0;
      }
      case 'state':
        return env.model('sale.order').table.get(rec.order_id as number)?.state ?? false;
      case 'company_id':
        return env.model('sale.order').table.get(rec.order_id as number)?.company_id ?? false;
      case 'order_partner_id':
        return env.model('sale.order').table.get(rec.order_id as number)?.partner_id ?? false;
      case 'currency_id':
      {
        const order = env.model('sale.order').table.get(rec.order_id as number);
        return order ? orderCurrency(order, env) : 1;
      }
      case 'invoice_lines':
        return env.registry.has('account.move.line') ? [...env.model('account.move.line').table.lookup('sale_line_ids', rec.id)].sort((a, b) => a - b) : [];
      case 'qty_invoiced':
        return this.invoicedQty(rec, env, false);
      case 'qty_invoiced_posted':
        return this.invoicedQty(rec, env, true);
      case 'qty_delivered':
        return this.deliveredQty(rec, env);
      case 'qty_to_invoice': {
        const order = env.model('sale.order').table.get(rec.order_id as number);
        if (order?.state !== 'sale' || rec.display_type) return 0;
        const policy = this.invoicePolicy(rec, env);
        const base = policy === 'delivery' ? this.deliveredQty(rec, env) : (rec.product_uom_qty as number) || 0;
        return roundTo(base - this.invoicedQty(rec, env, false), 4);
      }
      case 'invoice_status': {
        const order = env.model('sale.order').table.get(rec.order_id as number);
        if (order?.state !== 'sale') return 'no';
        const toInvoice = this.compute('qty_to_invoice', rec, env) as number;
        const ordered = (rec.product_uom_qty as number) || 0;
        if (Math.abs(toInvoice) >= 1e-4) return 'to invoice';
        if (this.invoicePolicy(rec, env) === 'order' && ordered >= 0 && this.deliveredQty(rec, env) > ordered + 1e-4) return 'upselling';
        if (this.invoicedQty(rec, env, false) >= ordered - 1e-4) return 'invoiced';
        return 'no';
      }
      case 'product_type': {
        const products = env.model('product.product');
        const product = products.table.get(rec.product_id as number);
        return product ? products.getter('type')(product, env) : false;
      }
      case 'is_storable': {
        const products = env.model('product.product');
        const product = products.table.get(rec.product_id as number);
        return product ? products.getter('is_storable')(product, env) : false;
      }
      default:
        return NOT_COMPUTED;
    }
  }

  private invoicePolicy(rec: Rec, env: Env): string {
    const products = env.model('product.product');
    const product = products.table.get(rec.product_id as number);
    return product ? String(products.getter('invoice_policy')(product, env) || 'order') : 'order';
  }

  /**
   * `qty_invoiced`: the quantities of the line's customer invoices less those of its credit notes, cancelled moves
   * left out (`posted`: 18/19's `qty_invoiced_posted`, posted moves only).
   */
  invoicedQty(rec: Rec, env: Env, posted: boolean): number {
    if (!env.registry.has('account.move.line')) return 0;
    const amls = env.model('account.move.line').table;
    const moves = env.model('account.move').table;
    let qty = 0;
    for (const id of amls.lookup('sale_line_ids', rec.id)) {
      const line = amls.get(id)!;
      const move = moves.get(line.move_id as number);
      if (!move || (posted ? move.state !== 'posted' : move.state === 'cancel')) continue;
      if (move.move_type === 'out_invoice') qty += Number(line.quantity) || 0;
      else if (move.move_type === 'out_refund') qty -= Number(line.quantity) || 0;
    }
    return roundTo(qty, 4);
  }

  /**
   * sale_stock's `qty_delivered` for goods ("stock_move" method): what the done moves of the line brought to a
   * customer, less what came back; services keep what was written (manual method).
   */
  deliveredQty(rec: Rec, env: Env): number {
    const products = env.model('product.product');
    const product = products.table.get(rec.product_id as number);
    const type = product ? products.getter('type')(product, env) : false;
    if (type !== 'consu' && type !== 'product') return (rec.qty_delivered as number) || 0;
    if (!env.registry.has('stock.move')) return 0;
    const moves = env.model('stock.move').table;
    const usage = (loc: unknown) => env.model('stock.location').table.get(loc as number)?.usage;
    let qty = 0;
    for (const id of moves.lookup('sale_line_id', rec.id)) {
      const m = moves.get(id)!;
      if (m.state !== 'done') continue;
      if (usage(m.location_dest_id) === 'customer' && usage(m.location_id) !== 'customer') qty += (m.quantity as number) || 0;
      else if (usage(m.location_id) === 'customer' && usage(m.location_dest_id) !== 'customer') qty -= (m.quantity as number) || 0;
    }
    return roundTo(qty, 4);
  }

  /** "S00025 - <first line of the description>", then the customer's reference in brackets (`_additional_name_per_id`). */
  override displayName(rec: Rec, env: Env): string {
    const order = env.model('sale.order').table.get(rec.order_id as number);
    const first = String(rec.name ?? '').split('\n')[0] || String(env.model('product.product').displayNameOfId(rec.product_id as number, env) || '');
    const name = order ? `${order.name} - ${first}` : first;
    const ref = env.model('res.partner').table.get(order?.partner_id as number)?.ref;
    return typeof ref === 'string' && ref && !env.context.hide_partner_ref ? `${name} (${ref})` : name;
  }

  /** Subtotal, tax and total of a line with the company's rounding (per line, or globally over the order). */
  lineAmounts(rec: Rec, env: Env): LineAmounts {
    const key = `sol:${rec.id}:${this.table.version}:${env.registry.store.table('sale.order').version}`;
    const cached = env.cache.get(key) as LineAmounts | undefined;
    if (cached) return cached;
    const order = env.model('sale.order').table.get(rec.order_id as number);
    const companyId = (order?.company_id as number) ?? env.companyId;
    const currency = order ? env.model('res.currency').table.get(orderCurrency(order, env)) : undefined;
    const out = computeLineAmounts(env, {
      priceUnit: (rec.price_unit as number) || 0, discount: (rec.discount as number) || 0,
      quantity: (rec.product_uom_qty as number) || 0, taxIds: (rec[this.taxField] as number[]) ?? [],
    }, companyId, false, (currency?.rounding as number) || 0.01);
    env.cache.set(key, out);
    return out;
  }

  protected override registerMethods(): void {}
}

/** `_compute_currency_id` (17+): the pricelist's currency, else the company's. */
export function orderCurrency(order: Rec, env: Env): number {
  const pricelist = typeof order.pricelist_id === 'number' ? env.model('product.pricelist').table.get(order.pricelist_id) : undefined;
  if (pricelist && typeof pricelist.currency_id === 'number') return pricelist.currency_id;
  // Without a pricelist: the company's, as stored when the order was made.
  if (typeof order.currency_id === 'number') return order.currency_id;
  return (env.model('res.company').table.get(order.company_id as number)?.currency_id as number | undefined) ?? 1;
}
