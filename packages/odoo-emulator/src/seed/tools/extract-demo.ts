/**
 * Writes `seed/demo.<version>.json` (dev-time tool):
 *   node --import tsx packages/odoo-emulator/src/seed/tools/extract-demo.ts recordings
 *
 * The demo catalog of each version is rebuilt from what the real server answered in the recordings: every master-data
 * record that appears in a `read` / `search_read` / `name_search` / `read_group` answer (or as a many2one
 * `[id, display_name]` pair) before the run changed it, with the ids the recording shows. Records the run created
 * (a `create` result, and everything of that model with a higher id) are left out, so replaying the recorded flows
 * against the emulator creates them again. Stock quantities observed per company become `stock.quant` rows.
 * Nothing here is invented except what is listed in EXTRAS below (xmlids and subtypes the flows need).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callOf, loadFieldsGet, loadRunOrder, resultOf, type Version } from './recordings.ts';
import { buildDemo, type Extracted } from './demo.build.ts';

type Row = Record<string, unknown>;
type FieldsGet = Record<string, Record<string, Record<string, unknown>>>;

/** Master-data models the seed may hold (transactions such as orders and messages are created by the flows). */
const SEEDED = [
  'res.company', 'res.partner', 'res.users', 'res.country', 'res.country.state', 'res.currency', 'res.lang', 'res.groups',
  'uom.uom', 'product.category', 'product.attribute', 'product.attribute.value', 'product.template',
  'product.template.attribute.line', 'product.template.attribute.value', 'product.product', 'account.tax',
  'account.tax.group', 'stock.warehouse', 'stock.location', 'stock.quant', 'stock.picking.type', 'stock.package.type',
  'delivery.carrier', 'ir.model', 'ir.module.module', 'ir.model.data', 'res.users.apikeys', 'mail.message.subtype',
  'crm.team', 'product.pricelist',
];

/** Relations of models that have no recorded `fields_get`. */
const EXTRA_RELATIONS: Record<string, Record<string, [string, 'many2one' | 'many2many' | 'one2many']>> = {
  'stock.warehouse': { lot_stock_id: ['stock.location', 'many2one'], view_location_id: ['stock.location', 'many2one'], company_id: ['res.company', 'many2one'] },
  'stock.location': { location_id: ['stock.location', 'many2one'], warehouse_id: ['stock.warehouse', 'many2one'], company_id: ['res.company', 'many2one'] },
  'stock.picking.type': { warehouse_id: ['stock.warehouse', 'many2one'], default_location_src_id: ['stock.location', 'many2one'], default_location_dest_id: ['stock.location', 'many2one'], company_id: ['res.company', 'many2one'] },
  'account.tax.group': { company_id: ['res.company', 'many2one'], country_id: ['res.country', 'many2one'] },
  'res.users.apikeys': { user_id: ['res.users', 'many2one'] },
  'ir.module.module': {},
  'ir.model': {},
  'res.lang': {},
};

const STOCK_KEYS = ['qty_available', 'free_qty', 'virtual_available', 'incoming_qty', 'outgoing_qty'];


