/**
 * Large catalogs for benchmarks: N templates and M variants (single-variant products, 5-variant and 20-variant
 * templates over Size and Color attributes, like the catalog measured in odoo-api-research §D), each variant with a
 * SKU, a price, some with a barcode, stock per company. Written straight into the tables (no per-record ORM work),
 * deterministic for a given seed number, and fast: 20,000 templates / 100,000 variants in about a second.
 */
import type { Registry } from '../orm/registry.ts';
import type { Rec } from '../orm/store.ts';
import { formatDatetime } from '../orm/env.ts';

export interface CatalogSpec {
  templates: number;
  variants: number;
  /** Companies that hold stock (default: every company that has a warehouse). */
  stockCompanies?: number[];
  /** Share of variants with no stock at all (default 0.1). */
  outOfStockShare?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** create_date / write_date of the generated records (default: the emulator clock's time). */
  timestamp?: string;
  /** Prefix of the generated SKUs (default "GEN"). */
  skuPrefix?: string;
}

export interface CatalogResult {
  templateIds: [number, number];
  variantIds: [number, number];
  quants: number;
  ms: number;
}

const SIZES = ['XS', 'S', 'M', 'L', 'XL'];
const COLORS = ['Red', 'Blue', 'Green', 'Black'];
const WORDS = ['Chair', 'Desk', 'Lamp', 'Shelf', 'Cabinet', 'Sofa', 'Table', 'Stool', 'Bench', 'Drawer', 'Mirror', 'Rug', 'Frame', 'Vase', 'Clock'];
const ADJ = ['Classic', 'Modern', 'Compact', 'Large', 'Oak', 'Steel', 'Nordic', 'Urban', 'Soft', 'Bold'];

export function generateCatalog(registry: Registry, spec: CatalogSpec): CatalogResult {
  const started = performance.now();
  if (spec.variants < spec.templates) throw new Error('A catalog needs at least one variant per template');
  let state = spec.seed ?? 1;
  const rand = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const ts = spec.timestamp ?? formatDatetime(registry.clock.now());
  const prefix = spec.skuPrefix ?? 'GEN';
  const profile = registry.profile;
  const t = (m: string) => registry.model(m).table;
  const stamp = (r: Rec): Rec => Object.assign(r, { create_date: ts, write_date: ts, create_uid: 2, write_uid: 2 });

  // Attributes shared by the generated templates.
  const attrTable = t('product.attribute');
  const valueTable = t('product.attribute.value');
  const sizeAttr = attrTable.allocateId();
  attrTable.insert(stamp({ id: sizeAttr, name: `${prefix} Size`, display_type: 'radio', create_variant: 'always', sequence: 50 }));
  const colorAttr = attrTable.allocateId();
  attrTable.insert(stamp({ id: colorAttr, name: `${prefix} Color`, display_type: 'color', create_variant: 'always', sequence: 51 }));
  const sizeValues = SIZES.map((name, i) => {
    const id = valueTable.allocateId();
    valueTable.insert(stamp({ id, name, attribute_id: sizeAttr, sequence: i, is_custom: false, html_color: false, default_extra_price: i >= 3 ? 5 : 0 }));
    return id;
  });
  const colorValues = COLORS.map((name, i) => {
    const id = valueTable.allocateId();
    valueTable.insert(stamp({ id, name, attribute_id: colorAttr, sequence: i, is_custom: false, html_color: false, default_extra_price: 0 }));
    return id;
  });

  // How many templates of each size: half the extra variants in 20-variant templates, the rest in 5-variant ones.
  const extra = spec.variants - spec.templates;
  const n20 = Math.min(Math.floor((extra * 0.5) / 19), spec.templates);
  let left = extra - n20 * 19;
  const n5 = Math.min(Math.floor(left / 4), spec.templates - n20);
  left -= n5 * 4;
  const shapes: number[] = [];
  for (let i = 0; i < n20; i++) shapes.push(20);
  for (let i = 0; i < n5; i++) shapes.push(5);
  while (shapes.length < spec.templates) shapes.push(1);
  // Whatever does not divide evenly goes to single-variant templates turned into 2..5-variant ones.
  for (let i = shapes.length - 1; left > 0 && i >= 0; i--) {
    if (shapes[i] !== 1) continue;
    const add = Math.min(left, 4);
    shapes[i] += add;
    left -= add;
  }

  const tmplTable = t('product.template');
  const lineTable = t('product.template.attribute.line');
  const ptavTable = t('product.template.attribute.value');
  const variantTable = t('product.product');
  const quantTable = t('stock.quant');
  const companies = registry.model('res.company').table;
  const warehouses = [...t('stock.warehouse').rows.values()];
  const stockCompanies = spec.stockCompanies ?? warehouses.map((w) => w.company_id as number).filter((c) => companies.get(c));
  const categories = [...t('product.category').rows.keys()];
  const saleTax = companies.get(1)?.account_sale_tax_id;
  const outShare = spec.outOfStockShare ?? 0.1;

  const firstTemplate = tmplTable.nextId;
  const firstVariant = variantTable.nextId;
  let quants = 0;
  let sku = 1;
  for (let n = 0; n < shapes.length; n++) {
    const size = shapes[n];
    const tmplId = tmplTable.allocateId();
    const name = `${ADJ[n % ADJ.length]} ${WORDS[Math.floor(n / ADJ.length) % WORDS.length]} ${n + 1}`;
    const price = Math.round((5 + rand() * 995) * 100) / 100;
    const tmpl: Rec = {
      id: tmplId, name, list_price: price, sale_ok: true, purchase_ok: true, active: true, categ_id: categories[n % categories.length] ?? 1,
      uom_id: 1, invoice_policy: 'delivery', tracking: 'none', company_id: false, taxes_id: saleTax ? [saleTax] : [], supplier_taxes_id: [],
      description_sale: n % 3 === 0 ? `${name}, generated for benchmarks.` : false,
    };
    if (profile.storableByType) Object.assign(tmpl, { type: 'product', detailed_type: 'product' });
    else Object.assign(tmpl, { type: 'consu', is_storable: true });
    if (registry.model('product.template').fields.has('uom_po_id')) tmpl.uom_po_id = 1;
    tmplTable.insert(stamp(tmpl));
    // Attribute lines and their template values.
    const axes: number[][] = [];
    const addLine = (attribute: number, values: number[]) => {
      const lineId = lineTable.allocateId();
      lineTable.insert(stamp({ id: lineId, product_tmpl_id: tmplId, attribute_id: attribute, value_ids: values, sequence: 10, active: true }));
      axes.push(values.map((v, i) => {
        const id = ptavTable.allocateId();
        ptavTable.insert(stamp({ id, product_tmpl_id: tmplId, attribute_line_id: lineId, attribute_id: attribute, product_attribute_value_id: v, price_extra: i >= 3 ? 5 : 0, ptav_active: true }));
        return id;
      }));
    };
    if (size === 20) {
      addLine(sizeAttr, sizeValues);
      addLine(colorAttr, colorValues);
    } else if (size > 1) addLine(sizeAttr, sizeValues.slice(0, size));
    const combos = axes.length ? axes.reduce<number[][]>((acc, axis) => acc.flatMap((c) => axis.map((v) => [...c, v])), [[]]) : [[]];
    for (const combo of combos.slice(0, size)) {
      const vid = variantTable.allocateId();
      const code = `${prefix}-${String(sku++).padStart(6, '0')}`;
      variantTable.insert(stamp({
        id: vid, product_tmpl_id: tmplId, default_code: code, barcode: sku % 4 === 0 ? ean13(200000000000 + sku) : false, active: true,
        product_template_attribute_value_ids: combo, weight: Math.round(rand() * 2000) / 100, volume: 0,
      }));
      if (rand() < outShare) continue;
      for (const company of stockCompanies) {
        const wh = warehouses.find((w) => w.company_id === company);
        if (!wh) continue;
        if (company !== stockCompanies[0] && rand() < 0.5) continue;
        const qty = Math.floor(rand() * 200) + 1;
        const reserved = rand() < 0.1 ? Math.floor(qty * rand()) : 0;
        const qid = quantTable.allocateId();
        quantTable.insert(stamp({ id: qid, product_id: vid, location_id: wh.lot_stock_id, company_id: company, quantity: qty, reserved_quantity: reserved, lot_id: false, package_id: false, in_date: ts }));
        quants++;
      }
    }
  }
  return {
    templateIds: [firstTemplate, tmplTable.nextId - 1],
    variantIds: [firstVariant, variantTable.nextId - 1],
    quants,
    ms: Math.round(performance.now() - started),
  };
}

/** A valid EAN-13 from 12 digits. */
function ean13(n: number): string {
  const digits = String(n).padStart(12, '0').slice(-12);
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (i % 2 ? 3 : 1);
  return digits + String((10 - (sum % 10)) % 10);
}
