import type { OdooClient } from '../odoo/odoo.client.ts';
import type { OdooDomain } from '../odoo/odoo.types.ts';
import type { OrderSchema } from './orders.odoo-data.ts';

export interface ResolvedProduct {
  id: number;
  taxIds: number[];
  matchedBy: SkuField;
}

type SkuField = 'binding' | 'x_poleepo_sku' | 'default_code' | 'barcode';

export interface SkuResolution {
  found: Map<string, ResolvedProduct>;
  unknown: string[];
  /** SKUs that match several products on the same field: never guessed. */
  ambiguous: { sku: string; ids: number[]; field: SkuField }[];
}

/**
 * Lines are matched by SKU (DESIGN §4.6): the product export's bindings (the variant this connection sent to Poleepo
 * under that SKU), then the provisioned `x_poleepo_sku`, then the internal reference (`default_code`), then the
 * barcode — in one read for the whole order, scoped to the connection's company by the client's context. The first
 * field with exactly one match wins; two matches on that field is ambiguous. Nothing is ever guessed: unknown and
 * ambiguous SKUs park the order.
 */
export async function resolveSkus(odoo: OdooClient, schema: OrderSchema, skus: readonly string[], signal?: AbortSignal, bound: ReadonlyMap<string, number> = new Map()): Promise<SkuResolution> {
  const wanted = [...new Set(skus.map((s) => s.trim()).filter(Boolean))];
  const fields: SkuField[] = [...(schema.productSkuField ? ['x_poleepo_sku' as const] : []), 'default_code', 'barcode'];
  const result: SkuResolution = { found: new Map(), unknown: [], ambiguous: [] };
  if (wanted.length === 0) return result;
  const boundIds = wanted.flatMap((sku) => (bound.has(sku) ? [bound.get(sku)!] : []));
  const terms: unknown[] = [...fields.map((f) => [f, 'in', wanted]), ...(boundIds.length ? [['id', 'in', boundIds]] : [])];
  const domain = [...terms.slice(1).map(() => '|'), ...terms] as OdooDomain;
  const rows = await odoo.searchRead('product.product', domain, { fields: [...fields, 'taxes_id'], order: 'id', signal });
  for (const sku of wanted) {
    let settled = false;
    // A bound variant still readable in this company (not archived, not deleted) wins.
    const boundRow = bound.has(sku) ? rows.find((r) => r.id === bound.get(sku)) : undefined;
    if (boundRow) {
      result.found.set(sku, { id: boundRow.id, taxIds: Array.isArray(boundRow.taxes_id) ? (boundRow.taxes_id as number[]) : [], matchedBy: 'binding' });
      continue;
    }
    for (const field of fields) {
      const matches = rows.filter((r) => typeof r[field] === 'string' && (r[field] as string).trim() === sku);
      const [r] = matches;
      if (matches.length === 1 && r) {
        result.found.set(sku, { id: r.id, taxIds: Array.isArray(r.taxes_id) ? (r.taxes_id as number[]) : [], matchedBy: field });
        settled = true;
        break;
      }
      if (matches.length > 1) {
        result.ambiguous.push({ sku, ids: matches.map((m) => m.id), field });
        settled = true;
        break;
      }
    }
    if (!settled) result.unknown.push(sku);
  }
  return result;
}

/** The parked reason a person reads on the orders page and the webhook queue. */
export function describeUnmatched(resolution: SkuResolution): string | null {
  const parts: string[] = [];
  if (resolution.unknown.length) {
    parts.push(`Unknown SKU${resolution.unknown.length > 1 ? 's' : ''} ${resolution.unknown.map((s) => `"${s}"`).join(', ')}: no product in Odoo has it as Poleepo SKU, internal reference or barcode`);
  }
  for (const a of resolution.ambiguous) parts.push(`SKU "${a.sku}" matches ${a.ids.length} products on ${a.field} (ids ${a.ids.join(', ')})`);
  if (parts.length === 0) return null;
  return `${parts.join('; ')}. Map the SKU to exactly one product in Odoo, then retry the order.`;
}