function extract(root: string, version: Version, fg: FieldsGet): Extracted {
  const rows = new Map<string, Map<number, Row>>();
  const names = new Map<string, Map<number, string>>();
  const created = new Map<string, number>();
  const stock = new Map<number, Map<string, Row>>();
  const relationOf = (model: string, field: string): [string, string] | null => {
    const def = fg[model]?.[field];
    if (def && typeof def.relation === 'string') return [def.relation, def.type as string];
    const extra = EXTRA_RELATIONS[model]?.[field];
    return extra ? [extra[0], extra[1]] : null;
  };
  const typeOf = (model: string, field: string): string | undefined => (fg[model]?.[field]?.type as string | undefined) ?? EXTRA_RELATIONS[model]?.[field]?.[1];
  const storedOf = (model: string, field: string): boolean => (fg[model]?.[field] ? fg[model][field].store !== false : true);
  const noteName = (model: string, id: number, name: string) => {
    if (!names.has(model)) names.set(model, new Map());
    const m = names.get(model)!;
    if (!m.has(id)) m.set(id, name);
  };
  const isCreated = (model: string, id: number) => created.has(model) && id >= created.get(model)!;
  const noteRow = (model: string, row: Row) => {
    const id = row.id as number;
    if (typeof id !== 'number') return;
    if (typeof row.display_name === 'string') noteName(model, id, row.display_name);
    if (!rows.has(model)) rows.set(model, new Map());
    const target = rows.get(model)!;
    const rec = target.get(id) ?? { id };
    for (const [field, value] of Object.entries(row)) {
      if (field === 'id' || field === 'display_name') continue;
      const rel = relationOf(model, field);
      if (rel && rel[1] === 'many2one' && Array.isArray(value)) noteName(rel[0], value[0] as number, value[1] as string);
      if (rel && rel[1] === 'many2one' && value && typeof value === 'object' && !Array.isArray(value)) {
        noteRow(rel[0], value as Row);
      }
      if (field in rec || field.startsWith('x_')) continue;
      if (!storedOf(model, field) && !['type', 'is_storable', 'detailed_type', 'list_price', 'categ_id', 'taxes_id', 'uom_id', 'name', 'lst_price', 'standard_price'].includes(field)) continue;
      const type = typeOf(model, field);
      if (model === 'product.template' && field === 'product_variant_ids' && Array.isArray(value)) {
        rec.__variant_ids ??= value;
        continue;
      }
      if (type === 'one2many' || type === 'binary') continue;
      if (rel && rel[1] === 'many2one') rec[field] = Array.isArray(value) ? value[0] : value && typeof value === 'object' ? (value as Row).id : value;
      else rec[field] = value;
    }
    target.set(id, rec);
  };

  for (const file of loadRunOrder(root, version)) {
    for (const ex of file.exchanges) {
      const call = callOf(ex);
      if (!call || call.uid !== 2) continue;
      const result = resultOf(ex);
      if (result === undefined) continue;
      const { model, method } = call;
      if (method === 'create') {
        const ids = (Array.isArray(result) ? result : [result]) as number[];
        const min = Math.min(...ids);
        if (!created.has(model) || min < created.get(model)!) created.set(model, min);
        continue;
      }
      const context = (call.kwargs.context ?? {}) as Row;
      let list: Row[] = [];
      if ((method === 'read' || method === 'search_read') && Array.isArray(result)) list = result as Row[];
      else if (method === 'web_search_read') list = ((result as Row).records as Row[]) ?? [];
      else if (method === 'name_search' && Array.isArray(result)) {
        for (const [id, name] of result as [number, string][]) if (!isCreated(model, id)) noteName(model, id, name);
      } else if (method === 'read_group' || method === 'formatted_read_group') {
        for (const g of result as Row[]) {
          for (const [field, value] of Object.entries(g)) {
            const rel = relationOf(model, field);
            if (rel && Array.isArray(value)) noteName(rel[0], value[0] as number, value[1] as string);
          }
        }
        if (model === 'stock.quant') noteQuantGroups(stock, call.kwargs, call.args, result as Row[]);
      }
      // Records an answer returns satisfy the request's simple conditions: learn the values they imply.
      const domain = (method === 'name_search' ? (call.kwargs.args ?? call.kwargs.domain) : (call.args[0] ?? call.kwargs.domain)) as unknown[] | undefined;
      const implied: Row = {};
      if (Array.isArray(domain)) {
        for (const leaf of domain) {
          if (!Array.isArray(leaf) || leaf.length !== 3 || typeof leaf[0] !== 'string' || leaf[0].includes('.')) continue;
          const [f, op, v] = leaf;
          if (!fg[model]?.[f] || fg[model][f].store === false || fg[model][f].type === 'many2one') continue;
          if (op === '=' && (typeof v !== 'object' || v === null)) implied[f] = v;
          else if (op === 'in' && Array.isArray(v) && v.length === 1) implied[f] = v[0];
        }
      }
      const implyOn = (id: number) => {
        if (!Object.keys(implied).length || !SEEDED.includes(model) || isCreated(model, id)) return;
        if (!rows.has(model)) rows.set(model, new Map());
        const rec = rows.get(model)!.get(id) ?? { id };
        for (const [f, v] of Object.entries(implied)) if (!(f in rec)) rec[f] = v;
        rows.get(model)!.set(id, rec);
      };
      if (method === 'name_search' && Array.isArray(result)) for (const [id] of result as [number, string][]) implyOn(id);
      if (method === 'search' && Array.isArray(result)) for (const id of result as number[]) implyOn(id);
      for (const row of list) {
        const id = row.id as number;
        implyOn(id);
        // Many2one pairs of every row are useful names, even on transactional rows.
        for (const [field, value] of Object.entries(row)) {
          const rel = relationOf(model, field);
          if (rel && rel[1] === 'many2one' && Array.isArray(value) && !isCreated(rel[0], value[0] as number)) noteName(rel[0], value[0] as number, value[1] as string);
        }
        if (!SEEDED.includes(model) || isCreated(model, id) || madeByRecorder(row)) continue;
        if (model === 'product.product' && STOCK_KEYS.some((k) => k in row)) noteStock(stock, id, context, row);
        noteRow(model, row);
      }
    }
  }
  // Names learnt before the creating call was seen (a created id named in an earlier answer cannot exist).
  for (const [model, min] of created) {
    for (const id of [...(rows.get(model)?.keys() ?? [])]) if (id >= min) rows.get(model)!.delete(id);
    for (const id of [...(names.get(model)?.keys() ?? [])]) if (id >= min) names.get(model)!.delete(id);
  }
  return { rows, names, created, stock };
}

