/**
 * Invoicing over real HTTP, per version, on the day the recordings were made: a confirmed order is delivered, then
 * invoiced through sale.advance.payment.inv (its amounts are the order's to the cent), posted (INV/2026/00005; 19:
 * INV/2026/00010), credited through account.move.reversal (RINV/2026/00001, reconciled: the invoice is "reversed"
 * and the order has its quantities to invoice again); the provisioned code server action of odoo-invoice-pdf.md
 * renders the invoice as a real PDF attached to it, and fails with Odoo's error when the server has no wkhtmltopdf.
 * The `invoiceSaleOrder` helper, the refusals (nothing to invoice, posting twice, deleting a posted invoice) and
 * `button_draft` / `button_cancel` complete it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@poleepo-odoo/clock';
import { startOdooEmulator, type OdooEmulator } from '../src/emulator.ts';
import { invoiceSaleOrder, NO_WKHTMLTOPDF } from '../src/index.ts';
import { json2, kw, kwError } from './helpers/odoo-emulator-client.ts';

let emu: OdooEmulator | null = null;
afterEach(async () => {
  await emu?.stop();
  emu = null;
});

type Row = Record<string, unknown> & { id: number };

const FIRST_NUMBER = { 17: 'INV/2026/00005', 18: 'INV/2026/00005', 19: 'INV/2026/00010' } as const;
const DRAFT_NAME = { 17: '/', 18: false, 19: false } as const;
const NOT_POSTED = { 17: 'You can only reverse posted moves.', 18: 'You can only reverse posted moves.', 19: 'To reverse a journal entry, it has to be posted first.' } as const;
const NOTHING_TO_INVOICE = 'Cannot create an invoice. No items are available to invoice.';

/** The code a connector provisions (odoo-invoice-pdf.md): render, attach, post in the chatter. */
const PDF_ACTION_CODE = [
  "pdf_content, _ = env['ir.actions.report']._render_qweb_pdf('account.account_invoices', records.ids)",
  "att = env['ir.attachment'].create({'name': '%s.pdf' % records[0].name.replace('/', '_'), 'type': 'binary', 'raw': pdf_content, 'res_model': 'account.move', 'res_id': records[0].id, 'mimetype': 'application/pdf'})",
  "records[0].message_post(body='Invoice PDF', attachment_ids=[att.id])",
].join('\n');

async function start(version: 17 | 18 | 19): Promise<OdooEmulator> {
  return startOdooEmulator({ version, clock: new ManualClock('2026-11-27T10:00:00Z') });
}

async function productId(odoo: OdooEmulator, code: string): Promise<number> {
  return (await kw<number[]>(odoo, 'product.product', 'search', [[['default_code', '=', code]]]))[0];
}

/** A confirmed order of 1 desk and 2 cabinets (5 % off), both with the 15 % tax; its delivery validated when `deliver`. */
async function order(odoo: OdooEmulator, version: 17 | 18 | 19, deliver: boolean): Promise<number> {
  const taxField = version >= 19 ? 'tax_ids' : 'tax_id';
  const [desk, cabinet] = [await productId(odoo, 'FURN_0098'), await productId(odoo, 'E-COM07')];
  const id = await kw<number>(odoo, 'sale.order', 'create', [{
    partner_id: 9, client_order_ref: 'AMZ-1',
    order_line: [[0, 0, { product_id: desk, product_uom_qty: 1, price_unit: 800.4, [taxField]: [[6, 0, [1]]] }], [0, 0, { product_id: cabinet, product_uom_qty: 2, price_unit: 300, discount: 5, [taxField]: [[6, 0, [1]]] }]],
  }]);
  await kw(odoo, 'sale.order', 'action_confirm', [[id]]);
  if (deliver) {
    const [{ picking_ids }] = await kw<Row[]>(odoo, 'sale.order', 'read', [[id]], { fields: ['picking_ids'] });
    expect(await kw(odoo, 'stock.picking', 'button_validate', [picking_ids], { context: { skip_backorder: true } })).toBe(true);
  }
  return id;
}

