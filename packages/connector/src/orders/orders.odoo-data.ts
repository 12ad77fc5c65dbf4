import type { Clock } from '../shared/clock.ts';
import { NotConfiguredError } from '../shared/errors.ts';
import type { OdooClient } from '../odoo/odoo.client.ts';
import { OdooNotFoundError } from '../odoo/odoo.errors.ts';
import type { OdooCapabilities } from '../odoo/odoo.capabilities.ts';
import type { OdooRecord } from '../odoo/odoo.types.ts';
import type { OdooMajor, TaxDefinition } from '@poleepo-odoo/odoo-tax-engine';
import type { TaxSetup } from './orders.taxes.ts';

/** Where the order import writes, as this Odoo database names things (feature detection on fields_get). */
export interface OrderSchema {
  caps: OdooCapabilities;
  /** The provisioned x_poleepo_* fields on sale.order that exist (x_poleepo_order_id is required), and Odoo's own. */
  orderFields: { status: boolean; channel: boolean; url: boolean; carrier: boolean; paymentMethod: boolean; codAmount: boolean; pricelist: boolean };
  /** sale.order.line has `discount` (%): written 0 so a pricelist's discount never changes a marketplace amount. */
  lineDiscount: boolean;
  /** res.company has Odoo's own discount product (`sale_discount_product_id`, 17+). */
  companyDiscountProduct: boolean;
  lineTaxField: string;
  lineIsDelivery: boolean;
  /** product.product has the provisioned x_poleepo_sku. */
  productSkuField: boolean;
  /** res.partner: Italian fields when l10n_it_edi is installed, else they go to `comment`. */
  partner: { fiscalCode: string | null; sdiCode: string | null; pec: string | null; comment: boolean };
}

export interface Carrier {
  id: number;
  name: string;
  productId: number;
}

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

const TTL_MS = 5 * 60_000;

/**
 * Per connection, what every import needs from Odoo and rarely changes: field names, the company's tax settings and
 * sales taxes, the carrier, countries and provinces. Read once and kept for a few minutes (on the injected clock),
 * so an import costs only the calls that are about the order itself.
 */
export class OdooReferenceData {
  private readonly cache = new Map<string, Cached<unknown>>();

  constructor(private readonly odoo: OdooClient, private readonly companyId: number | null, private readonly clock: Clock) {}

  private memo<T>(key: string, load: () => Promise<T>, ttlMs = TTL_MS): Promise<T> {
    const hit = this.cache.get(key) as Cached<T> | undefined;
    const now = this.clock.now();
    if (hit && now - hit.at < ttlMs) return hit.value;
    const value = load();
    this.cache.set(key, { at: now, value });
    value.catch(() => {
      if (this.cache.get(key)?.value === value) this.cache.delete(key);
    });
    return value;
  }

  /** Forget everything (a person changed taxes or carriers and retries a parked order). */
  clear(): void {
    this.cache.clear();
  }

  schema(): Promise<OrderSchema> {
    return this.memo('schema', async () => {
      const caps = await this.odoo.capabilities();
      const attrs = { attributes: ['type', 'relation', 'store'] as const };
      const [order, line, product, partner, company] = await Promise.all([
        this.odoo.fieldsGet('sale.order', attrs), this.odoo.fieldsGet('sale.order.line', attrs),
        this.odoo.fieldsGet('product.product', attrs), this.odoo.fieldsGet('res.partner', attrs),
        this.odoo.fieldsGet('res.company', attrs),
      ]);
      if (!('x_poleepo_order_id' in order)) {
        throw new NotConfiguredError('Odoo has no field x_poleepo_order_id on sale.order (the idempotency key of imported orders): run "poleepo-odoo odoo provision" first');
      }
      return {
        caps,
        orderFields: {
          status: 'x_poleepo_status' in order, channel: 'x_poleepo_channel' in order, url: 'x_poleepo_url' in order, carrier: 'carrier_id' in order,
          paymentMethod: 'x_poleepo_payment_method' in order, codAmount: 'x_poleepo_cod_amount' in order, pricelist: 'pricelist_id' in order,
        },
        lineTaxField: caps.orderLineTaxField,
        lineIsDelivery: 'is_delivery' in line,
        lineDiscount: 'discount' in line,
        companyDiscountProduct: 'sale_discount_product_id' in company,
        productSkuField: 'x_poleepo_sku' in product,
        partner: { fiscalCode: caps.partner.fiscalCodeField, sdiCode: caps.partner.sdiCodeField, pec: caps.partner.pecField, comment: 'comment' in partner },
      };
    }, 60 * TTL_MS);
  }

