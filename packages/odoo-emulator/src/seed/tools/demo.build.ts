/**
 * Second stage of the demo extraction: turns what the recordings revealed (partial rows, display names, stock
 * observations per company) into a consistent catalog the emulator can load. Anything not recorded is marked as such
 * in EXTRAS or derived by a rule written here (a template for each single-variant product, quants that add up to the
 * observed quantities, location usages from their names).
 */
import type { Version } from './recordings.ts';

type Row = Record<string, unknown>;

export interface Extracted {
  rows: Map<string, Map<number, Row>>;
  names: Map<string, Map<number, string>>;
  created: Map<string, number>;
  stock: Map<number, Map<string, Row>>;
}

export interface DemoSeed {
  version: Version;
  note: string;
  /** Timestamp for create_date / write_date of records the recording gave none for. */
  seedTime: string;
  /** First id each model allocates (the ids the recorded run gave its first new records). */
  nextIds: Record<string, number>;
  /** Next number of the name sequences (sale orders S00025, deliveries WH/OUT/00015). */
  sequences: Record<string, number>;
  records: Record<string, Row[]>;
}

/** Values the recordings do not show, added so the catalog is usable. Each is a plain demo-like value. */
const EXTRAS = {
  /** Typical demo sales prices for products whose price no answer showed (by default_code). */
  listPrices: {
    'E-COM06': 147.0, 'E-COM08': 15.8, 'E-COM09': 1799.0, 'E-COM10': 47.0, 'FURN_0789': 885.0, 'FURN_0001': 5.1,
    'FURN_0002': 3.19, 'FURN_8888': 40.0, 'FURN_9001': 45.0, 'FURN_6667': 295.0, 'FURN_5555': 13.5,
  } as Record<string, number>,
  /**
   * Product weights no answer showed directly but the recorded delivery reveals (flows/c_delivery_pack_validate.json):
   * two Large Cabinets weigh 0.66 in their package and the picking 0.67 with one desk of 0.01.
   */
  weights: { 'E-COM07': 0.33 } as Record<string, number>,
  /** 19: the package types' own name sequences, as the recorded package names show them (PAL0000001, BOX0000001). */
  packageTypeSequences: { 19: { Pallet: 'PAL', Box: 'BOX' } } as Partial<Record<Version, Record<string, string>>>,
  adminEmail: { 17: 'admin@yourcompany.example.com', 18: 'admin@yourcompany.example.com', 19: 'admin@example.com' } as Record<Version, string>,
  xmlids: [
    { module: 'base', name: 'group_system', model: 'res.groups', res_id: 4 },
    { module: 'base', name: 'main_company', model: 'res.company', res_id: 1 },
    { module: 'base', name: 'user_admin', model: 'res.users', res_id: 2 },
    { module: 'base', name: 'user_root', model: 'res.users', res_id: 1 },
    { module: 'base', name: 'it', model: 'res.country', res_id: 109 },
    { module: 'base', name: 'us', model: 'res.country', res_id: 233 },
    { module: 'mail', name: 'mt_comment', model: 'mail.message.subtype', res_id: 1 },
    { module: 'mail', name: 'mt_note', model: 'mail.message.subtype', res_id: 2 },
    { module: 'sale', name: 'mt_order_confirmed', model: 'mail.message.subtype', res_id: 8 },
    { module: 'uom', name: 'product_uom_unit', model: 'uom.uom', res_id: 1 },
    { module: 'base', name: 'group_erp_manager', model: 'res.groups', res_id: 3 },
    { module: 'base', name: 'group_no_one', model: 'res.groups', res_id: 6 },
    { module: 'product', name: 'group_product_variant', model: 'res.groups', res_id: 20 },
    { module: 'uom', name: 'group_uom', model: 'res.groups', res_id: 21 },
    { module: 'sales_team', name: 'group_sale_salesman', model: 'res.groups', res_id: 22 },
    { module: 'sales_team', name: 'group_sale_manager', model: 'res.groups', res_id: 23 },
    { module: 'account', name: 'group_account_invoice', model: 'res.groups', res_id: 24 },
    { module: 'stock', name: 'group_stock_user', model: 'res.groups', res_id: 25 },
    { module: 'stock', name: 'group_stock_manager', model: 'res.groups', res_id: 26 },
  ],
  groups: [
    { id: 1, name: 'Internal User', full_name: 'User types / Internal User' },
    { id: 3, name: 'Access Rights', full_name: 'Administration / Access Rights' },
    { id: 4, name: 'Settings', full_name: 'Administration / Settings' },
    { id: 6, name: 'Technical Features', full_name: 'Technical / Technical Features' },
    { id: 20, name: 'Manage Product Variants', full_name: 'Technical / Manage Product Variants' },
    { id: 21, name: 'Manage Multiple Units of Measure', full_name: 'Technical / Manage Multiple Units of Measure' },
    { id: 22, name: 'User: Own Documents Only', full_name: 'Sales / User: Own Documents Only' },
    { id: 23, name: 'Administrator', full_name: 'Sales / Administrator' },
    { id: 24, name: 'Invoicing', full_name: 'Invoicing / Invoicing' },
    { id: 25, name: 'User', full_name: 'Inventory / User' },
    { id: 26, name: 'Administrator', full_name: 'Inventory / Administrator' },
  ],
  subtypes: [
    { id: 1, name: 'Discussions', internal: false },
    { id: 2, name: 'Note', internal: true },
    { id: 8, name: 'Sales Order Confirmed', internal: false, res_model: 'sale.order' },
  ],
};

