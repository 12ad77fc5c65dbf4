/**
 * Stock: warehouses, locations, quants, moves and delivery pickings, enough for the quantities the connector reads
 * (`qty_available`, `free_qty`, `virtual_available`, `incoming_qty`, `outgoing_qty` per company, warehouse or
 * location, as the context asks: 17 reads the key `warehouse`, 18/19 `warehouse_id`), `read_group` on stock.quant,
 * and the delivery an order confirmation creates (reserved at once) and its cancellation.
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { FieldSpec } from '../orm/fields.ts';
import { accessError } from '../errors/odoo.errors.ts';
import { registerMailThread } from './mail.thread.ts';

export interface StockFigures {
  qty_available: number;
  free_qty: number;
  virtual_available: number;
  incoming_qty: number;
  outgoing_qty: number;
}

const round = (n: number) => Math.round(n * 1e4) / 1e4;

/** The locations the context asks for: a location (and its children), a warehouse, or the active companies' stock. */
function scopeLocations(env: Env): Set<number> {
  const cached = env.cache.get('stock:scope') as Set<number> | undefined;
  if (cached) return cached;
  const locations = env.model('stock.location');
  const warehouses = env.model('stock.warehouse');
  const ctx = env.context;
  let scope: Set<number>;
  const warehouseRef = ctx[env.profile.warehouseContextKey];
  if (ctx.location !== undefined && ctx.location !== false) {
    const roots = (Array.isArray(ctx.location) ? ctx.location : [ctx.location]).map(Number);
    scope = new Set(roots.flatMap((id) => locations.descendants(id, 'location_id')).filter((id) => locations.table.get(id)?.usage === 'internal'));
  } else if (warehouseRef !== undefined && warehouseRef !== false) {
    const ids = (Array.isArray(warehouseRef) ? warehouseRef : [warehouseRef]).map(Number);
    scope = new Set();
    for (const id of ids) {
      const wh = warehouses.table.get(id);
      if (!wh) continue;
      if (!env.companyIds.includes(wh.company_id as number)) throw warehouseAccessError(env, wh);
      for (const loc of locations.descendants(wh.view_location_id as number, 'location_id')) if (locations.table.get(loc)?.usage === 'internal') scope.add(loc);
    }
  } else {
    const companies = new Set(env.companyIds);
    scope = new Set();
    for (const loc of locations.table.rows.values()) if (loc.usage === 'internal' && companies.has(loc.company_id as number)) scope.add(loc.id);
  }
  env.cache.set('stock:scope', scope);
  return scope;
}

function warehouseAccessError(env: Env, wh: Rec) {
  const company = env.model('res.company').table.get(wh.company_id as number);
  const user = env.user();
  const userName = env.model('res.users').getter('name')(user, env);
  let message = `Uh-oh! Looks like you have stumbled upon some top-secret records.\n\nSorry, ${userName} (id=${env.uid}) doesn't have 'read' access to:\n- Warehouse (stock.warehouse)\n\nIf you really, really need access, perhaps you can win over your friendly administrator with a batch of freshly baked cookies.`;
  if (!env.profile.suggestCompany) return accessError(message);
  message += `\n\nThis seems to be a multi-company issue, you might be able to access the record by switching to the company: ${company?.name}.`;
  return accessError(message, { suggested_company: { id: company?.id, display_name: company?.name } });
}

/** Quantities of one product in the context's scope (cached per call). */
export function stockFigures(env: Env, productId: number): StockFigures {
  const key = `stock:${productId}`;
  const cached = env.cache.get(key) as StockFigures | undefined;
  if (cached) return cached;
  const scope = scopeLocations(env);
  const quants = env.model('stock.quant').table;
  let qty = 0;
  let reserved = 0;
  for (const id of quants.lookup('product_id', productId)) {
    const q = quants.get(id)!;
    if (!scope.has(q.location_id as number)) continue;
    qty += (q.quantity as number) || 0;
    reserved += (q.reserved_quantity as number) || 0;
  }
  let incoming = 0;
  let outgoing = 0;
  const moves = env.model('stock.move').table;
  for (const id of moves.lookup('product_id', productId)) {
    const m = moves.get(id)!;
    if (m.state === 'done' || m.state === 'cancel' || m.state === 'draft') continue;
    const from = scope.has(m.location_id as number);
    const to = scope.has(m.location_dest_id as number);
    if (from && !to) outgoing += (m.product_uom_qty as number) || 0;
    else if (to && !from) incoming += (m.product_uom_qty as number) || 0;
  }
  const figures = { qty_available: round(qty), free_qty: round(qty - reserved), virtual_available: round(qty + incoming - outgoing), incoming_qty: round(incoming), outgoing_qty: round(outgoing) };
  env.cache.set(key, figures);
  return figures;
}

export class StockWarehouse extends Model {
  readonly name = 'stock.warehouse';
  description = 'Warehouse';
  order = 'sequence,id';
  override companyRule = true;

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', string: 'Warehouse', required: true },
      code: { type: 'char', string: 'Short Name', required: true },
      active: { type: 'boolean' },
      company_id: { type: 'many2one', relation: 'res.company', string: 'Company', required: true },
      lot_stock_id: { type: 'many2one', relation: 'stock.location', string: 'Location Stock' },
      view_location_id: { type: 'many2one', relation: 'stock.location', string: 'View Location' },
      sequence: { type: 'integer' },
    };
  }
}

