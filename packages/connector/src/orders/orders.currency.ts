import { OrderParkedError } from './orders.errors.ts';
import type { OdooCurrency, OdooReferenceData, OrderSchema } from './orders.odoo-data.ts';

/**
 * The currency an imported order is in (DESIGN §4.6). Odoo gives a sale order the currency of its pricelist, else
 * the company's. So an order in the company's currency needs nothing; an order in another currency (amazon.co.uk in
 * pounds, a Swiss shop in francs) gets an active pricelist in that currency, the company's own before a shared one;
 * and without one it is **parked** with what to set up, never imported in the wrong currency: its amounts would be
 * read as the company's money, on the order, the invoice and the books.
 * An order without a currency is taken to be in the company's.
 */
export interface OrderCurrency {
  currency: OdooCurrency | null;
  /** The pricelist to put on the order, when the currency is not the company's. */
  pricelist: { id: number; name: string } | null;
}

export async function resolveOrderCurrency(data: OdooReferenceData, schema: OrderSchema, code: string | null | undefined): Promise<OrderCurrency> {
  const company = await data.company();
  const wanted = (code ?? '').trim().toUpperCase();
  if (!wanted || wanted === company.currency?.name) return { currency: company.currency, pricelist: null };
  const where = `this company keeps its accounts in ${company.currency?.name ?? 'another currency'}`;
  const currency = await data.currency(wanted);
  if (!currency) {
    throw new OrderParkedError(`The order is in ${wanted}, but ${where} and Odoo does not know the currency ${wanted}. Add it (Accounting › Configuration › Currencies), create a pricelist in ${wanted}, then retry the order. Nothing was imported.`);
  }
  const pricelists = schema.orderFields.pricelist ? await data.pricelists(currency.id) : null;
  if (pricelists === null) {
    throw new OrderParkedError(`The order is in ${wanted}, but ${where} and this Odoo has no pricelists to put an order in another currency. Nothing was imported.`);
  }
  if (!currency.active || pricelists.length === 0) {
    const steps = [
      ...(currency.active ? [] : [`activate the currency ${wanted} (Accounting › Configuration › Currencies)`]),
      `create a pricelist in ${wanted} for this company (Sales › Configuration › Settings › Pricelists, then Sales › Products › Pricelists)`,
    ];
    throw new OrderParkedError(`The order is in ${wanted}, but ${where} and Odoo has no active pricelist in ${wanted}: ${steps.join(', ')}, then retry the order. Nothing was imported.`);
  }
  return { currency, pricelist: pricelists[0]! };
}