const orderContext = (id: number) => ({ active_model: 'sale.order', active_ids: [id], active_id: id });
const moveContext = (id: number) => ({ active_model: 'account.move', active_ids: [id], active_id: id });
const MOVE_FIELDS = ['name', 'state', 'move_type', 'partner_id', 'invoice_origin', 'ref', 'payment_reference', 'invoice_date', 'amount_untaxed', 'amount_tax', 'amount_total', 'amount_residual', 'payment_state', 'journal_id', 'invoice_line_ids', 'line_ids', 'reversed_entry_id', 'currency_id'];

for (const version of [17, 18, 19] as const) {
  describe(`invoicing on Odoo ${version}`, () => {
    it('invoices a delivered order with its amounts, posts it with the next number, credits it, and the order follows', async () => {
      emu = await start(version);
      const so = await order(emu, version, true);
      const [o] = await kw<Row[]>(emu, 'sale.order', 'read', [[so]], { fields: ['name', 'amount_untaxed', 'amount_tax', 'amount_total', 'invoice_status', 'partner_invoice_id', 'order_line'] });
      expect(o).toMatchObject({ amount_untaxed: 1370.4, amount_tax: 205.56, amount_total: 1575.96, invoice_status: 'to invoice' });

      const wizard = await kw<number>(emu, 'sale.advance.payment.inv', 'create', [{ advance_payment_method: 'delivered' }], { context: orderContext(so) });
      expect(await kw<Row[]>(emu, 'sale.advance.payment.inv', 'read', [[wizard]], { fields: ['sale_order_ids', 'count', 'consolidated_billing', 'deduct_down_payments'] }))
        .toEqual([{ id: wizard, sale_order_ids: [so], count: 1, consolidated_billing: true, deduct_down_payments: true }]);
      const action = await kw<Record<string, unknown>>(emu, 'sale.advance.payment.inv', 'create_invoices', [[wizard]], { context: orderContext(so) });
      expect(action).toMatchObject({ type: 'ir.actions.act_window', res_model: 'account.move', xml_id: 'account.action_move_out_invoice_type', context: { default_move_type: 'out_invoice', default_partner_id: 9 } });
      const invoiceId = action.res_id as number;

      const [draft] = await kw<Row[]>(emu, 'account.move', 'read', [[invoiceId]], { fields: MOVE_FIELDS });
      expect(draft).toMatchObject({
        name: DRAFT_NAME[version], state: 'draft', move_type: 'out_invoice', partner_id: [(o.partner_invoice_id as [number, string])[0], expect.any(String)],
        invoice_origin: o.name, ref: 'AMZ-1', payment_reference: false, invoice_date: false, payment_state: 'not_paid', reversed_entry_id: false,
        amount_untaxed: o.amount_untaxed, amount_tax: o.amount_tax, amount_total: o.amount_total, amount_residual: o.amount_total, currency_id: [1, 'USD'],
      });
      expect(draft.line_ids).toHaveLength(4);
      const lines = await kw<Row[]>(emu, 'account.move.line', 'search_read', [[['move_id', '=', invoiceId], ['display_type', '=', 'product']]], { fields: ['quantity', 'price_unit', 'discount', 'tax_ids', 'price_subtotal', 'price_total', 'sale_line_ids'] });
      expect(lines.map((l) => [l.quantity, l.price_unit, l.discount, l.tax_ids, l.price_subtotal, l.price_total, l.sale_line_ids]))
        .toEqual([[1, 800.4, 0, [1], 800.4, 920.46, [(o.order_line as number[])[0]]], [2, 300, 5, [1], 570, 655.5, [(o.order_line as number[])[1]]]]);
      const journal = await kw<Row[]>(emu, 'account.move.line', 'search_read', [[['move_id', '=', invoiceId]]], { fields: ['display_type', 'debit', 'credit'], order: 'id' });
      expect(journal.map((l) => [l.display_type, l.debit, l.credit])).toEqual([['product', 0, 800.4], ['product', 0, 570], ['tax', 0, 205.56], ['payment_term', 1575.96, 0]]);
      expect(await kw<Row[]>(emu, 'sale.order', 'read', [[so]], { fields: ['invoice_ids', 'invoice_status'] })).toEqual([{ id: so, invoice_ids: [invoiceId], invoice_status: 'invoiced' }]);
      expect(await kw(emu, 'sale.order', 'search', [[['invoice_status', '=', 'invoiced']]])).toEqual([so]);

      expect(await kw(emu, 'account.move', 'action_post', [[invoiceId]])).toBe(false);
      const [posted] = await kw<Row[]>(emu, 'account.move', 'read', [[invoiceId]], { fields: MOVE_FIELDS });
      expect(posted).toMatchObject({ name: FIRST_NUMBER[version], state: 'posted', payment_reference: FIRST_NUMBER[version], invoice_date: '2026-11-27', amount_total: 1575.96, amount_residual: 1575.96, payment_state: 'not_paid' });
      expect(await kwError(emu, 'account.move', 'action_post', [[invoiceId]])).toMatchObject({ name: 'odoo.exceptions.UserError', message: `The entry ${FIRST_NUMBER[version]} (id ${invoiceId}) must be in draft.` });
      const again = await kw<number>(emu, 'sale.advance.payment.inv', 'create', [{ advance_payment_method: 'delivered' }], { context: orderContext(so) });
      expect((await kwError(emu, 'sale.advance.payment.inv', 'create_invoices', [[again]], { context: orderContext(so) })).message).toContain(NOTHING_TO_INVOICE);

      // The credit note.
      // Without a journal the wizard is refused, as on real Odoo (the form's onchange fills it from the invoice; an API
      // create inserts before move_ids is written): the caller gives the invoice's journal.
      const notNull = await kwError(emu, 'account.move.reversal', 'create', [{ reason: 'damaged' }], { context: moveContext(invoiceId) });
      expect(notNull.name).toBe('odoo.exceptions.ValidationError');
      expect(notNull.message).toMatch(/mandatory field is not set[\s\S]*account\.move\.reversal[\s\S]*journal_id|Missing required value for the field 'Journal' \(journal_id\)/);
      const [{ journal_id: invoiceJournal }] = await kw<Row[]>(emu, 'account.move', 'read', [[invoiceId]], { fields: ['journal_id'] });
      const reversal = await kw<number>(emu, 'account.move.reversal', 'create', [{ reason: 'damaged', journal_id: (invoiceJournal as [number, string])[0] }], { context: moveContext(invoiceId) });
      const refundAction = await kw<Record<string, unknown>>(emu, 'account.move.reversal', 'refund_moves', [[reversal]], { context: moveContext(invoiceId) });
      expect(refundAction).toEqual({ name: 'Reverse Moves', type: 'ir.actions.act_window', res_model: 'account.move', view_mode: 'form', res_id: expect.any(Number), context: { default_move_type: 'out_refund' } });
      const refundId = refundAction.res_id as number;
      const [refund] = await kw<Row[]>(emu, 'account.move', 'read', [[refundId]], { fields: MOVE_FIELDS });
      expect(refund).toMatchObject({
        name: DRAFT_NAME[version], state: 'draft', move_type: 'out_refund', reversed_entry_id: [invoiceId, `${FIRST_NUMBER[version]} (AMZ-1)`], ref: `Reversal of: ${FIRST_NUMBER[version]}, damaged`,
        invoice_origin: o.name, amount_untaxed: 1370.4, amount_tax: 205.56, amount_total: 1575.96, invoice_date: '2026-11-27',
      });
      const refundLines = await kw<Row[]>(emu, 'account.move.line', 'search_read', [[['move_id', '=', refundId]]], { fields: ['display_type', 'debit', 'credit', 'sale_line_ids'], order: 'id' });
      expect(refundLines.map((l) => [l.display_type, l.debit, l.credit])).toEqual([['product', 800.4, 0], ['product', 570, 0], ['tax', 205.56, 0], ['payment_term', 0, 1575.96]]);
      expect(await kw<Row[]>(emu, 'sale.order', 'read', [[so]], { fields: ['invoice_status'] })).toEqual([{ id: so, invoice_status: 'to invoice' }]);
      expect(await kw(emu, 'account.move', 'action_post', [[refundId]])).toBe(false);
      const after = await kw<Row[]>(emu, 'account.move', 'read', [[invoiceId, refundId]], { fields: ['name', 'state', 'amount_residual', 'payment_state'] });
      expect(after).toEqual([
        { id: invoiceId, name: FIRST_NUMBER[version], state: 'posted', amount_residual: 0, payment_state: 'reversed' },
        { id: refundId, name: 'RINV/2026/00001', state: 'posted', amount_residual: 0, payment_state: 'paid' },
      ]);
      // Searches see the computed states (what a connector polls on).
      expect(await kw(emu, 'account.move', 'search', [[['payment_state', '=', 'reversed']]])).toEqual([invoiceId]);
      expect(await kw(emu, 'account.move', 'search', [[['move_type', '=', 'out_refund'], ['reversed_entry_id', '=', invoiceId]]])).toEqual([refundId]);
      expect(await kw(emu, 'sale.order', 'search', [[['invoice_status', '=', 'to invoice'], ['id', '=', so]]])).toEqual([so]);
      const [line] = await kw<Row[]>(emu, 'sale.order.line', 'read', [[(o.order_line as number[])[0]]], { fields: ['qty_delivered', 'qty_invoiced', 'qty_to_invoice', 'invoice_lines'] });
      expect(line).toMatchObject({ qty_delivered: 1, qty_invoiced: 0, qty_to_invoice: 1 });
      expect(line.invoice_lines).toHaveLength(2);

      // A draft cannot be reversed; a posted invoice cannot be deleted; reset to draft it can.
      // button_draft and button_cancel return None: the answer has no `result` (z_cleanup.json).
      expect(await kw(emu, 'account.move', 'button_draft', [[refundId]])).toBeUndefined();
      expect(await kwError(emu, 'account.move.reversal', 'create', [{}], { context: moveContext(refundId) })).toMatchObject({ name: 'odoo.exceptions.UserError', message: NOT_POSTED[version] });
      expect(await kw<Row[]>(emu, 'account.move', 'read', [[invoiceId]], { fields: ['payment_state', 'amount_residual'] })).toEqual([{ id: invoiceId, payment_state: 'not_paid', amount_residual: 1575.96 }]);
      expect((await kwError(emu, 'account.move', 'unlink', [[invoiceId]])).message).toBe("You can't delete a posted journal item. Don’t play games with your accounting records; reset the journal entry to draft before deleting it.");
      expect(await kw(emu, 'account.move', 'button_cancel', [[refundId]])).toBeUndefined();
      expect(await kw<Row[]>(emu, 'account.move', 'read', [[refundId]], { fields: ['state', 'name'] })).toEqual([{ id: refundId, state: 'cancel', name: 'RINV/2026/00001' }]);
      expect(await kw<Row[]>(emu, 'sale.order.line', 'read', [[(o.order_line as number[])[0]]], { fields: ['qty_invoiced'] })).toEqual([{ id: (o.order_line as number[])[0], qty_invoiced: 1 }]);
    });

    it('invoices delivered quantities only: nothing before the delivery, what was delivered after a partial one', async () => {
      emu = await start(version);
      const so = await order(emu, version, false);
      const wizard = await kw<number>(emu, 'sale.advance.payment.inv', 'create', [{ advance_payment_method: 'delivered' }], { context: orderContext(so) });
      expect((await kwError(emu, 'sale.advance.payment.inv', 'create_invoices', [[wizard]], { context: orderContext(so) })).message).toContain(NOTHING_TO_INVOICE);
      const [{ picking_ids }] = await kw<Row[]>(emu, 'sale.order', 'read', [[so]], { fields: ['picking_ids'] });
      const moves = await kw<Row[]>(emu, 'stock.move', 'search_read', [[['picking_id', 'in', picking_ids]]], { fields: ['product_uom_qty'], order: 'id' });
      await kw(emu, 'stock.move', 'write', [[moves[1].id], { quantity: 1, picked: true }]);
      await kw(emu, 'stock.move', 'write', [[moves[0].id], { quantity: 0, picked: false }]);
      await kw(emu, 'stock.picking', 'button_validate', [picking_ids], { context: { skip_backorder: true, picking_ids_not_to_backorder: [] } });
      const { moveIds } = await invoiceSaleOrder((m, f, a, k) => kw(emu!, m, f, a, k), { version, saleOrderId: so, post: false });
      const [inv] = await kw<Row[]>(emu, 'account.move', 'read', [moveIds], { fields: ['amount_untaxed', 'amount_total', 'state'] });
      expect(inv).toMatchObject({ state: 'draft', amount_untaxed: 285, amount_total: 327.75 });
      expect(await kw<Row[]>(emu, 'sale.order', 'read', [[so]], { fields: ['invoice_status'] })).toEqual([{ id: so, invoice_status: 'no' }]);
    });

    it('invoiceSaleOrder invoices and posts through the API; modify_moves posts the credit note and makes a new draft', async () => {
      emu = await start(version);
      const so = await order(emu, version, true);
      const result = await invoiceSaleOrder((m, f, a, k) => emu!.call(m, f, a, k), { version, saleOrderId: so });
      expect(result).toEqual({ moveIds: [expect.any(Number)], names: [FIRST_NUMBER[version]], states: ['posted'] });
      const [invoiceId] = result.moveIds;
      const [{ journal_id: invoiceJournal }] = await kw<Row[]>(emu, 'account.move', 'read', [[invoiceId]], { fields: ['journal_id'] });
      const reversal = await kw<number>(emu, 'account.move.reversal', 'create', [{ journal_id: (invoiceJournal as [number, string])[0] }], { context: moveContext(invoiceId) });
      const action = await kw<Record<string, unknown>>(emu, 'account.move.reversal', 'modify_moves', [[reversal]], { context: moveContext(invoiceId) });
      const copyId = action.res_id as number;
      // The new draft is linked to the order through its lines (19 does not copy `invoice_origin`).
      const [{ invoice_ids }] = await kw<Row[]>(emu, 'sale.order', 'read', [[so]], { fields: ['invoice_ids'] });
      const moves = await kw<Row[]>(emu, 'account.move', 'search_read', [[['id', 'in', invoice_ids]]], { fields: ['move_type', 'state', 'name', 'payment_state', 'amount_total', 'invoice_origin'], order: 'id' });
      expect(moves.map((m) => [m.move_type, m.state, m.name, m.payment_state])).toEqual([
        ['out_invoice', 'posted', FIRST_NUMBER[version], 'reversed'], ['out_refund', 'posted', 'RINV/2026/00001', 'paid'], ['out_invoice', 'draft', DRAFT_NAME[version], 'not_paid'],
      ]);
      expect(moves[2].id).toBe(copyId);
      expect(moves[2].amount_total).toBe(1575.96);
      expect(moves.map((m) => m.invoice_origin)).toEqual(['S00025', 'S00025', version >= 19 ? false : 'S00025']);
    });

    it('the provisioned code server action renders the invoice PDF and attaches it; without wkhtmltopdf it fails as Odoo does', async () => {
      emu = await start(version);
      const so = await order(emu, version, true);
      const { moveIds: [invoiceId], names: [number] } = await invoiceSaleOrder((m, f, a, k) => kw(emu!, m, f, a, k), { version, saleOrderId: so });
      const [modelId] = await kw<number[]>(emu, 'ir.model', 'search', [[['model', '=', 'account.move']]]);
      const actionId = await kw<number>(emu, 'ir.actions.server', 'create', [{ name: 'Poleepo: invoice PDF', model_id: modelId, state: 'code', code: PDF_ACTION_CODE }]);
      expect(await kw(emu, 'ir.actions.server', 'run', [[actionId]], { context: moveContext(invoiceId) })).toBe(false);
      const [att] = await kw<Row[]>(emu, 'ir.attachment', 'search_read', [[['res_model', '=', 'account.move'], ['res_id', '=', invoiceId]]], { fields: ['name', 'mimetype', 'file_size', 'datas'] });
      const pdf = Buffer.from(att.datas as string, 'base64');
      expect(att).toMatchObject({ name: `${String(number).replace(/\//g, '_')}.pdf`, mimetype: 'application/pdf', file_size: pdf.length });
      const text = pdf.toString('latin1');
      expect(text.startsWith('%PDF-1.4')).toBe(true);
      expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
      for (const expected of [`(Invoice ${String(number)})`, '(2026-11-27)', '($ 1,370.40)', '($ 205.56)', '($ 1,575.96)', '(S00025)']) expect(text).toContain(expected);
      const xref = Number(/startxref\n(\d+)\n/.exec(text)![1]);
      expect(text.slice(xref, xref + 4)).toBe('xref');
      const [message] = await kw<Row[]>(emu, 'mail.message', 'search_read', [[['model', '=', 'account.move'], ['res_id', '=', invoiceId], ['attachment_ids', '!=', false]]], { fields: ['attachment_ids'] });
      expect(message.attachment_ids).toEqual([att.id]);
      // The method is private over RPC, as in Odoo.
      expect((await kwError(emu, 'ir.actions.report', '_render_qweb_pdf', [['account.account_invoices', [invoiceId]]])).name).toBe('odoo.exceptions.AccessError');

      emu.knobs.wkhtmltopdf = false;
      expect(await kwError(emu, 'ir.actions.server', 'run', [[actionId]], { context: moveContext(invoiceId) })).toMatchObject({ name: 'odoo.exceptions.UserError', message: NO_WKHTMLTOPDF });
      expect(NO_WKHTMLTOPDF).toBe('Unable to find Wkhtmltopdf on this system. The PDF can not be created.');
      // The control API turns it back on.
      const res = await fetch(`${emu.url}/__emulator/server`, { method: 'POST', body: JSON.stringify({ wkhtmltopdf: true }) });
      expect(await res.json()).toEqual({ wkhtmltopdf: true });
      expect(await kw(emu, 'ir.actions.server', 'run', [[actionId]], { context: moveContext(invoiceId) })).toBe(false);
      if (version === 19) {
        await fetch(`${emu.url}/__emulator/server`, { method: 'POST', body: JSON.stringify({ wkhtmltopdf: false }) });
        const answer = await json2(emu, 'ir.actions.server', 'run', { ids: [actionId], context: moveContext(invoiceId) });
        expect(answer.status).toBe(422);
        expect(answer.body).toMatchObject({ name: 'odoo.exceptions.UserError', message: NO_WKHTMLTOPDF });
      }
    });

    it('with calibrated service times, rendering the PDF takes what it takes on a real server (≈ 3.9 s)', async () => {
      const clock = new ManualClock('2026-11-27T10:00:00Z', true);
      emu = await startOdooEmulator({ version, clock, serviceTime: 'calibrated' });
      const so = await order(emu, version, true);
      const { moveIds: [invoiceId] } = await invoiceSaleOrder((m, f, a, k) => kw(emu!, m, f, a, k), { version, saleOrderId: so });
      const [modelId] = await kw<number[]>(emu, 'ir.model', 'search', [[['model', '=', 'account.move']]]);
      const actionId = await kw<number>(emu, 'ir.actions.server', 'create', [{ name: 'Poleepo: invoice PDF', model_id: modelId, state: 'code', code: PDF_ACTION_CODE }]);
      const before = emu.stats().serviceTimeMs;
      await kw(emu, 'ir.actions.server', 'run', [[actionId]], { context: moveContext(invoiceId) });
      expect(emu.stats().serviceTimeMs - before).toBeGreaterThanOrEqual(3900);
      expect(Math.max(...clock.slept)).toBeGreaterThanOrEqual(3900);
    });

    it('code returning the PDF in base64 (b64encode) answers it as the action, a draft rendered as "Draft Invoice"', async () => {
      emu = await start(version);
      const so = await order(emu, version, true);
      const { moveIds: [invoiceId] } = await invoiceSaleOrder((m, f, a, k) => kw(emu!, m, f, a, k), { version, saleOrderId: so, post: false });
      const [modelId] = await kw<number[]>(emu, 'ir.model', 'search', [[['model', '=', 'account.move']]]);
      const code = "report = env.ref('account.account_invoices')\npdf, kind = report._render_qweb_pdf(report.id, records.ids)\naction = {'kind': kind, 'size': len(pdf), 'pdf': b64encode(pdf).decode()}";
      const actionId = await kw<number>(emu, 'ir.actions.server', 'create', [{ name: 'PDF as base64', model_id: modelId, state: 'code', code }]);
      const answer = await kw<{ kind: string; size: number; pdf: string }>(emu, 'ir.actions.server', 'run', [[actionId]], { context: moveContext(invoiceId) });
      const pdf = Buffer.from(answer.pdf, 'base64');
      expect(answer).toMatchObject({ kind: 'pdf', size: pdf.length });
      expect(pdf.toString('latin1')).toContain('(Draft Invoice)');
    });
  });
}