export class StockLocation extends Model {
  readonly name = 'stock.location';
  description = 'Inventory Locations';
  order = 'complete_name, id';
  override recName = 'complete_name';
  override parentField = 'location_id';
  override companyRule = true;

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', string: 'Location Name', required: true },
      complete_name: { type: 'char', string: 'Full Location Name' },
      usage: {
        type: 'selection', string: 'Location Type', required: true,
        selection: [['supplier', 'Vendor Location'], ['view', 'View'], ['internal', 'Internal Location'], ['customer', 'Customer Location'], ['inventory', 'Inventory Loss'], ['production', 'Production'], ['transit', 'Transit Location']],
      },
      location_id: { type: 'many2one', relation: 'stock.location', string: 'Parent Location' },
      warehouse_id: { type: 'many2one', relation: 'stock.warehouse', string: 'Warehouse', store: false },
      company_id: { type: 'many2one', relation: 'res.company', string: 'Company' },
      active: { type: 'boolean' },
      barcode: { type: 'char' },
    };
  }

  override compute(field: string, rec: Rec): unknown {
    if (field === 'warehouse_id') return rec.warehouse_id ?? false;
    return NOT_COMPUTED;
  }
}

export class StockPickingType extends Model {
  readonly name = 'stock.picking.type';
  description = 'Picking Type';
  order = 'sequence, id';
  override companyRule = true;

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', string: 'Operation Type', required: true },
      code: { type: 'selection', string: 'Type of Operation', selection: [['incoming', 'Receipt'], ['outgoing', 'Delivery'], ['internal', 'Internal Transfer']] },
      warehouse_id: { type: 'many2one', relation: 'stock.warehouse', string: 'Warehouse' },
      sequence_code: { type: 'char', string: 'Sequence Prefix' },
      default_location_src_id: { type: 'many2one', relation: 'stock.location', string: 'Default Source Location' },
      default_location_dest_id: { type: 'many2one', relation: 'stock.location', string: 'Default Destination Location' },
      create_backorder: { type: 'selection', string: 'Create Backorder', selection: [['ask', 'Ask'], ['always', 'Always'], ['never', 'Never']] },
      auto_print_package_label: { type: 'boolean' },
      reservation_method: { type: 'selection', selection: [['at_confirm', 'At Confirmation'], ['manual', 'Manually'], ['by_date', 'Before scheduled date']] },
      company_id: { type: 'many2one', relation: 'res.company', string: 'Company' },
      active: { type: 'boolean' },
      sequence: { type: 'integer' },
      ...(this.registry.profile.major >= 19 ? { set_package_type: { type: 'boolean', string: 'Set Package Type' } as FieldSpec } : {}),
    };
  }

  override displayName(rec: Rec, env: Env): string {
    if (typeof rec.__display_name === 'string') return rec.__display_name;
    const wh = env.model('stock.warehouse').table.get(rec.warehouse_id as number);
    return wh ? `${wh.name}: ${rec.name}` : String(rec.name);
  }
}

export class StockQuant extends Model {
  readonly name = 'stock.quant';
  description = 'Quants';
  override companyRule = true;

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'available_quantity':
        return round(((rec.quantity as number) || 0) - ((rec.reserved_quantity as number) || 0));
      case 'product_tmpl_id':
        return env.model('product.product').table.get(rec.product_id as number)?.product_tmpl_id ?? false;
      case 'warehouse_id':
        return env.model('stock.location').table.get(rec.location_id as number)?.warehouse_id ?? false;
      case 'product_uom_id':
        return 1;
      default:
        return NOT_COMPUTED;
    }
  }

  override displayName(rec: Rec, env: Env): string {
    return String(env.model('stock.location').displayNameOfId(rec.location_id as number, env) || '');
  }

  override defaults(env: Env): Record<string, unknown> {
    return { reserved_quantity: 0, in_date: env.now, company_id: env.companyId };
  }
}

export class StockMove extends Model {
  readonly name = 'stock.move';
  description = 'Stock Move';
  order = 'sequence, id';
  override companyRule = true;

  override defaults(env: Env): Record<string, unknown> {
    return { state: 'draft', company_id: env.companyId, picked: false, sequence: 10, quantity: 0, date: env.now, product_uom: 1, procure_method: 'make_to_stock' };
  }

  override displayName(rec: Rec, env: Env): string {
    const product = env.model('product.product').displayNameOfId(rec.product_id as number, env);
    return rec.reference ? `${rec.reference}: ${product}` : String(product);
  }
}

export class StockPicking extends Model {
  readonly name = 'stock.picking';
  description = 'Transfer';
  order = 'priority desc, scheduled_date asc, id desc';
  override companyRule = true;
  override mailThread = true;
  override cascade = ['move_ids'];

