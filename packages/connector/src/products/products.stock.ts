import { floatRound, type OdooMajor } from '@poleepo-odoo/odoo-tax-engine';
import type { OdooClient } from '../odoo/odoo.client.ts';
import type { OdooContext, OdooDomain, OdooRecord } from '../odoo/odoo.types.ts';
import { ValidationError } from '../shared/errors.ts';
import type { FieldPlan } from './products.fields.ts';

/**
 * Stock quantities of the export from `stock.quant` aggregates instead of the computed `qty_available`/`free_qty`.
 *
 * Why this equals what Odoo computes (17/18/19, `product.product._compute_quantities_dict`): Odoo itself answers
 * `qty_available` with `stock.quant._read_group([('product_id', 'in', ids)] + location domain, ['product_id'],
 * ['quantity:sum', 'reserved_quantity:sum'])`, where the location domain (`_get_domain_locations`) is the children
 * of the view location of the context's warehouse, or — without one — of the view locations of
 * `stock.warehouse.search([('company_id', 'in', env.companies)])` (under the same context: with active_test false,
 * archived warehouses count too). It then rounds per product: `float_round(sum, uom.rounding)` (19:
 * `uom.round(sum)`, the same step). `free_qty` is the same with the reserved quantity taken off. The quant record
 * rules (company in the allowed companies) apply to both reads alike, since both run with the connection's context.
 * So one read_group over the same domain, grouped by product, rounded the same way, gives the same numbers — for
 * every product at once, where the computed field costs Odoo about a third of the variant read (docs/odoo-api.md §D).
 * The test "stock from quants equals qty_available" checks it per company on the emulator.
 *
 * Where this path does not apply, the computed field is read instead (FieldPlan.stockSource says why):
 *   - `virtual_available` (the forecast adds moves by date and by their final destination: not one aggregate);
 *   - kits (mrp installed: `is_kits`): mrp computes a kit's quantity from its components, so kit variants have their
 *     computed field read separately, in one search_read;
 *   - no stock module (no `stock_quant_ids` on product.product): the quantity fields do not exist there anyway.
 */
export class QuantStock {
  private roots: number[] | null = null;
  private readonly roundings = new Map<number, number>();
  private readonly sums = new Map<number, { quantity: number; reserved: number }>();
  /** Kit variants: their computed quantity (mrp), read as such. */
  private readonly kits = new Map<number, number>();

  constructor(
    private readonly client: OdooClient,
    private readonly plan: FieldPlan,
    private readonly major: OdooMajor,
    private readonly companyId: number,
    private readonly warehouseId: number | null,
    private readonly variantContext: () => Promise<OdooContext>,
  ) {}

  /** Every product's quantities at once (a full export): one read_group. */
  async loadAll(): Promise<void> {
    this.sums.clear();
    this.kits.clear();
    await this.load([]);
  }

  /** The quantities of these products only (an incremental run's page). */
  async loadFor(ids: readonly number[]): Promise<void> {
    if (!ids.length) return;
    for (const id of ids) {
      this.sums.delete(id);
      this.kits.delete(id);
    }
    await this.load([['product_id', 'in', [...ids]]], ids);
  }

  /** The quantity Odoo shows for this variant (the configured field), rounded to its unit as Odoo rounds it. */
  quantity(variantId: number, uomId: number | null): number {
    const kit = this.kits.get(variantId);
    if (kit !== undefined) return kit;
    const sum = this.sums.get(variantId);
    if (!sum) return 0;
    const value = this.plan.quantityField === 'free_qty' ? sum.quantity - sum.reserved : sum.quantity;
    const step = (uomId !== null ? this.roundings.get(uomId) : undefined) ?? 0.01;
    return floatRound(value, step, this.major >= 18 ? 'modern18' : 'legacy17');
  }

  private async load(productDomain: OdooDomain, ids?: readonly number[]): Promise<void> {
    const context = await this.variantContext();
    const [roots] = await Promise.all([this.locationRoots(context), this.loadRoundings()]);
    const kits = this.plan.stockKits ? this.readKits(context, ids) : Promise.resolve();
    // No warehouse in scope: Odoo's location domain is FALSE, every quantity 0.
    if (roots.length) {
      const domain: OdooDomain = [...productDomain, ['location_id', 'child_of', roots]];
      const rows = await this.group(domain, context);
      for (const r of rows) {
        const product = Array.isArray(r.product_id) ? (r.product_id[0] as number) : typeof r.product_id === 'number' ? r.product_id : null;
        if (product === null) continue;
        this.sums.set(product, { quantity: num(r.quantity ?? r['quantity:sum']), reserved: num(r.reserved_quantity ?? r['reserved_quantity:sum']) });
      }
    }
    await kits;
  }

  private async group(domain: OdooDomain, context: OdooContext): Promise<OdooRecord[]> {
    const caps = await this.client.capabilities();
    if (caps.groupingMethod === 'formatted_read_group') {
      return this.client.call<OdooRecord[]>('stock.quant', 'formatted_read_group', [domain], { groupby: ['product_id'], aggregates: ['quantity:sum', 'reserved_quantity:sum'], context });
    }
    return this.client.readGroup<OdooRecord>('stock.quant', domain, ['quantity:sum', 'reserved_quantity:sum'], ['product_id'], { lazy: false, context });
  }

  /** The view locations `_get_domain_locations` starts from, under the same context as the computed field would be. */
  private async locationRoots(context: OdooContext): Promise<number[]> {
    if (this.roots) return this.roots;
    const domain: OdooDomain = this.warehouseId ? [['id', '=', this.warehouseId]] : [['company_id', 'in', companiesOf(this.client.context(), this.companyId)]];
    const rows = await this.client.searchRead('stock.warehouse', domain, { fields: ['view_location_id'], context });
    // Odoo refuses a warehouse of another company in the context; so do we, rather than export zeros.
    if (this.warehouseId && !rows.length) throw new ValidationError(`Warehouse ${this.warehouseId} (the connection's stock warehouse) is not visible in company ${this.companyId}: choose one of its warehouses`);
    this.roots = rows.map((r) => (Array.isArray(r.view_location_id) ? (r.view_location_id[0] as number) : null)).filter((id): id is number => id !== null);
    return this.roots;
  }

  private async loadRoundings(): Promise<void> {
    if (this.roundings.size) return;
    for (const u of await this.client.searchRead('uom.uom', [], { fields: ['rounding'], context: { active_test: false } })) {
      if (typeof u.rounding === 'number' && u.rounding > 0) this.roundings.set(u.id, u.rounding);
    }
  }

  private async readKits(context: OdooContext, ids?: readonly number[]): Promise<void> {
    const domain: OdooDomain = [['is_kits', '=', true], ...(ids ? [['id', 'in', [...ids]]] : [])];
    const rows = await this.client.searchRead('product.product', domain, { fields: [this.plan.quantityField], context });
    for (const r of rows) this.kits.set(r.id, num(r[this.plan.quantityField]));
  }
}

/** The companies the computed field would count (env.companies): the context's allowed companies, else the connection's. */
function companiesOf(context: Record<string, unknown>, companyId: number): number[] {
  const allowed = context.allowed_company_ids;
  return Array.isArray(allowed) && allowed.length ? (allowed as number[]) : [companyId];
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
