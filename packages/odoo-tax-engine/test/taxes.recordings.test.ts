import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeAll, type ComputeAllOptions, type OdooMajor, type TaxDefinition } from '../src/tax.engine.ts';

/**
 * The whole compute_all answers recorded in `recordings/odooNN/`flows/f_tax_compute_all.json (shape included: key order,
 * `group` repr, `is_reverse_charge` from 18, accounts, refunds, handle_price_include, the 17 `round` context and the
 * positional call), reproduced by the engine from the taxes as Odoo described them in the same file.
 */

interface Exchange { title: string; endpoint: string; request: unknown; response: unknown; http_status: number }

function load(version: string): Exchange[] {
  const file = new URL(`../../../recordings/odoo${version}/flows/f_tax_compute_all.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { exchanges: Exchange[] }).exchanges;
}

/** A call as the engine sees it, decoded from JSON-RPC execute_kw (17/18) or a JSON-2 body (19). */
interface Call { ids: number[]; price: number; quantity: number; kwargs: Record<string, unknown> }

function decodeCall(e: Exchange): Call {
  const req = e.request as Record<string, unknown>;
  if (e.endpoint.startsWith('POST /json/2/')) {
    const { ids, price_unit, quantity, ...rest } = req as { ids: number[]; price_unit: number; quantity?: number };
    return { ids, price: price_unit, quantity: quantity ?? 1, kwargs: rest };
  }
  const args = (req.params as { args: unknown[] }).args;
  const [positional, kwargs = {}] = [args[5] as unknown[], (args[6] ?? {}) as Record<string, unknown>];
  const [ids, price, , positionalQuantity] = positional as [number[], number, unknown, number | undefined];
  return { ids, price, quantity: (kwargs.quantity as number | undefined) ?? positionalQuantity ?? 1, kwargs };
}

function resultOf(e: Exchange): Record<string, unknown> | undefined {
  const body = e.response as Record<string, unknown>;
  if (e.http_status !== 200 || !body || typeof body !== 'object') return undefined;
  if ('jsonrpc' in body) return body.result as Record<string, unknown> | undefined;
  return body;
}

describe.each(['17', '18', '19'] as const)('compute_all as recorded on Odoo %s', (versionKey) => {
  const major = Number(versionKey) as OdooMajor;
  const exchanges = load(versionKey);
  const company = (resultOf(exchanges.find((e) => e.title === 'res.company tax settings')!) as unknown as Record<string, unknown>[] | undefined)
    ?? ((exchanges[0].response as { result: Record<string, unknown>[] }).result);
  const companyRow = (Array.isArray(company) ? company[0] : company) as { tax_calculation_rounding_method: 'round_per_line' | 'round_globally'; account_price_include?: 'tax_included' | 'tax_excluded' };

  // The taxes as Odoo described them: the demo 15 % tax and the temporary ones read back in the file.
  const taxes = new Map<number, TaxDefinition>();
  taxes.set(1, { id: 1, name: '15%', amount: 15, amount_type: 'percent', price_include: false, price_include_override: false });
  const read = exchanges.find((e) => e.title === 'account.tax read the temporary taxes')!;
  for (const row of resultOf(read) as unknown as Record<string, unknown>[] ?? (read.response as { result: Record<string, unknown>[] }).result) {
    taxes.set(row.id as number, {
      id: row.id as number, name: row.name as string, amount: row.amount as number, amount_type: row.amount_type as TaxDefinition['amount_type'],
      price_include: row.price_include as boolean, price_include_override: (row.price_include_override ?? undefined) as TaxDefinition['price_include_override'],
      include_base_amount: row.include_base_amount as boolean, children_tax_ids: row.children_tax_ids as number[],
    });
  }
  // Repartition lines (ids and accounts) are configuration Odoo does not return through read: take them from the answers.
  const calls = exchanges.filter((e) => e.endpoint.includes('compute_all') || JSON.stringify(e.request).includes('"compute_all"'))
    .map((e) => ({ e, result: resultOf(e) })).filter((c): c is { e: Exchange; result: Record<string, unknown> } => c.result !== undefined);
  for (const { e, result } of calls) {
    const refund = decodeCall(e).kwargs.is_refund === true;
    for (const line of result.taxes as { id: number; account_id: number | false; tax_repartition_line_id: number; use_in_tax_closing: boolean }[]) {
      const tax = taxes.get(line.id)!;
      const rep = { id: line.tax_repartition_line_id, account_id: line.account_id, use_in_tax_closing: line.use_in_tax_closing };
      if (refund) tax.refund_repartition = rep;
      else tax.invoice_repartition = rep;
    }
  }

  it('has recorded calls to reproduce', () => {
    expect(calls.length).toBeGreaterThanOrEqual(major === 17 ? 13 : 10);
  });

  it.each(calls.map((c) => [c.e.title, c] as const))('%s', (_title, { e, result }) => {
    const call = decodeCall(e);
    const context = (call.kwargs.context ?? {}) as ComputeAllOptions['context'];
    const actual = computeAll(call.ids.map((id) => taxes.get(id)!), call.price, {
      version: major,
      roundingMethod: companyRow.tax_calculation_rounding_method,
      companyPriceInclude: companyRow.account_price_include ?? 'tax_excluded',
      quantity: call.quantity,
      isRefund: call.kwargs.is_refund === true,
      handlePriceInclude: call.kwargs.handle_price_include !== false,
      context,
      catalog: taxes,
    });
    // Same members in the same order, same numbers.
    expect(JSON.stringify(actual)).toBe(JSON.stringify(result));
  });
});
