/**
 * The invoice report (`account.report_invoice`, `account.report_invoice_with_payments`) as a small real PDF: one page
 * per move with the company, the customer, the title Odoo prints ("Invoice INV/2026/00005", "Draft Invoice",
 * "Credit Note RINV/2026/00001"...), the dates, the source, the lines, and the untaxed amount, taxes, total and
 * amount due. Not Odoo's layout: the figures and the number are what a test reads back.
 */
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import { moveAmounts } from '../models/account.move.ops.ts';
import { A4, buildPdf, type PdfPage, type PdfText } from './pdf.ts';

const TITLES: Record<string, [string, string]> = {
  out_invoice: ['Invoice', 'Draft Invoice'],
  out_refund: ['Credit Note', 'Draft Credit Note'],
  in_invoice: ['Vendor Bill', 'Draft Vendor Bill'],
  in_refund: ['Vendor Credit Note', 'Draft Vendor Credit Note'],
  out_receipt: ['Sales Receipt', 'Draft Sales Receipt'],
  in_receipt: ['Purchase Receipt', 'Draft Purchase Receipt'],
};

export function invoiceTitle(move: Rec): string {
  const [posted, draft] = TITLES[move.move_type as string] ?? ['Entry', 'Draft Entry'];
  if (move.state === 'draft') return draft;
  if (move.state === 'cancel') return `Cancelled ${posted} ${typeof move.name === 'string' ? move.name : ''}`.trim();
  return `${posted} ${typeof move.name === 'string' ? move.name : ''}`.trim();
}

function money(env: Env, amount: number, currencyId: number): string {
  const currency = env.model('res.currency').table.get(currencyId);
  const figure = amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const symbol = String(currency?.symbol ?? currency?.name ?? '');
  return currency?.position === 'after' ? `${figure} ${symbol}` : `${symbol} ${figure}`.trim();
}

function pageOf(env: Env, move: Rec): PdfPage {
  const texts: PdfText[] = [];
  const rules: PdfPage['rules'] = [];
  const partners = env.model('res.partner');
  const company = env.model('res.company').table.get(move.company_id as number);
  const partner = partners.table.get(move.partner_id as number);
  const currencyId = move.currency_id as number;
  const left = 50;
  const right = A4.width - 50;
  let y = A4.height - 60;
  texts.push({ x: left, y, size: 14, bold: true, text: String(company?.name ?? '') });
  y -= 40;
  if (partner) {
    texts.push({ x: 330, y, size: 11, bold: true, text: partners.displayName(partner, env) });
    for (const part of [partner.street, partner.street2, [partner.zip, partner.city].filter(Boolean).join(' '), partner.vat ? `VAT: ${String(partner.vat)}` : ''].filter(Boolean)) {
      y -= 14;
      texts.push({ x: 330, y, size: 10, text: String(part) });
    }
  }
  y -= 40;
  texts.push({ x: left, y, size: 18, bold: true, text: invoiceTitle(move) });
  y -= 28;
  const facts: [string, unknown][] = [
    ['Invoice Date', move.invoice_date], ['Due Date', move.invoice_date_due || move.invoice_date || move.date], ['Source', move.invoice_origin], ['Reference', move.ref],
  ];
  let x = left;
  for (const [label, value] of facts) {
    if (!value) continue;
    texts.push({ x, y, size: 9, bold: true, text: label });
    texts.push({ x, y: y - 13, size: 10, text: String(value) });
    x += 125;
  }
  y -= 45;
  texts.push({ x: left, y, size: 10, bold: true, text: 'Description' });
  texts.push({ x: 370, y, size: 10, bold: true, text: 'Quantity', alignRight: true });
  texts.push({ x: 450, y, size: 10, bold: true, text: 'Unit Price', alignRight: true });
  texts.push({ x: right, y, size: 10, bold: true, text: 'Amount', alignRight: true });
  rules.push({ x1: left, y1: y - 5, x2: right, y2: y - 5 });
  const lineTable = env.model('account.move.line').table;
  const lines = [...lineTable.lookup('move_id', move.id)].sort((a, b) => a - b).map((id) => lineTable.get(id)!)
    .filter((l) => ['product', 'line_section', 'line_note'].includes(l.display_type as string))
    .sort((a, b) => ((a.sequence as number) ?? 10) - ((b.sequence as number) ?? 10) || a.id - b.id);
  for (const line of lines) {
    y -= 18;
    if (y < 160) break;
    const label = String(line.name ?? '').split('\n')[0].slice(0, 60);
    if (line.display_type !== 'product') {
      texts.push({ x: left, y, size: 10, bold: line.display_type === 'line_section', text: label });
      continue;
    }
    texts.push({ x: left, y, size: 10, text: label });
    texts.push({ x: 370, y, size: 10, text: (Number(line.quantity) || 0).toFixed(2), alignRight: true });
    texts.push({ x: 450, y, size: 10, text: (Number(line.price_unit) || 0).toFixed(2), alignRight: true });
    texts.push({ x: right, y, size: 10, text: money(env, Number(line.price_subtotal) || 0, currencyId), alignRight: true });
  }
  y -= 30;
  rules.push({ x1: 330, y1: y + 14, x2: right, y2: y + 14 });
  const amounts = moveAmounts(env, move);
  const totals: [string, number, boolean][] = [
    ['Untaxed Amount', amounts.amount_untaxed, false], ['Taxes', amounts.amount_tax, false], ['Total', amounts.amount_total, true],
  ];
  if (move.state === 'posted') totals.push(['Amount Due', amounts.amount_residual, true]);
  for (const [label, value, strong] of totals) {
    texts.push({ x: 330, y, size: 11, bold: strong, text: label });
    texts.push({ x: right, y, size: 11, bold: strong, text: money(env, value, currencyId), alignRight: true });
    y -= 18;
  }
  if (move.move_type === 'out_invoice' && move.state === 'posted' && move.payment_reference) {
    texts.push({ x: left, y: 90, size: 10, text: `Payment Communication: ${String(move.payment_reference)}` });
  }
  return { texts, rules };
}

/** One PDF for these moves (one page each), as `_render_qweb_pdf` merges them. */
export function renderInvoicePdf(env: Env, moveIds: number[]): Buffer {
  const moves = env.model('account.move').table;
  const records = moveIds.map((id) => moves.get(id)).filter((m): m is Rec => Boolean(m));
  const title = records.length === 1 ? invoiceTitle(records[0]) : 'Invoices';
  return buildPdf(records.map((m) => pageOf(env, m)), { title, producer: 'odoo-emulator (wkhtmltopdf stand-in)', creationDate: new Date(env.nowMs) });
}