/** Records the recorder itself created carry its name ("Poleepo ..."); the admin's API key record is demo data. */
function madeByRecorder(row: Row): boolean {
  const text = [row.name, row.default_code, row.display_name].filter((v) => typeof v === 'string').join(' ');
  return /poleepo/i.test(text) && row.name !== 'poleepo-integration-test';
}

function contextKey(context: Row): string | null {
  if (context.warehouse !== undefined || context.warehouse_id !== undefined || context.location !== undefined) return null;
  const companies = context.allowed_company_ids as number[] | undefined;
  return companies ? companies.join(',') : 'all';
}

function noteStock(stock: Map<number, Map<string, Row>>, productId: number, context: Row, row: Row) {
  const key = contextKey(context);
  if (key === null) return;
  if (!stock.has(productId)) stock.set(productId, new Map());
  const byKey = stock.get(productId)!;
  const prev = byKey.get(key) ?? {};
  for (const k of STOCK_KEYS) if (k in row && !(k in prev)) prev[k] = row[k];
  byKey.set(key, prev);
}

function noteQuantGroups(stock: Map<number, Map<string, Row>>, kwargs: Row, args: unknown[], groups: Row[]) {
  const domain = (args[0] ?? kwargs.domain) as unknown[];
  if (JSON.stringify(domain) !== JSON.stringify([['location_id.usage', '=', 'internal']])) return;
  for (const g of groups) {
    const product = g.product_id as [number, string] | undefined;
    if (!product || g.location_id) continue;
    const reserved = (g.reserved_quantity ?? g['reserved_quantity:sum']) as number | undefined;
    if (reserved === undefined) continue;
    if (!stock.has(product[0])) stock.set(product[0], new Map());
    const prev = stock.get(product[0])!.get('internal-group') ?? {};
    prev.quantity ??= g.quantity ?? g['quantity:sum'];
    prev.reserved ??= reserved;
    stock.get(product[0])!.set('internal-group', prev);
  }
}

function main() {
  const root = process.argv[2] ?? 'recordings';
  const seedDir = join(dirname(fileURLToPath(import.meta.url)), '..');
  for (const version of [17, 18, 19] as Version[]) {
    const fg = loadFieldsGet(root, version);
    const ex = extract(root, version, fg);
    const demo = buildDemo(version, ex);
    writeFileSync(join(seedDir, `demo.${version}.json`), stringifySeed(demo));
    console.log(`demo.${version}.json: ${Object.entries(demo.records).map(([m, r]) => `${m}=${r.length}`).join(' ')}`);
  }
}

/** One record per line: diffs stay readable. */
function stringifySeed(demo: { records: Record<string, Row[]> }): string {
  const head = Object.entries(demo).filter(([k]) => k !== 'records').map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  const models = Object.entries(demo.records).map(([m, rows]) => `    ${JSON.stringify(m)}: [\n${rows.map((r) => `      ${JSON.stringify(r)}`).join(',\n')}\n    ]`);
  return `{\n${head.join(',\n')},\n  "records": {\n${models.join(',\n')}\n  }\n}\n`;
}

main();
