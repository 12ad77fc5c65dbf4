import type { OdooContext } from './odoo.types.ts';

export interface OdooContextDefaults {
  /** Installed language code (`it_IT`); Odoo refuses an uninstalled one with a UserError. */
  lang?: string | null;
  tz?: string | null;
  /** The connection's company: first in `allowed_company_ids`, so it is `env.company` for every call. */
  companyId?: number | null;
  /** Further companies the calls may see (multi-company reads). */
  extraCompanyIds?: readonly number[];
  /** false = include archived records. Absent = Odoo's default (active only). */
  activeTest?: boolean;
}

/**
 * The context every call carries (DESIGN §4.1: always `allowed_company_ids` of the connection's company). Without it
 * every read and write lands on the API user's default company.
 */
export function buildContext(defaults: OdooContextDefaults, extra: OdooContext = {}): OdooContext {
  const context: OdooContext = {};
  if (defaults.lang) context.lang = defaults.lang;
  if (defaults.tz) context.tz = defaults.tz;
  if (defaults.companyId) context.allowed_company_ids = [defaults.companyId, ...(defaults.extraCompanyIds ?? []).filter((id) => id !== defaults.companyId)];
  if (defaults.activeTest !== undefined) context.active_test = defaults.activeTest;
  return { ...context, ...extra };
}

/**
 * The context key that scopes stock quantities (`qty_available`, `free_qty`, `virtual_available`) to a warehouse:
 * `warehouse` in 17 (which ignores `warehouse_id`), `warehouse_id` from 18 on.
 */
export function stockContextKey(major: number): 'warehouse' | 'warehouse_id' {
  return major >= 18 ? 'warehouse_id' : 'warehouse';
}

export function stockContext(major: number, warehouseId: number | null | undefined): OdooContext {
  return warehouseId ? { [stockContextKey(major)]: warehouseId } : {};
}
