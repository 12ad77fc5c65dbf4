/**
 * Stock: warehouses, locations, operation types and quants, enough for the quantities the connector reads
 * (`qty_available`, `free_qty`, `virtual_available`, `incoming_qty`, `outgoing_qty` per company, warehouse or
 * location, as the context asks: 17 reads the key `warehouse`, 18/19 `warehouse_id`) and `read_group` on
 * stock.quant. Moves, move lines, pickings and packages have their own files (stock.*.model.ts).
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { FieldSpec } from '../orm/fields.ts';
import { accessError } from '../errors/odoo.errors.ts';
import { floatRound } from '@poleepo-odoo/odoo-tax-engine';

export interface StockFigures {
  qty_available: number;
  free_qty: number;
  virtual_available: number;
  incoming_qty: number;
  outgoing_qty: number;
}


/**
 * The locations the context asks for, as Odoo's `product.product._get_domain_locations` decides (17/18/19): the given
 * locations and their children; else the view location of the given warehouses and its children; else the view
 * locations of the warehouses of the active companies (searched with the context's `active_test`: a read with
 * active_test false counts archived warehouses too) and their children. Whatever their usage: Odoo filters on the
 * location tree (parent_path), not on internal usage.
 */
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
    scope = new Set(roots.flatMap((id) => locations.descendants(id, 'location_id')));
  } else if (warehouseRef !== undefined && warehouseRef !== false) {
    const ids = (Array.isArray(warehouseRef) ? warehouseRef : [warehouseRef]).map(Number);
    scope = new Set();
    for (const id of ids) {
      const wh = warehouses.table.get(id);
      if (!wh) continue;
      if (!env.companyIds.includes(wh.company_id as number)) throw warehouseAccessError(env, wh);
      for (const loc of locations.descendants(wh.view_location_id as number, 'location_id')) scope.add(loc);
    }
  } else {
    const companies = new Set(env.companyIds);
    const archivedToo = ctx.active_test === false;
    scope = new Set();
    for (const wh of warehouses.table.rows.values()) {
      if (!companies.has(wh.company_id as number) || (!archivedToo && wh.active === false) || !wh.view_location_id) continue;
      for (const loc of locations.descendants(wh.view_location_id as number, 'location_id')) scope.add(loc);
    }
  }
  env.cache.set('stock:scope', scope);
  return scope;
}

const round = (n: number) => Math.round(n * 1e4) / 1e4;

/** Odoo rounds each quantity to its product's unit of measure (`float_round(qty, uom.rounding)`). */
function uomRounding(env: Env, productId: number): number {
  const product = env.model('product.product').table.get(productId);
  const template = product ? env.model('product.template').table.get(product.product_tmpl_id as number) : undefined;
  const uom = template?.uom_id ? env.model('uom.uom').table.get(template.uom_id as number) : undefined;
  const rounding = uom?.rounding as number | undefined;
  return typeof rounding === 'number' && rounding > 0 ? rounding : 0.01;
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
  const step = uomRounding(env, productId);
  const flavour = env.profile.major >= 18 ? 'modern18' : 'legacy17';
  const toUnit = (n: number) => floatRound(n, step, flavour);
  const inQty = toUnit(incoming);
  const outQty = toUnit(outgoing);
  const figures = { qty_available: toUnit(qty), free_qty: toUnit(qty - reserved), virtual_available: toUnit(qty + inQty - outQty), incoming_qty: inQty, outgoing_qty: outQty };
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
      print_label: { type: 'boolean', string: 'Generate Shipping Labels' },
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

  override defaults(env: Env): Record<string, unknown> {
    return { create_backorder: 'ask', reservation_method: 'at_confirm', company_id: env.companyId, active: true, sequence: 10, auto_print_package_label: false };
  }

  /** Deliveries print shipping labels (`_compute_print_label`), receipts and internal transfers do not. */
  override compute(field: string, rec: Rec): unknown {
    if (field === 'print_label' && rec.print_label === undefined) return rec.code === 'outgoing';
    if (field === 'create_backorder') return rec.create_backorder ?? 'ask';
    if (field === 'reservation_method') return rec.reservation_method ?? 'at_confirm';
    return NOT_COMPUTED;
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