/** Models the catalog keeps (names of transactional records seen in the answers are dropped). */
const KEEP = [
  'res.company', 'res.partner', 'res.users', 'res.country', 'res.country.state', 'res.currency', 'res.lang', 'res.groups',
  'uom.uom', 'product.category', 'product.attribute', 'product.attribute.value', 'product.template',
  'product.template.attribute.line', 'product.template.attribute.value', 'product.product', 'account.tax',
  'account.tax.group', 'stock.warehouse', 'stock.location', 'stock.quant', 'stock.move', 'stock.picking.type',
  'stock.package.type', 'delivery.carrier', 'ir.model', 'ir.module.module', 'ir.model.data', 'res.users.apikeys',
  'mail.message.subtype',
];

const round = (n: number) => Math.round(n * 1e6) / 1e6;

export function buildDemo(version: Version, ex: Extracted): DemoSeed {
  const recs = new Map<string, Map<number, Row>>();
  const table = (model: string) => {
    if (!recs.has(model)) recs.set(model, new Map());
    return recs.get(model)!;
  };
  for (const [model, rows] of ex.rows) for (const [id, row] of rows) table(model).set(id, { ...row });
  for (const [model, names] of ex.names) {
    for (const [id, name] of names) {
      const rec = table(model).get(id) ?? { id };
      rec.display_name ??= name;
      table(model).set(id, rec);
    }
  }
  for (const [, rows] of recs) for (const [, r] of rows) if (typeof r.__display_name === 'string') { r.display_name ??= r.__display_name; delete r.__display_name; }
  const created = (model: string) => ex.created.get(model) ?? Number.MAX_SAFE_INTEGER;
  const freeId = (model: string, from = 1) => {
    let id = from;
    while (table(model).has(id)) id++;
    if (id >= created(model)) throw new Error(`no free id for ${model} below the first created one`);
    return id;
  };
  const seedTime = earliestTimestamp(recs);

  // Companies, their partners, users.
  const companies = [...table('res.company').values()];
  for (const company of companies) {
    if (typeof company.partner_id !== 'number') {
      // Unknown partner id: take the highest free id below the run's first new partner (least likely to be seen).
      let pid = created('res.partner') - 1;
      while (table('res.partner').has(pid)) pid--;
      table('res.partner').set(pid, { id: pid, name: company.name, is_company: true, type: 'contact', country_id: 233 });
      company.partner_id = pid;
    }
    company.currency_id ??= 1;
    company.country_id ??= 233;
    company.tax_calculation_rounding_method ??= companies[0].tax_calculation_rounding_method ?? 'round_per_line';
    if (version !== 17) company.account_price_include ??= 'tax_excluded';
    company.account_fiscal_country_id ??= 233;
    // The recorded company lists put the main company last ("sequence, name"): it has the higher sequence.
    company.sequence ??= company.id === 1 ? 10 : 5;
  }
  const admin = table('res.partner').get(3)!;
  admin.email ??= EXTRAS.adminEmail[version];
  admin.parent_id ??= false;
  const bot = table('res.partner').get(2)!;
  bot.name ??= 'OdooBot';
  bot.active ??= false;
  for (const p of table('res.partner').values()) {
    p.name ??= stripParent(p.display_name as string);
    if (p.display_name === p.name) delete p.display_name;
  }
  for (const u of table('res.users').values()) {
    u.tz ??= 'Europe/Brussels';
    u.lang ??= 'en_US';
    if (u.id === 2) u.email = EXTRAS.adminEmail[version];
    delete u.display_name;
  }

  // Countries, states, currencies, uom.
  for (const c of table('res.country').values()) {
    c.name ??= c.display_name ?? countryName(c.code as string);
    delete c.display_name;
  }
  for (const s of table('res.country.state').values()) {
    if (!s.name && typeof s.display_name === 'string') {
      const m = /^(.*) \((\w\w)\)$/.exec(s.display_name);
      if (m) {
        s.name = m[1];
        s.country_id = [...table('res.country').values()].find((c) => c.code === m[2])?.id ?? 233;
        s.code = s.id === 13 ? 'CA' : s.name;
      }
    }
    delete s.display_name;
  }
  for (const c of table('res.currency').values()) {
    c.name = c.display_name;
    c.symbol = c.name === 'EUR' ? '€' : '$';
    c.rounding = 0.01;
    c.decimal_places = 2;
    delete c.display_name;
  }
  const uom = table('uom.uom');
  if (!uom.has(1)) uom.set(1, { id: 1, display_name: 'Units' });
  for (const u of uom.values()) {
    u.name = u.display_name;
    delete u.display_name;
  }

  // Categories: name and parent from the complete name when only the display name is known.
  for (const c of table('product.category').values()) {
    if (!c.name && typeof c.display_name === 'string') {
      const parts = c.display_name.split(' / ');
      c.name = parts[parts.length - 1];
      c.parent_id = parts.length > 1 ? [...table('product.category').values()].find((p) => p.complete_name === parts.slice(0, -1).join(' / '))?.id ?? false : false;
    }
    delete c.display_name;
    delete c.complete_name;
    delete c.parent_path;
  }

  // Attributes.
  for (const m of ['product.attribute', 'product.attribute.value', 'product.template.attribute.line', 'product.template.attribute.value']) {
    for (const r of table(m).values()) {
      delete r.display_name;
      delete r.ptav_product_variant_ids;
      delete r.value_count;
    }
  }

  // Products: every variant gets a template; single-variant templates are derived from the variant's answer.
  const templates = table('product.template');
  const variants = table('product.product');
  const quantsByProduct = new Map<number, Row[]>();
  for (const q of table('stock.quant').values()) {
    const list = quantsByProduct.get(q.product_id as number) ?? [];
    list.push(q);
    quantsByProduct.set(q.product_id as number, list);
  }
  // Templates whose answer listed their variants: variants the recordings never showed get a plain record.
  for (const t of templates.values()) {
    const ids = (t.__variant_ids as number[] | undefined) ?? [];
    delete t.__variant_ids;
    if (ids.length !== 1 || !t.name) continue;
    const existing = variants.get(ids[0]);
    if (existing) existing.product_tmpl_id ??= t.id;
    else variants.set(ids[0], { id: ids[0], product_tmpl_id: t.id, default_code: t.default_code ?? false, write_date: t.write_date, create_date: t.create_date });
  }
  for (const v of [...variants.values()]) {
    const parsed = parseProductDisplay(v.display_name as string | undefined);
    if (!parsed && !v.name && !(typeof v.product_tmpl_id === 'number' && templates.get(v.product_tmpl_id)?.name)) {
      variants.delete(v.id as number); // only a write_date was ever seen: nothing to build it from
      continue;
    }
    if (parsed?.code && v.default_code === undefined) v.default_code = parsed.code;
    let tmplId = v.product_tmpl_id as number | undefined;
    if (typeof tmplId !== 'number') {
      const code = (v.default_code ?? parsed?.code) as string | undefined;
      tmplId = [...templates.values()].find((t) => (code && t.default_code === code) || (parsed && t.name === parsed.name && !t.default_code))?.id as number | undefined;
    }
    if (typeof tmplId !== 'number') tmplId = freeId('product.template', 12);
    v.product_tmpl_id = tmplId;
    const tmpl = templates.get(tmplId) ?? { id: tmplId };
    templates.set(tmplId, tmpl);
    const tmplName = (typeof tmpl.display_name === 'string' ? parseProductDisplay(tmpl.display_name)?.name : undefined) ?? (v.name as string | undefined) ?? parsed?.name;
    tmpl.name ??= tmplName;
    const storable = quantsByProduct.has(v.id as number) || ex.stock.has(v.id as number) || v.is_storable === true || v.type === 'product';
    const isService = v.type === 'service' || /^Delivery_/.test((v.default_code as string) || '');
    if (version === 17) {
      const t = (v.type as string | undefined) ?? (isService ? 'service' : storable ? 'product' : 'consu');
      tmpl.type ??= t;
      tmpl.detailed_type ??= tmpl.type;
    } else {
      tmpl.type ??= (v.type as string | undefined) ?? (isService ? 'service' : 'consu');
      tmpl.is_storable ??= tmpl.type === 'consu' && storable;
    }
    const price = (v.list_price ?? (typeof v.lst_price === 'number' && !(v.product_template_attribute_value_ids as number[] | undefined)?.length ? v.lst_price : undefined) ?? EXTRAS.listPrices[v.default_code as string]) as number | undefined;
    tmpl.list_price ??= price ?? (isService ? 0 : 10.0);
    tmpl.categ_id ??= v.categ_id ?? (isService ? categoryNamed(table('product.category'), 'Deliveries') : 1);
    tmpl.uom_id ??= v.uom_id ?? 1;
    tmpl.taxes_id ??= v.taxes_id ?? (version === 17 ? [1] : []);
    tmpl.supplier_taxes_id ??= version === 17 ? [2] : [];
    tmpl.sale_ok ??= !/^Delivery_/.test((v.default_code as string) || '');
    tmpl.purchase_ok ??= true;
    tmpl.invoice_policy ??= isService ? 'order' : 'delivery';
    tmpl.active ??= true;
    tmpl.company_id ??= false;
    if (!(v.product_template_attribute_value_ids as number[] | undefined)?.length) tmpl.default_code ??= v.default_code ?? false;
    if (parsed?.attrs && !(v.product_template_attribute_value_ids as number[] | undefined)?.length) v.display_name = v.display_name; // attribute values not recorded: keep the recorded name
    else delete v.display_name;
    for (const k of ['name', 'lst_price', 'list_price', 'categ_id', 'taxes_id', 'uom_id', 'type', 'is_storable', 'detailed_type', 'product_template_variant_value_ids', 'description_sale']) delete v[k];
    v.active ??= true;
    v.barcode ??= false;
    v.default_code ??= false;
    v.weight = EXTRAS.weights[v.default_code as string] ?? v.weight ?? 0;
    v.volume ??= 0;
  }
  for (const t of templates.values()) {
    if (!t.name) templates.delete(t.id as number);
    delete t.display_name;
    for (const k of ['product_variant_ids', 'product_variant_count', 'attribute_line_ids', 'valid_product_template_attribute_line_ids', 'qty_available', 'virtual_available']) delete t[k];
  }

  // Locations: usage and parent from the recorded names.
  const locations = table('stock.location');
  const warehouses = [...table('stock.warehouse').values()];
  for (const loc of locations.values()) {
    const full = (loc.complete_name ?? loc.display_name) as string;
    loc.complete_name = full;
    loc.name ??= full.split('/').pop();
    const wh = warehouses.find((w) => w.view_location_id === loc.id || w.lot_stock_id === loc.id || full.startsWith(`${w.code}/`));
    if (loc.usage === undefined) {
      if (/Customers$/.test(full)) loc.usage = 'customer';
      else if (/Inventory adjustment$/.test(full)) loc.usage = 'inventory';
      else if (wh && wh.view_location_id === loc.id) loc.usage = 'view';
      else loc.usage = 'internal';
    }
    if (loc.location_id === undefined) {
      const parentName = full.split('/').slice(0, -1).join('/');
      loc.location_id = [...locations.values()].find((p) => (p.complete_name ?? p.display_name) === parentName)?.id ?? false;
    }
    loc.warehouse_id ??= wh?.id ?? false;
    loc.company_id ??= wh ? wh.company_id : false;
    // One-step warehouses keep their input/output locations archived.
    loc.active ??= !/^[^/]+\/(Input|Output|Packing Zone|Quality Control)$/.test(full);
    delete loc.display_name;
  }
  for (const w of warehouses) delete w.display_name;
  for (const t of table('stock.package.type').values()) {
    const code = EXTRAS.packageTypeSequences[version]?.[t.name as string];
    if (code) t.sequence_code = code;
  }
  for (const t of table('stock.picking.type').values()) {
    t.company_id ??= warehouses.find((w) => w.id === t.warehouse_id)?.company_id ?? 1;
    delete t.display_name;
  }
  const inventoryLoc = [...locations.values()].find((l) => l.usage === 'inventory')!;
  const customerLoc = [...locations.values()].find((l) => l.usage === 'customer')!;
  const stockLocOf = (companyId: number) => warehouses.find((w) => w.company_id === companyId)?.lot_stock_id as number | undefined;

  // Stock: recorded quants completed, then quants (and pending deliveries) that reproduce the observed quantities.
  const quants = table('stock.quant');
  const quantTime = ([...quants.values()].find((q) => q.write_date)?.write_date as string | undefined) ?? seedTime;
  for (const q of quants.values()) {
    q.location_id ??= stockLocOf(1);
    q.company_id ??= 1;
    q.reserved_quantity ??= 0;
    q.lot_id ??= false;
    q.package_id ??= false;
    q.in_date ??= quantTime;
    q.write_date ??= quantTime;
  }
  const moves: Row[] = [];
  let quantId = Math.max(0, ...quants.keys()) + 1;
  let moveId = 1;
  const companyIds = companies.map((c) => c.id as number);
  for (const [productId, obs] of [...ex.stock].sort((a, b) => a[0] - b[0])) {
    if (!variants.has(productId)) continue;
    const perCompany = new Map<number, { qty: number; reserved: number; outgoing: number; incoming: number }>();
    for (const cid of companyIds) {
      const o = obs.get(String(cid));
      if (o) perCompany.set(cid, figures(o));
    }
    if (perCompany.size === 0) {
      const all = obs.get('all');
      const group = obs.get('internal-group');
      if (all) perCompany.set(1, figures(all));
      else if (group) perCompany.set(1, { qty: group.quantity as number, reserved: group.reserved as number, outgoing: 0, incoming: 0 });
    }
    for (const [cid, f] of perCompany) {
      const existing = [...quants.values()].filter((q) => q.product_id === productId && q.company_id === cid && q.location_id === stockLocOf(cid));
      if (f.qty !== 0 && existing.length === 0) {
        quants.set(quantId, { id: quantId, product_id: productId, location_id: stockLocOf(cid), quantity: f.qty, reserved_quantity: f.reserved, lot_id: false, package_id: false, company_id: cid, in_date: quantTime, write_date: quantTime });
        quantId++;
      } else if (existing.length && f.reserved) existing[0].reserved_quantity = f.reserved;
      const hasNegative = [...quants.values()].some((q) => q.product_id === productId && q.company_id === cid && q.location_id === inventoryLoc.id);
      if (f.qty !== 0 && !hasNegative) {
        quants.set(quantId, { id: quantId, product_id: productId, location_id: inventoryLoc.id, quantity: -f.qty, reserved_quantity: 0, lot_id: false, package_id: false, company_id: cid, in_date: quantTime, write_date: quantTime });
        quantId++;
      }
      if (f.outgoing > 0) {
        moves.push({ id: moveId++, product_id: productId, product_uom_qty: f.outgoing, quantity: f.reserved, location_id: stockLocOf(cid), location_dest_id: customerLoc.id, company_id: cid, state: f.reserved >= f.outgoing ? 'assigned' : 'partially_available', picking_id: false, sale_line_id: false });
      }
    }
  }
  // Recorded internal quants of products never observed per company stay as recorded; add their inventory twins.
  for (const q of [...quants.values()]) {
    if (q.location_id === inventoryLoc.id || (q.quantity as number) <= 0) continue;
    const twin = [...quants.values()].some((o) => o.product_id === q.product_id && o.company_id === q.company_id && o.location_id === inventoryLoc.id);
    if (!twin) {
      quants.set(quantId, { ...q, id: quantId, location_id: inventoryLoc.id, quantity: -(q.quantity as number), reserved_quantity: 0 });
      quantId++;
    }
  }
  if (moves.length) recs.set('stock.move', new Map(moves.map((m) => [m.id as number, m])));

  // Technical records.
  const imd = table('ir.model.data');
  let imdId = 100;
  for (const x of EXTRAS.xmlids) {
    if ([...imd.values()].some((r) => r.module === x.module && r.name === x.name)) continue;
    while (imd.has(imdId)) imdId++;
    imd.set(imdId, { id: imdId, ...x, noupdate: true });
  }
  for (const g of EXTRAS.groups) table('res.groups').set(g.id, { ...g });
  for (const s of EXTRAS.subtypes) table('mail.message.subtype').set(s.id, { ...s });
  for (const m of table('ir.model').values()) delete m.display_name;
  for (const t of table('account.tax').values()) {
    delete t.display_name;
    if (version === 17) delete t.price_include_override;
    else delete t.price_include;
  }
  for (const g of table('account.tax.group').values()) delete g.display_name;
  for (const c of table('delivery.carrier').values()) delete c.display_name;
  for (const c of companies) delete c.display_name;
  for (const k of table('res.users.apikeys').values()) {
    if (version === 17) delete k.expiration_date;
    k.key = '<ADMIN_API_KEY>';
  }

  const nextIds: Record<string, number> = { ...Object.fromEntries(ex.created) };
  const firstSeen: Record<Version, Record<string, number>> = {
    17: { 'sale.order.line': 51, 'stock.picking': 28, 'stock.move': 53, 'stock.move.line': 44, 'mail.message': 250, 'mail.tracking.value': 54, 'account.move': 25, 'account.move.line': 69 },
    18: { 'sale.order.line': 51, 'stock.picking': 20, 'stock.move': 43, 'stock.move.line': 38, 'mail.message': 324, 'mail.tracking.value': 102, 'account.move': 25, 'account.move.line': 58 },
    19: { 'sale.order.line': 51, 'stock.picking': 20, 'stock.move': 43, 'stock.move.line': 38, 'mail.message': 514, 'mail.tracking.value': 188, 'account.move': 57, 'account.move.line': 135 },
  };
  Object.assign(nextIds, firstSeen[version]);
  nextIds['product.template'] ??= Math.max(...templates.keys()) + 1;

  const records: Record<string, Row[]> = {};
  for (const [model, rows] of [...recs].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (!rows.size || !KEEP.includes(model)) continue;
    records[model] = [...rows.values()].sort((a, b) => (a.id as number) - (b.id as number)).map((r) => roundFloats(r));
  }
  return {
    version,
    note: 'Generated by seed/tools/extract-demo.ts from the recordings of a real Odoo server; see seed/README.md.',
    seedTime,
    nextIds,
    // The next invoice number of the demo company's sales journal (id 1) in the recorded year: INV/2026/00005 (17/18),
    // INV/2026/00010 (19), as flows/d_invoice.json shows.
    sequences: { 'sale.order': 25, 'stock.picking.outgoing': version === 17 ? 15 : 15, 'account.move/1/INV/2026/': version === 19 ? 10 : 5 },
    records,
  };
}

