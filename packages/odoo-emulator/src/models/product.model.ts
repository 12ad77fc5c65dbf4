/**
 * product.template and product.product. Variants inherit the template's fields (`_inherits`); attribute lines
 * generate one variant per combination of values (cartesian product); `lst_price` = `list_price` + the values'
 * `price_extra`; display names are "[CODE] Name (Value, Value)"; barcodes are unique; stock quantities follow the
 * context's companies, warehouse or location. 17 types products with `type`/`detailed_type` ('product' = storable),
 * 18/19 with `type` consu + `is_storable`.
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import { validationError } from '../errors/odoo.errors.ts';
import { parseOrder } from '../orm/order.ts';
import { stockFigures } from './stock.model.ts';
import { registerMailThread } from './mail.thread.ts';

const STOCK_FIELDS = ['qty_available', 'virtual_available', 'free_qty', 'incoming_qty', 'outgoing_qty'];

export class ProductTemplate extends Model {
  readonly name = 'product.template';
  description = 'Product';
  override mailThread = true;

  override init(...args: Parameters<Model['init']>): void {
    super.init(...args);
    this.order = this.fields.has('priority') ? 'priority desc, name' : 'is_favorite desc, name';
  }

  override defaults(env: Env): Record<string, unknown> {
    const company = env.model('res.company').table.get(env.companyId);
    const saleTax = company?.account_sale_tax_id;
    const purchaseTax = [...env.model('account.tax').table.rows.values()].find((t) => t.type_tax_use === 'purchase' && t.company_id === env.companyId && t.active !== false)?.id;
    const d: Record<string, unknown> = {
      active: true,
      sale_ok: true,
      purchase_ok: true,
      list_price: 1.0,
      type: 'consu',
      invoice_policy: 'order',
      categ_id: 1,
      uom_id: 1,
      tracking: 'none',
      company_id: false,
      taxes_id: saleTax ? [[6, 0, [saleTax]]] : [],
      supplier_taxes_id: purchaseTax ? [[6, 0, [purchaseTax]]] : [],
    };
    if (this.fields.has('uom_po_id')) d.uom_po_id = 1;
    if (this.fields.has('detailed_type')) {
      // 17 keeps type and detailed_type equal: a default follows the other when only one is given.
      d.type = (_e: Env, vals: Record<string, unknown>) => vals.detailed_type ?? 'consu';
      d.detailed_type = (_e: Env, vals: Record<string, unknown>) => vals.type ?? 'consu';
    }
    if (this.fields.has('is_storable')) d.is_storable = false;
    return d;
  }

  override beforeCreate(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    syncTypes17(env, vals, true);
    return vals;
  }

  override beforeWrite(env: Env, _ids: number[], vals: Record<string, unknown>): Record<string, unknown> {
    syncTypes17(env, vals, false);
    return vals;
  }

  override afterCreate(env: Env, id: number, vals: Record<string, unknown>, opts: { fromChild?: string } = {}): void {
    if (opts.fromChild) return; // the variant being created is the template's variant
    this.syncVariants(env, id, { default_code: vals.default_code, barcode: vals.barcode });
  }

  override afterWrite(env: Env, ids: number[], vals: Record<string, unknown>): void {
    // default_code / barcode written on a single-variant template go to its variant.
    for (const id of ids) {
      const variants = this.variantIds(env, id, true);
      if (variants.length === 1) {
        const v: Record<string, unknown> = {};
        if ('default_code' in vals) v.default_code = vals.default_code;
        if ('barcode' in vals) v.barcode = vals.barcode;
        if ('active' in vals) v.active = vals.active;
        if (Object.keys(v).length) env.model('product.product').writeRecords(env, variants, v);
      }
      if ('attribute_line_ids' in vals) this.syncVariants(env, id);
    }
  }

  override beforeUnlink(env: Env, ids: number[]): void {
    const pp = env.model('product.product');
    for (const id of ids) {
      const variants = [...pp.table.lookup('product_tmpl_id', id)];
      for (const v of variants) pp.table.delete(v);
      const lines = env.model('product.template.attribute.line');
      for (const l of [...lines.table.lookup('product_tmpl_id', id)]) lines.table.delete(l);
      const ptav = env.model('product.template.attribute.value');
      for (const p of [...ptav.table.lookup('product_tmpl_id', id)]) ptav.table.delete(p);
    }
  }

  variantIds(env: Env, tmplId: number, includeArchived = false): number[] {
    const pp = env.model('product.product');
    const ids = [...pp.table.lookup('product_tmpl_id', tmplId)];
    return includeArchived ? ids : ids.filter((id) => pp.table.get(id)?.active !== false);
  }

  /** One variant per combination of the template's active attribute values (create_variant 'always'). */
  syncVariants(env: Env, tmplId: number, firstValues: Record<string, unknown> = {}): void {
    const pp = env.model('product.product');
    const lines = env.model('product.template.attribute.line');
    const ptav = env.model('product.template.attribute.value');
    const attributes = env.model('product.attribute');
    const lineIds = lines.sortIds([...lines.table.lookup('product_tmpl_id', tmplId)], parseOrder(lines, lines.order, env), env);
    const axes: number[][] = [];
    for (const lineId of lineIds) {
      const line = lines.table.get(lineId)!;
      if (attributes.table.get(line.attribute_id as number)?.create_variant === 'no_variant') continue;
      const values = [...ptav.table.lookup('attribute_line_id', lineId)].filter((id) => ptav.table.get(id)?.ptav_active !== false).sort((a, b) => a - b);
      if (values.length) axes.push(values);
    }
    const combos: number[][] = axes.reduce<number[][]>((acc, axis) => acc.flatMap((c) => axis.map((v) => [...c, v])), [[]]);
    const key = (ids: number[]) => [...ids].sort((a, b) => a - b).join(',');
    const wanted = new Map(combos.map((c) => [key(c), c]));
    const existing = this.variantIds(env, tmplId, true);
    for (const vid of existing) {
      const rec = pp.table.get(vid)!;
      const k = key((rec.product_template_attribute_value_ids as number[]) ?? []);
      if (wanted.has(k)) {
        if (rec.active === false) pp.table.update(vid, { active: true });
        wanted.delete(k);
      } else if (rec.active !== false) {
        const used = env.registry.has('sale.order.line') && env.model('sale.order.line').table.lookup('product_id', vid).size > 0;
        if (used) pp.table.update(vid, { active: false });
        else pp.table.delete(vid);
      }
    }
    let first = existing.length === 0;
    for (const combo of wanted.values()) {
      const extra = first ? Object.fromEntries(Object.entries(firstValues).filter(([, v]) => v !== undefined)) : {};
      pp.createOne(env, { product_tmpl_id: tmplId, product_template_attribute_value_ids: [[6, 0, combo]], ...extra });
      first = false;
    }
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'product_variant_ids':
        return env.model('product.product').childrenOf(rec.id, 'product_tmpl_id', env);
      case 'product_variant_count':
        return this.variantIds(env, rec.id).length;
      case 'product_variant_id':
        return env.model('product.product').childrenOf(rec.id, 'product_tmpl_id', env)[0] ?? false;
      case 'valid_product_template_attribute_line_ids':
      case 'attribute_line_ids': {
        const lines = env.model('product.template.attribute.line');
        return lines.childrenOf(rec.id, 'product_tmpl_id', env.withContext({ active_test: false }));
      }
      case 'default_code':
      case 'barcode': {
        const variants = this.variantIds(env, rec.id);
        return variants.length === 1 ? env.model('product.product').table.get(variants[0])?.[field] ?? false : false;
      }
      case 'is_product_variant':
        return false;
      case 'standard_price': {
        const v = (rec.__company as Record<string, Record<number, unknown>> | undefined)?.standard_price?.[env.companyId];
        return v ?? rec.standard_price ?? 0;
      }
      default:
        if (STOCK_FIELDS.includes(field)) {
          let sum = 0;
          for (const v of this.variantIds(env, rec.id)) sum += stockFigures(env, v)[field as keyof ReturnType<typeof stockFigures>];
          return roundQty(sum);
        }
        return NOT_COMPUTED;
    }
  }

  override displayName(rec: Rec, env: Env): string {
    const code = this.getter('default_code')(rec, env);
    return code ? `[${code}] ${rec.name}` : String(rec.name);
  }

  override nameSearchIds(env: Env, name: string | string[], operator: string, extraDomain: unknown[] = [], limit = 0): number[] {
    if (Array.isArray(name) || !name) return super.nameSearchIds(env, name, operator, extraDomain, limit);
    return this.search(env, ['|', ['default_code', operator, name], ['name', operator, name], ...extraDomain], { limit });
  }

  protected override registerMethods(): void {
    registerMailThread(this);
  }
}