  /** The company's tax settings and active sales taxes, as the tax engine takes them. */
  taxSetup(): Promise<TaxSetup> {
    return this.memo('taxes', async () => {
      const schema = await this.schema();
      const major = Math.min(19, Math.max(17, schema.caps.version.major)) as OdooMajor;
      const companyFields = ['tax_calculation_rounding_method', 'currency_id', ...(schema.caps.companyPriceIncludeField ? [schema.caps.companyPriceIncludeField] : [])];
      const companyId = this.companyId ?? await this.defaultCompanyId();
      const [company] = await this.odoo.read('res.company', [companyId], companyFields);
      const includeField = schema.caps.taxPriceIncludeField;
      const rows = await this.odoo.searchRead('account.tax', [['type_tax_use', 'in', ['sale', 'none']], ['company_id', '=', companyId]], {
        fields: ['name', 'amount', 'amount_type', includeField, 'include_base_amount', 'is_base_affected', 'sequence', 'children_tax_ids', 'type_tax_use'],
      });
      const taxes = new Map<number, TaxDefinition>();
      for (const r of rows) {
        taxes.set(r.id, {
          id: r.id, name: String(r.name ?? ''), amount: Number(r.amount ?? 0), amount_type: r.amount_type as TaxDefinition['amount_type'],
          ...(includeField === 'price_include' ? { price_include: Boolean(r.price_include) } : { price_include_override: (r.price_include_override || false) as TaxDefinition['price_include_override'] }),
          include_base_amount: Boolean(r.include_base_amount), is_base_affected: r.is_base_affected !== false,
          sequence: typeof r.sequence === 'number' ? r.sequence : 1, children_tax_ids: Array.isArray(r.children_tax_ids) ? r.children_tax_ids as number[] : [],
        });
      }
      // Only sales taxes are candidates for lines; 'none' ones are kept as possible children of groups.
      const usable = new Map([...taxes].filter(([, t]) => rows.find((r) => r.id === t.id)?.type_tax_use === 'sale' || isChild(t.id, taxes)));
      return {
        version: major,
        roundingMethod: company?.tax_calculation_rounding_method === 'round_globally' ? 'round_globally' : 'round_per_line',
        companyPriceInclude: company?.account_price_include === 'tax_included' ? 'tax_included' : 'tax_excluded',
        currencyRounding: 0.01,
        priceDigits: 2,
        taxes: usable,
      } satisfies TaxSetup;
    });
  }

  /** The carrier whose product carries the shipping cost: the configured one, else the first the company sees. */
  carrier(defaultId: number | null): Promise<Carrier | null> {
    return this.memo(`carrier:${defaultId ?? ''}`, async () => {
      const domain = defaultId ? [['id', '=', defaultId]] : [];
      const rows = await this.odoo.searchRead('delivery.carrier', domain, { fields: ['name', 'product_id'], limit: 1, order: 'sequence, id' });
      const row = rows[0];
      const productId = m2oId(row?.product_id);
      return row && productId ? { id: row.id, name: String(row.name ?? ''), productId } : null;
    });
  }

  /** Sales taxes of one product (the carrier's, for the shipping line). */
  productTaxes(productId: number): Promise<number[]> {
    return this.memo(`product-taxes:${productId}`, async () => {
      const [row] = await this.odoo.read('product.product', [productId], ['taxes_id']);
      return Array.isArray(row?.taxes_id) ? (row.taxes_id as number[]) : [];
    });
  }