function figures(o: Row) {
  const qty = (o.qty_available as number | undefined) ?? 0;
  const free = (o.free_qty as number | undefined) ?? qty;
  const incoming = (o.incoming_qty as number | undefined) ?? 0;
  const virt = (o.virtual_available as number | undefined) ?? qty;
  const outgoing = (o.outgoing_qty as number | undefined) ?? round(qty + incoming - virt);
  return { qty, reserved: round(qty - free), outgoing, incoming };
}

function roundFloats(r: Row): Row {
  return r;
}

function earliestTimestamp(recs: Map<string, Map<number, Row>>): string {
  let best = '9999';
  for (const rows of recs.values()) for (const r of rows.values()) for (const k of ['create_date', 'write_date']) {
    const v = r[k];
    if (typeof v === 'string' && v < best) best = v;
  }
  return best;
}

function parseProductDisplay(display: string | undefined): { code?: string; name: string; attrs?: string } | null {
  if (!display) return null;
  const m = /^(?:\[([^\]]+)\] )?(.*?)(?: \(([^()]*)\))?$/.exec(display);
  if (!m) return null;
  return { code: m[1], name: m[2], attrs: m[3] };
}

function stripParent(display: string | undefined): string | undefined {
  if (!display) return undefined;
  const i = display.lastIndexOf(', ');
  return i >= 0 ? display.slice(i + 2) : display;
}

function categoryNamed(cats: Map<number, Row>, name: string): number {
  return ([...cats.values()].find((c) => c.name === name)?.id as number | undefined) ?? 1;
}

function countryName(code: string): string {
  return ({ FR: 'France', AF: 'Afghanistan', AL: 'Albania', IT: 'Italy', US: 'United States' } as Record<string, string>)[code] ?? code;
}