/** 17: `type` and `detailed_type` are kept equal; given both, they must agree. */
function syncTypes17(env: Env, vals: Record<string, unknown>, creating: boolean): void {
  if (!env.profile.storableByType) return;
  const hasType = 'type' in vals;
  const hasDetailed = 'detailed_type' in vals;
  if (hasType && hasDetailed && vals.type !== vals.detailed_type) throw validationError("The Type of this product doesn't match the Detailed Type");
  if (hasDetailed && !hasType) vals.type = vals.detailed_type;
  else if (hasType && !hasDetailed) vals.detailed_type = vals.type;
  void creating;
}

/** Fields a variant holds itself although the template has a field of the same name. */
const VARIANT_OWN = new Set([
  'default_code', 'barcode', 'active', 'weight', 'volume', 'standard_price', 'image_1920', 'image_1024', 'image_512', 'image_256', 'image_128',
  'create_date', 'write_date', 'create_uid', 'write_uid', 'display_name', 'id', 'message_ids', 'message_follower_ids', 'activity_ids',
  'qty_available', 'virtual_available', 'free_qty', 'incoming_qty', 'outgoing_qty', 'is_product_variant', 'product_variant_count',
  'price_extra', 'lst_price', 'code', 'partner_ref', 'combination_indices', 'website_message_ids', 'product_variant_ids', 'product_variant_id',
]);

