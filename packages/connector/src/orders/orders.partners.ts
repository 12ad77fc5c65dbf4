import type { OdooClient } from '../odoo/odoo.client.ts';
import { OdooTransportError } from '../odoo/odoo.errors.ts';
import type { OdooDomain, OdooRecord } from '../odoo/odoo.types.ts';
import type { PoleepoAddress, PoleepoOrder } from '../poleepo/poleepo.types.ts';
import { OrderUncertainError } from './orders.errors.ts';
import { personName } from './orders.mapper.ts';
import { m2oId, type OdooReferenceData, type OrderSchema } from './orders.odoo-data.ts';

export interface CustomerResolution {
  partnerId: number;
  /** Omitted when Odoo computes them (a new customer with exactly one invoice and one delivery contact). */
  invoiceId?: number;
  shippingId?: number;
  created: boolean;
  /** Where the Italian fiscal data went (`l10n_it_…` fields, or the partner's notes). */
  fiscalDataIn: 'fields' | 'comment' | 'none';
}

interface AddressVals {
  name: string;
  street: string | false;
  zip: string | false;
  city: string | false;
  state_id: number | false;
  country_id: number | false;
  phone: string | false;
  email: string | false;
}

/**
 * The customer of an order, matched or created (DESIGN §4.6): the commercial partner (a company when there is a
 * company name or VAT number, else the person) is matched by VAT number, else e-mail, else name and postcode; its
 * invoice and delivery contacts are child partners, matched by address or added. A new customer is created with both
 * contacts in one call (atomic). Italian fiscal code, SDI code and PEC go to `l10n_it_edi`'s fields when Odoo has
 * them, else into the partner's notes. Creates that may have committed without an answer raise OrderUncertainError:
 * the next attempt finds what they made by the same look-ups.
 */
/** What identifies a customer for matching (and for the creation lease): VAT number, else e-mail, else name and postcode. */
export function customerKey(order: PoleepoOrder): string {
  const invoice = order.invoice_address ?? order.delivery_address ?? {};
  const customer = order.customer ?? {};
  const vat = normaliseVat(invoice.vat_number ?? customer.vat_number, invoice.country_iso);
  if (vat) return `vat:${vat}`;
  const email = clean(customer.email ?? invoice.email ?? order.delivery_address?.email).toLowerCase();
  if (email) return `email:${email}`;
  return `name:${(clean(invoice.company ?? customer.company) || personName(invoice, customer)).toLowerCase()}|${clean(invoice.postcode)}`;
}

export async function resolveCustomer(odoo: OdooClient, data: OdooReferenceData, schema: OrderSchema, order: PoleepoOrder, signal?: AbortSignal): Promise<CustomerResolution> {
  const invoice = order.invoice_address ?? order.delivery_address ?? {};
  const delivery = order.delivery_address ?? order.invoice_address ?? {};
  const customer = order.customer ?? {};
  const email = clean(customer.email ?? invoice.email ?? delivery.email);
  const countryIso = invoice.country_iso ?? delivery.country_iso;
  const vat = normaliseVat(invoice.vat_number ?? customer.vat_number, countryIso);
  const companyName = clean(invoice.company ?? customer.company);
  const isCompany = Boolean(companyName || vat);
  const person = personName(invoice, customer) || personName(delivery, customer);
  const name = companyName || person || email || `Poleepo customer ${customer.id ?? order.id}`;

  const [invoiceVals, deliveryVals] = await Promise.all([addressVals(data, invoice, person || name), addressVals(data, delivery, personName(delivery, customer) || person || name)]);

  let domain: OdooDomain;
  if (vat) domain = [['vat', 'in', vatVariants(vat)], ['parent_id', '=', false]];
  else if (email) domain = [['email', '=ilike', email], ['parent_id', '=', false]];
  else domain = [['name', '=ilike', name], ['zip', '=', invoiceVals.zip], ['parent_id', '=', false]];
  const [found] = await odoo.searchRead('res.partner', domain, { fields: ['name'], limit: 1, order: 'id', signal });

  if (found) {
    const children = await odoo.searchRead('res.partner', [['parent_id', '=', found.id], ['type', 'in', ['invoice', 'delivery']]], {
      fields: ['type', 'name', 'street', 'zip', 'city', 'country_id'], order: 'id', signal,
    });
    const invoiceId = matchChild(children, 'invoice', invoiceVals) ?? await createChild(odoo, found.id, 'invoice', invoiceVals, signal);
    const shippingId = matchChild(children, 'delivery', deliveryVals) ?? await createChild(odoo, found.id, 'delivery', deliveryVals, signal);
    return { partnerId: found.id, invoiceId, shippingId, created: false, fiscalDataIn: 'none' };
  }

  const fiscal = fiscalVals(schema, {
    fiscalCode: clean(invoice.fiscal_code ?? customer.fiscal_code),
    sdiCode: clean(invoice.sdi_code ?? (customer as { sdi_code?: string | null }).sdi_code),
    pec: clean(invoice.pec ?? (customer as { pec?: string | null }).pec),
  });
  const vals: Record<string, unknown> = {
    ...invoiceVals,
    name,
    is_company: isCompany,
    email: email || invoiceVals.email,
    ...(vat ? { vat } : {}),
    ...fiscal.vals,
    child_ids: [
      [0, 0, { type: 'invoice', ...invoiceVals }],
      [0, 0, { type: 'delivery', ...deliveryVals }],
    ],
  };
  try {
    const partnerId = await odoo.create('res.partner', vals, { signal, context: { tracking_disable: true } });
    return { partnerId, created: true, fiscalDataIn: fiscal.where };
  } catch (error) {
    if (error instanceof OdooTransportError && error.ambiguous) throw new OrderUncertainError('customer', { cause: error });
    throw error;
  }
}

