import { TaxInputError } from './tax.errors.ts';
import type { ComputeAllOptions, TaxDefinition } from './tax.types.ts';

/** A tax to evaluate, with the group it came from (Odoo evaluates a group's children in the group's place). */
export interface FlatTax {
  tax: TaxDefinition;
  group: TaxDefinition | null;
}

/** Odoo orders taxes (and a group's children) by `sequence`, then `id`. */
export function sortTaxes(taxes: readonly TaxDefinition[]): TaxDefinition[] {
  return [...taxes].sort((a, b) => (a.sequence ?? 1) - (b.sequence ?? 1) || a.id - b.id);
}

/**
 * Replaces groups by their children, in Odoo's order: [G, B(A, D, F), E, C] (letters = sequence) is evaluated as
 * [A, D, F, C, E, G]. `unique` drops repeats, as 18+'s recordset union does (17 concatenates).
 */
export function flattenTaxes(taxes: readonly TaxDefinition[], options: ComputeAllOptions, unique: boolean): FlatTax[] {
  const lookup = catalogLookup(options.catalog);
  const out: FlatTax[] = [];
  const seen = new Set<number>();
  const push = (tax: TaxDefinition, group: TaxDefinition | null) => {
    if (unique && seen.has(tax.id)) return;
    seen.add(tax.id);
    out.push({ tax, group });
  };
  const childrenOf = (group: TaxDefinition, depth: number): TaxDefinition[] => {
    if (depth > 5) throw new TaxInputError(`Tax group ${group.id} nests too deeply (a cycle among children_tax_ids?)`);
    const children = (group.children_tax_ids ?? []).map((id) => {
      const child = lookup(id);
      if (!child) throw new TaxInputError(`Tax ${id}, a child of group ${group.id}, is not in the catalog given to the tax engine`);
      return child;
    });
    return sortTaxes(children).flatMap((c) => (c.amount_type === 'group' ? childrenOf(c, depth + 1) : [c]));
  };
  for (const tax of sortTaxes(taxes)) {
    if (tax.amount_type === 'group') for (const child of childrenOf(tax, 0)) push(child, tax);
    else push(tax, null);
  }
  return out;
}

function catalogLookup(catalog: ComputeAllOptions['catalog']): (id: number) => TaxDefinition | undefined {
  if (!catalog) return () => undefined;
  if (catalog instanceof Map) return (id) => catalog.get(id);
  const byId = new Map((catalog as readonly TaxDefinition[]).map((t) => [t.id, t]));
  return (id) => byId.get(id);
}

/** Odoo's repr of a recordset of one tax, as `compute_all` leaks it in `group`. */
export function taxRepr(tax: TaxDefinition | null): string {
  return tax ? `account.tax(${tax.id},)` : 'account.tax()';
}
