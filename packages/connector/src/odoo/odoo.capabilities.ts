import { OdooAccessError, OdooNotFoundError } from './odoo.errors.ts';
import { stockContextKey } from './odoo.context.ts';
import type { OdooFields, OdooTransportKind, OdooVersionInfo } from './odoo.types.ts';

/**
 * What this Odoo database can do and how its fields are named, found by feature detection on `fields_get` (so
 * Online's saas builds, which move between majors, work too) rather than by version number alone.
 */
export interface OdooCapabilities {
  version: OdooVersionInfo;
  transport: OdooTransportKind;
  /** How a storable product is told apart: 18+ `is_storable = true`; 17 `type = 'product'`. */
  storable: { field: 'is_storable'; value: true } | { field: 'type'; value: 'product' };
  /** Where a tax says it is included in the price: 18+ `price_include_override` (+ company default), 17 `price_include`. */
  taxPriceIncludeField: 'price_include_override' | 'price_include';
  /** 18+: `res.company.account_price_include` (the default for taxes without override). */
  companyPriceIncludeField: 'account_price_include' | null;
  /** sale.order.line taxes: 19 `tax_ids`, 17/18 `tax_id`. */
  orderLineTaxField: 'tax_ids' | 'tax_id';
  /** sale.order.line unit of measure: 19 `product_uom_id`, 17/18 `product_uom`. */
  orderLineUomField: 'product_uom_id' | 'product_uom';
  /** Packages: 19 `stock.package`, 17/18 `stock.quant.package`. */
  packageModel: 'stock.package' | 'stock.quant.package';
  /** `name_search`'s domain parameter when named (JSON-2): 19 `domain`; execute_kw in 17/18 calls it `args`. */
  nameSearchDomainParam: 'domain' | 'args';
  /** Context key scoping stock quantities to a warehouse: 17 `warehouse`, 18+ `warehouse_id`. */
  stockContextKey: 'warehouse' | 'warehouse_id';
  /** Aggregation: 19 has `formatted_read_group` (read_group still answers, deprecated). */
  groupingMethod: 'formatted_read_group' | 'read_group';
  /** product.product quantity fields present (qty_available, free_qty, virtual_available). */
  quantityFields: ('qty_available' | 'free_qty' | 'virtual_available')[];
  partner: {
    /** `mobile` exists (removed in 19). */
    mobile: boolean;
    title: boolean;
    /** Italian localisation fields, when `l10n_it_edi` is installed. */
    fiscalCodeField: string | null;
    sdiCodeField: string | null;
    pecField: string | null;
  };
  /** `res.users.apikeys.expiration_date` exists and is readable (18+): key expiry can be reported. */
  apiKeyExpiry: boolean;
}

export type FieldsGetter = (model: string) => Promise<OdooFields>;

/** Reads the field lists it needs (cached by the caller) and derives the capabilities. */
export async function detectCapabilities(version: OdooVersionInfo, transport: OdooTransportKind, fieldsOf: FieldsGetter): Promise<OdooCapabilities> {
  const [template, tax, company, orderLine, partner, product] = await Promise.all([
    fieldsOf('product.template'), fieldsOf('account.tax'), fieldsOf('res.company'), fieldsOf('sale.order.line'),
    fieldsOf('res.partner'), fieldsOf('product.product'),
  ]);
  // 19 renamed stock.quant.package to stock.package; when neither answers (Inventory not installed) the version decides.
  const packageModel = (await optionalFields(fieldsOf, 'stock.package')) ? 'stock.package'
    : (await optionalFields(fieldsOf, 'stock.quant.package')) ? 'stock.quant.package'
      : version.major >= 19 ? 'stock.package' : 'stock.quant.package';
  const apiKeys = await optionalFields(fieldsOf, 'res.users.apikeys');
  const typeValues = (template.type?.selection || []).map(([value]) => value);
  return {
    version,
    transport,
    storable: 'is_storable' in template || !typeValues.includes('product') ? { field: 'is_storable', value: true } : { field: 'type', value: 'product' },
    taxPriceIncludeField: 'price_include_override' in tax ? 'price_include_override' : 'price_include',
    companyPriceIncludeField: 'account_price_include' in company ? 'account_price_include' : null,
    orderLineTaxField: 'tax_ids' in orderLine ? 'tax_ids' : 'tax_id',
    orderLineUomField: 'product_uom_id' in orderLine ? 'product_uom_id' : 'product_uom',
    packageModel,
    // Only JSON-2 names it; JSON-2 arrived with 19, where it is `domain`.
    nameSearchDomainParam: transport === 'json2' || version.major >= 19 ? 'domain' : 'args',
    stockContextKey: stockContextKey(version.major),
    groupingMethod: version.major >= 19 ? 'formatted_read_group' : 'read_group',
    quantityFields: (['qty_available', 'free_qty', 'virtual_available'] as const).filter((f) => f in product),
    partner: {
      mobile: 'mobile' in partner,
      title: 'title' in partner,
      fiscalCodeField: 'l10n_it_codice_fiscale' in partner ? 'l10n_it_codice_fiscale' : null,
      sdiCodeField: 'l10n_it_pa_index' in partner ? 'l10n_it_pa_index' : null,
      pecField: 'l10n_it_pec_email' in partner ? 'l10n_it_pec_email' : null,
    },
    apiKeyExpiry: Boolean(apiKeys && 'expiration_date' in apiKeys),
  };
}

/** fields_get of a model that may not exist (renamed) or may not be readable: null then. */
async function optionalFields(fieldsOf: FieldsGetter, model: string): Promise<OdooFields | null> {
  try {
    return await fieldsOf(model);
  } catch (error) {
    if (error instanceof OdooNotFoundError || error instanceof OdooAccessError) return null;
    throw error;
  }
}