async function createChild(odoo: OdooClient, parentId: number, type: 'invoice' | 'delivery', vals: AddressVals, signal?: AbortSignal): Promise<number> {
  try {
    return await odoo.create('res.partner', { parent_id: parentId, type, ...vals }, { signal, context: { tracking_disable: true } });
  } catch (error) {
    if (error instanceof OdooTransportError && error.ambiguous) throw new OrderUncertainError('customer', { cause: error });
    throw error;
  }
}

async function addressVals(data: OdooReferenceData, a: PoleepoAddress, name: string): Promise<AddressVals> {
  const countryId = await data.countryId(a.country_iso);
  const stateId = await data.stateId(countryId, a.state_iso);
  return {
    name,
    street: clean(a.address) || false,
    zip: clean(a.postcode) || false,
    city: clean(a.city) || false,
    state_id: stateId,
    country_id: countryId,
    phone: clean(a.phone) || false,
    email: clean(a.email) || false,
  };
}

function matchChild(children: OdooRecord[], type: 'invoice' | 'delivery', vals: AddressVals): number | undefined {
  return children.find((c) => c.type === type && same(c.name, vals.name) && same(c.street, vals.street) && same(c.zip, vals.zip)
    && same(c.city, vals.city) && (m2oId(c.country_id) ?? false) === vals.country_id)?.id;
}

/** Italian fiscal data: into l10n_it_edi's fields when they exist, else a note on the partner (never lost). */
export function fiscalVals(schema: OrderSchema, facts: { fiscalCode: string; sdiCode: string; pec: string }): { vals: Record<string, unknown>; where: CustomerResolution['fiscalDataIn'] } {
  const vals: Record<string, unknown> = {};
  const notes: string[] = [];
  const put = (field: string | null, value: string, label: string) => {
    if (!value) return;
    if (field) vals[field] = value;
    else notes.push(`${label}: ${escapeHtml(value)}`);
  };
  put(schema.partner.fiscalCode, facts.fiscalCode.toUpperCase(), 'Codice fiscale');
  put(schema.partner.sdiCode, facts.sdiCode.toUpperCase(), 'Codice destinatario SDI');
  put(schema.partner.pec, facts.pec, 'PEC');
  if (notes.length && schema.partner.comment) vals.comment = `<p>${notes.join('<br>')}</p>`;
  const where = notes.length ? (schema.partner.comment ? 'comment' : 'none') : Object.keys(vals).length ? 'fields' : 'none';
  return { vals, where };
}

/** `IT 01234567890` → `IT01234567890`; an Italian number without prefix gets `IT` (as Odoo stores it). */
export function normaliseVat(value: string | null | undefined, countryIso: string | null | undefined): string {
  const v = clean(value).toUpperCase().replace(/[\s.-]/g, '');
  if (!v) return '';
  if (/^\d{11}$/.test(v) && (!countryIso || countryIso.toUpperCase() === 'IT')) return `IT${v}`;
  return v;
}

function vatVariants(vat: string): string[] {
  const m = /^([A-Z]{2})(\d.*)$/.exec(vat);
  return m?.[2] ? [vat, m[2]] : [vat];
}

function clean(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function same(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase().replace(/\s+/g, ' ') : '');
  return norm(a) === norm(b);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