  override defaults(env: Env): Record<string, unknown> {
    return { state: 'draft', company_id: env.companyId, scheduled_date: env.now, date: env.now, priority: '0', move_type: 'direct' };
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    if (field === 'move_ids_without_package') return env.model('stock.move').childrenOf(rec.id, 'picking_id', env);
    if (field === 'picking_type_code') return env.model('stock.picking.type').table.get(rec.picking_type_id as number)?.code ?? false;
    return NOT_COMPUTED;
  }

  protected override registerMethods(): void {
    registerMailThread(this);
  }

  /** The delivery of a confirmed order: one move per stocked line, reserved from the warehouse stock at once. */
  createDelivery(env: Env, order: Rec, lines: Rec[]): number | null {
    const products = env.model('product.product');
    const stocked = lines.filter((l) => {
      const p = products.table.get(l.product_id as number);
      if (!p || l.display_type) return false;
      const type = products.getter('type')(p, env);
      return type === 'consu' || type === 'product';
    });
    if (!stocked.length) return null;
    const warehouse = env.model('stock.warehouse').table.get(order.warehouse_id as number);
    const types = env.model('stock.picking.type');
    const pickingType = [...types.table.rows.values()].find((t) => t.code === 'outgoing' && t.warehouse_id === warehouse?.id);
    const src = (pickingType?.default_location_src_id || warehouse?.lot_stock_id) as number;
    const dest = (pickingType?.default_location_dest_id || [...env.model('stock.location').table.rows.values()].find((l) => l.usage === 'customer')?.id) as number;
    const number = env.registry.nextSequence(`stock.picking.out.${warehouse?.id ?? 1}`, 1);
    const code = warehouse?.code ?? 'WH';
    const origin = env.profile.deliveryOriginWithRef && order.client_order_ref ? `${order.name} - ${order.client_order_ref}` : order.name;
    const pickingId = this.createInternal(env, {
      name: `${code}/OUT/${String(number).padStart(5, '0')}`,
      origin,
      partner_id: order.partner_shipping_id ?? order.partner_id,
      picking_type_id: pickingType?.id ?? false,
      location_id: src,
      location_dest_id: dest,
      company_id: order.company_id,
      sale_id: order.id,
      state: 'confirmed',
    });
    const moves = env.model('stock.move');
    let allReserved = true;
    for (const line of stocked) {
      const qty = (line.product_uom_qty as number) || 0;
      const reserved = reserve(env, line.product_id as number, src, qty);
      if (reserved < qty) allReserved = false;
      moves.createInternal(env, {
        name: line.name,
        product_id: line.product_id,
        product_uom_qty: qty,
        quantity: reserved,
        location_id: src,
        location_dest_id: dest,
        picking_id: pickingId,
        sale_line_id: line.id,
        company_id: order.company_id,
        origin: order.name,
        reference: this.table.get(pickingId)!.name,
        state: reserved >= qty ? 'assigned' : reserved > 0 ? 'partially_available' : 'confirmed',
      });
    }
    this.table.update(pickingId, { state: allReserved ? 'assigned' : 'confirmed' });
    return pickingId;
  }

  /** Cancels pickings that are not done, releasing what their moves reserved. */
  cancelPickings(env: Env, ids: number[]): void {
    const moves = env.model('stock.move');
    for (const id of ids) {
      const picking = this.table.get(id);
      if (!picking || picking.state === 'done' || picking.state === 'cancel') continue;
      for (const mid of moves.table.lookup('picking_id', id)) {
        const m = moves.table.get(mid)!;
        if (m.state === 'done' || m.state === 'cancel') continue;
        unreserve(env, m.product_id as number, m.location_id as number, (m.quantity as number) || 0);
        moves.table.update(mid, { state: 'cancel', quantity: 0, write_date: env.now });
      }
      this.table.update(id, { state: 'cancel', write_date: env.now });
    }
  }
}

function reserve(env: Env, productId: number, location: number, qty: number): number {
  const quants = env.model('stock.quant').table;
  let left = qty;
  for (const id of [...quants.lookup('product_id', productId)].sort((a, b) => a - b)) {
    if (left <= 0) break;
    const q = quants.get(id)!;
    if (q.location_id !== location) continue;
    const free = ((q.quantity as number) || 0) - ((q.reserved_quantity as number) || 0);
    if (free <= 0) continue;
    const take = Math.min(free, left);
    quants.update(id, { reserved_quantity: round(((q.reserved_quantity as number) || 0) + take), write_date: env.now });
    left -= take;
  }
  return round(qty - left);
}

function unreserve(env: Env, productId: number, location: number, qty: number): void {
  const quants = env.model('stock.quant').table;
  let left = qty;
  for (const id of [...quants.lookup('product_id', productId)].sort((a, b) => b - a)) {
    if (left <= 0) break;
    const q = quants.get(id)!;
    if (q.location_id !== location) continue;
    const give = Math.min((q.reserved_quantity as number) || 0, left);
    if (give <= 0) continue;
    quants.update(id, { reserved_quantity: round(((q.reserved_quantity as number) || 0) - give), write_date: env.now });
    left -= give;
  }
}