  /** The company's own currency (the one Odoo gives an order without a pricelist) and its Discount product. */
  company(): Promise<{ id: number; currency: OdooCurrency | null; discountProductId: number | null }> {
    return this.memo('company', async () => {
      const schema = await this.schema();
      const companyId = this.companyId ?? await this.defaultCompanyId();
      const [row] = await this.odoo.read('res.company', [companyId], ['currency_id', ...(schema.companyDiscountProduct ? ['sale_discount_product_id'] : [])]);
      const currencyId = m2oId(row?.currency_id);
      const currency = currencyId ? (await this.odoo.read('res.currency', [currencyId], ['name', 'rounding', 'active']))[0] : undefined;
      return { id: companyId, currency: currency ? toCurrency(currency) : null, discountProductId: m2oId(row?.sale_discount_product_id) };
    });
  }

  /** res.currency of an ISO 4217 code, active or not (null: Odoo does not know it). */
  currency(code: string): Promise<OdooCurrency | null> {
    const upper = code.trim().toUpperCase();
    return this.memo(`currency:${upper}`, async () => {
      const rows = await this.odoo.searchRead('res.currency', [['name', '=', upper]], { fields: ['name', 'rounding', 'active'], limit: 1, context: { active_test: false } });
      return rows[0] ? toCurrency(rows[0]) : null;
    });
  }

  /**
   * The active pricelists in a currency this company may use (its own first, then shared ones), in Odoo's order.
   * `null`: this Odoo has no pricelists at all (product.pricelist unknown).
   */
  pricelists(currencyId: number): Promise<{ id: number; name: string }[] | null> {
    return this.memo(`pricelists:${currencyId}`, async () => {
      const companyId = this.companyId ?? await this.defaultCompanyId();
      let rows: OdooRecord[];
      try {
        rows = await this.odoo.searchRead('product.pricelist', [['currency_id', '=', currencyId], ['company_id', 'in', [companyId, false]]], { fields: ['name', 'company_id'] });
      } catch (error) {
        if (error instanceof OdooNotFoundError) return null;
        throw error;
      }
      const own = rows.filter((r) => m2oId(r.company_id) === companyId);
      return [...own, ...rows.filter((r) => !own.includes(r))].map((r) => ({ id: r.id, name: String(r.name ?? '') }));
    });
  }

  /** res.country id of an ISO code (kept for the client's life). */
  async countryId(code: string | null | undefined): Promise<number | false> {
    if (!code) return false;
    const upper = code.trim().toUpperCase();
    return this.memo(`country:${upper}`, async () => {
      const rows = await this.odoo.searchRead('res.country', [['code', '=', upper]], { fields: ['code'], limit: 1 });
      return rows[0]?.id ?? false;
    }, Number.POSITIVE_INFINITY);
  }

  /** res.country.state id of a province code within a country (kept for the client's life). */
  async stateId(countryId: number | false, code: string | null | undefined): Promise<number | false> {
    if (!countryId || !code) return false;
    const upper = code.trim().toUpperCase();
    return this.memo(`state:${countryId}:${upper}`, async () => {
      const rows = await this.odoo.searchRead('res.country.state', [['country_id', '=', countryId], ['code', '=', upper]], { fields: ['code'], limit: 1 });
      return rows[0]?.id ?? false;
    }, Number.POSITIVE_INFINITY);
  }

  private async defaultCompanyId(): Promise<number> {
    const { uid } = await this.odoo.connect();
    const [user] = await this.odoo.read('res.users', [uid], ['company_id']);
    return m2oId(user?.company_id) ?? 1;
  }
}

function isChild(id: number, taxes: Map<number, TaxDefinition>): boolean {
  for (const t of taxes.values()) if (t.children_tax_ids?.includes(id)) return true;
  return false;
}

export interface OdooCurrency {
  id: number;
  /** ISO 4217 code. */
  name: string;
  rounding: number;
  active: boolean;
}

function toCurrency(r: OdooRecord): OdooCurrency {
  const rounding = Number(r.rounding);
  return { id: r.id, name: String(r.name ?? ''), rounding: rounding > 0 ? rounding : 0.01, active: r.active !== false };
}

export function m2oId(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && typeof value[0] === 'number') return value[0];
  return null;
}

export function m2oName(value: unknown): string | null {
  return Array.isArray(value) && typeof value[1] === 'string' ? value[1] : null;
}

export type { OdooRecord };