export class ProductProduct extends Model {
  readonly name = 'product.product';
  description = 'Product Variant';
  override inherits = { model: 'product.template', field: 'product_tmpl_id', own: VARIANT_OWN };
  override mailThread = true;

  override init(...args: Parameters<Model['init']>): void {
    super.init(...args);
    const tmplFields = this.registry.has('product.template') ? this.registry.model('product.template').fields : new Map();
    this.order = tmplFields.has('priority') ? 'priority desc, default_code, name, id' : 'is_favorite desc, default_code, name, id';
    for (const f of ['product_variant_ids', 'product_variant_count', 'product_variant_id']) if (!this.fields.has(f)) this.inherits.own.delete(f);
  }

  override defaults(): Record<string, unknown> {
    return { active: true, weight: 0, volume: 0, barcode: false, default_code: false };
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'price_extra':
        return this.priceExtra(rec, env);
      case 'standard_price': {
        const own = (rec.__company as Record<string, Record<number, unknown>> | undefined)?.standard_price?.[env.companyId];
        if (own !== undefined) return own;
        const tmplModel = env.model('product.template');
        const tmpl = tmplModel.table.get(rec.product_tmpl_id as number);
        return tmpl ? tmplModel.getter('standard_price')(tmpl, env) : 0;
      }
      case 'lst_price': {
        const tmpl = env.model('product.template').table.get(rec.product_tmpl_id as number);
        return roundPrice(((tmpl?.list_price as number) ?? 0) + this.priceExtra(rec, env));
      }
      case 'product_template_variant_value_ids':
        return this.variantValues(rec, env, false);
      case 'combination_indices':
        return [...((rec.product_template_attribute_value_ids as number[]) ?? [])].sort((a, b) => a - b).join(',');
      case 'code':
        return rec.default_code ?? false;
      case 'partner_ref':
        return this.displayName(rec, env);
      case 'is_product_variant':
        return true;
      case 'product_variant_count':
        return (env.model('product.template') as ProductTemplate).variantIds(env, rec.product_tmpl_id as number).length;
      case 'product_variant_ids':
      case 'product_variant_id':
        return NOT_COMPUTED;
      case 'image_1920':
      case 'image_1024':
      case 'image_512':
      case 'image_256':
      case 'image_128': {
        const own = rec[`image_variant_${field.slice('image_'.length)}`];
        if (own) return own;
        const tmpl = env.model('product.template').table.get(rec.product_tmpl_id as number);
        return tmpl?.[field] ?? false;
      }
      default:
        if (STOCK_FIELDS.includes(field)) return stockFigures(env, rec.id)[field as keyof ReturnType<typeof stockFigures>];
        return NOT_COMPUTED;
    }
  }

  override copyDefaults(env: Env, rec: Rec): Record<string, unknown> {
    const tmpl = env.model('product.template').table.get(rec.product_tmpl_id as number);
    return { name: `${tmpl?.name ?? ''} (copy)`, product_template_attribute_value_ids: [[6, 0, []]] };
  }

  private priceExtra(rec: Rec, env: Env): number {
    const ptav = env.model('product.template.attribute.value').table;
    let extra = 0;
    for (const id of (rec.product_template_attribute_value_ids as number[]) ?? []) extra += (ptav.get(id)?.price_extra as number) ?? 0;
    return roundPrice(extra);
  }

  /** The template attribute values that name the variant, in attribute line order. */
  variantValues(rec: Rec, env: Env, onlyMultiValueLines: boolean): number[] {
    const ptavModel = env.model('product.template.attribute.value');
    const lines = env.model('product.template.attribute.line').table;
    const attributes = env.model('product.attribute').table;
    const ids = ((rec.product_template_attribute_value_ids as number[]) ?? []).filter((id) => {
      const v = ptavModel.table.get(id);
      if (!v) return false;
      const line = lines.get(v.attribute_line_id as number);
      if (attributes.get(line?.attribute_id as number)?.create_variant === 'no_variant') return false;
      if (onlyMultiValueLines) return ((line?.value_ids as number[]) ?? []).length > 1;
      return true;
    });
    if (ids.length < 2) return ids;
    // ptav order is "attribute_line_id, id": by the line's rank, then id.
    const lineRank = env.model('product.template.attribute.line').rankOf(env);
    const key = (id: number) => lineRank.get(ptavModel.table.get(id)!.attribute_line_id as number) ?? 0;
    return ids.sort((a, b) => key(a) - key(b) || a - b);
  }

  override displayName(rec: Rec, env: Env): string {
    if (typeof rec.__display_name === 'string') return rec.__display_name;
    const tmpl = env.model('product.template').table.get(rec.product_tmpl_id as number);
    const name = (tmpl?.name as string) ?? '';
    const ptav = env.model('product.template.attribute.value');
    const values = this.variantValues(rec, env, true).map((id) => ptav.getter('name')(ptav.table.get(id)!, env));
    const base = rec.default_code ? `[${rec.default_code}] ${name}` : name;
    return values.length ? `${base} (${values.join(', ')})` : base;
  }

  override inverse(env: Env, rec: Rec, name: string, value: unknown): void {
    if (name === 'lst_price' && rec.product_tmpl_id) {
      env.model('product.template').writeRecords(env, [rec.product_tmpl_id as number], { list_price: Number(value) - this.priceExtra(rec, env) });
    }
  }

  override beforeCreate(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    syncTypes17(env, vals, true);
    return vals;
  }

  override beforeWrite(env: Env, _ids: number[], vals: Record<string, unknown>): Record<string, unknown> {
    syncTypes17(env, vals, false);
    return vals;
  }

  override checkConstraints(env: Env, ids: number[]): void {
    for (const id of ids) {
      const barcode = this.table.get(id)?.barcode;
      if (!barcode) continue;
      const same = [...this.table.lookup('barcode', barcode)].sort((a, b) => a - b);
      if (same.length > 1) {
        const names = same.map((pid) => this.displayName(this.table.get(pid)!, env)).join(env.profile.messages.barcodeJoin);
        throw validationError(`Barcode(s) already assigned:\n\n- Barcode "${barcode}" already assigned to product(s): ${names}\n\nNote: products that you don't have access to will not be shown above.`);
      }
    }
  }

  private dropEmptyTemplates(env: Env, ids: number[], templates: number[]): void {
    // A template whose last variant is deleted is deleted too.
    const tmpl = env.model('product.template') as ProductTemplate;
    for (const t of new Set(templates)) if (tmpl.variantIds(env, t, true).length === 0 && tmpl.table.get(t)) tmpl.unlinkRecords(env, [t]);
    void ids;
  }

  override unlinkRecords(env: Env, ids: number[]): void {
    const templates = ids.map((id) => this.table.get(id)?.product_tmpl_id as number).filter(Boolean);
    super.unlinkRecords(env, ids);
    this.dropEmptyTemplates(env, ids, templates);
  }

  override nameSearchIds(env: Env, name: string | string[], operator: string, extraDomain: unknown[] = [], limit = 0): number[] {
    if (Array.isArray(name) || !name || !['ilike', 'like', '=', '=ilike', '=like'].includes(operator)) return super.nameSearchIds(env, name, operator, extraDomain, limit);
    const out: number[] = [];
    const add = (ids: number[]) => {
      for (const id of ids) if (!out.includes(id) && (!limit || out.length < limit)) out.push(id);
    };
    add(this.search(env, [['default_code', '=', name], ...extraDomain], { limit }));
    if (operator === '=' && out.length) return out;
    if (!limit || out.length < limit) add(this.search(env, [['default_code', operator, name], ...extraDomain], { limit }));
    if (!limit || out.length < limit) add(this.search(env, [['name', operator, name], ...extraDomain], { limit: limit ? limit + out.length : 0 }));
    if (!limit || out.length < limit) add(this.search(env, [['barcode', '=', name], ...extraDomain], { limit }));
    return out;
  }

  protected override registerMethods(): void {
    registerMailThread(this);
  }
}

function roundPrice(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function roundQty(n: number): number {
  return Math.round(n * 1e4) / 1e4;
}
