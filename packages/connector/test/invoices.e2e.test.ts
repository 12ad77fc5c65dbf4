/**
 * Invoices from Odoo to Poleepo end to end (DESIGN §4.8), on the Odoo emulator (17, 18, 19) and the Poleepo sandbox
 * through the real clients and worker: each invoice policy (on delivery after the delivery is validated, on
 * confirmation, manual with `invoices send`, never), an invoice made in Odoo by hand picked up, a credit note when the
 * order is cancelled on Poleepo, the amounts sent equal to Odoo's to the cent, and the PDF made by the provisioned
 * server action.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { invoicesWorld, type InvoicesWorld } from './invoices.fixture.ts';
import { eventually } from './helpers/wait.ts';

let w: InvoicesWorld | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});

/** What the connector POSTed to Poleepo's documents endpoint, from the API log (bodies as logged, the file as its size). */
async function uploads(world: InvoicesWorld): Promise<Record<string, unknown>[]> {
  await world.ctx.apiLog.flush();
  const rows = await world.db.kysely.selectFrom('api_log').select(['request_body', 'status', 'method', 'path']).where('system', '=', 'poleepo').where('method', '=', 'POST').orderBy('id').execute();
  return rows.filter((r) => /\/orders\/\d+\/documents$/.test(r.path ?? '')).map((r) => JSON.parse(String(r.request_body)) as Record<string, unknown>);
}

describe.each([17, 18, 19] as const)('invoices on Odoo %i', (version) => {
  it('on delivery (the default): nothing before the delivery is validated; then invoiced, posted, its PDF made and sent with Odoo\'s amounts to the cent', async () => {
    w = await invoicesWorld({ dialect: 'sqlite', version });
    w.startWorker();
    const order = await w.importedOrder({ lines: [{ sku: 'E-COM07', quantity: 2, price: 300 }, { sku: 'FURN_0098', quantity: 1, price: 120.35 }] });
    await w.syncNow();
    expect(await w.rows(order.poleepoId)).toEqual([]);
    expect(w.moves(order.saleOrderId)).toEqual([]);

    await w.validateDelivery(order.saleOrderId);
    await w.syncNow();
    const [row] = await w.rows(order.poleepoId);
    expect(row).toMatchObject({ kind: 'INVOICE', origin: 'connector', trigger: 'on_delivery', step: 'sent', open_key: null });
    const moves = w.moves(order.saleOrderId);
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({ id: row!.move_id, state: 'posted', move_type: 'out_invoice', name: row!.move_name });
    expect(row!.move_name).toMatch(/^INV\/\d{4}\/\d+$/);

    // Poleepo has one INVOICE document with the number, date and the PDF Odoo made; the amounts are Odoo's.
    const docs = w.poleepoDocuments(order.poleepoId);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ type: 'INVOICE', number: row!.move_name, file_name: `${row!.move_name!.replace(/\//g, '_')}.pdf`, id: row!.poleepo_document_id });
    expect(docs[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(docs[0]!.date).toBe(moves[0]!.invoice_date);
    const [sent] = await uploads(w);
    expect(sent).toMatchObject({
      type: 'INVOICE', number: row!.move_name,
      amount_total: Math.round(moves[0]!.amount_total * 100) / 100, amount_untaxed: Math.round(moves[0]!.amount_untaxed * 100) / 100, amount_tax: Math.round(moves[0]!.amount_tax * 100) / 100,
    });
    // 2 × 300 + 120.35, VAT included as on the marketplace: Odoo's total is Poleepo's total, to the cent.
    expect(sent!.amount_total).toBe(720.35);
    expect(Number(sent!.amount_untaxed) + Number(sent!.amount_tax)).toBeCloseTo(720.35, 10);
    // The PDF is an attachment of the invoice in Odoo, made once.
    const pdfs = w.attachments('account.move', row!.move_id!);
    expect(pdfs).toEqual([expect.objectContaining({ name: row!.file_name, mimetype: 'application/pdf' })]);

    // A second sync changes nothing.
    await w.syncNow();
    expect(await w.rows(order.poleepoId)).toHaveLength(1);
    expect(w.moves(order.saleOrderId)).toHaveLength(1);
    expect(w.poleepoDocuments(order.poleepoId)).toHaveLength(1);
  });

  it('on confirmation: an order of products invoiced on ordered quantities is invoiced once confirmed, before any delivery', async () => {
    w = await invoicesWorld({ dialect: 'sqlite', version, policy: 'on_confirmation' });
    w.startWorker();
    const [variant] = w.odoo.call('product.product', 'search_read', [[['default_code', '=', 'E-COM07']]], { fields: ['product_tmpl_id'] }) as { product_tmpl_id: [number, string] }[];
    w.odoo.call('product.template', 'write', [[variant!.product_tmpl_id[0]], { invoice_policy: 'order' }]);
    const order = await w.importedOrder({ lines: [{ sku: 'E-COM07', quantity: 3, price: 99.99 }] });
    await w.syncNow();
    const [row] = await w.rows(order.poleepoId);
    expect(row).toMatchObject({ kind: 'INVOICE', origin: 'connector', trigger: 'on_confirmation', step: 'sent' });
    expect(w.moves(order.saleOrderId)).toEqual([expect.objectContaining({ id: row!.move_id, state: 'posted', amount_total: 299.97 })]);
    expect(w.poleepoDocuments(order.poleepoId).map((d) => d.number)).toEqual([row!.move_name]);
    const pickings = w.odoo.call('stock.picking', 'search_read', [[['sale_id', '=', order.saleOrderId]]], { fields: ['state'] }) as { state: string }[];
    expect(pickings.every((p) => p.state !== 'done')).toBe(true);
  });

  it('manual: nothing until "send", which invoices and sends once (a resend finds it on Poleepo, or sends it again when it is gone); never: nothing, and send is refused', async () => {
    w = await invoicesWorld({ dialect: 'sqlite', version, policy: 'manual' });
    w.startWorker();
    const order = await w.importedOrder();
    await w.validateDelivery(order.saleOrderId);
    await w.syncNow();
    expect(await w.rows(order.poleepoId)).toEqual([]);
    expect(w.moves(order.saleOrderId)).toEqual([]);

    await w.invoices.send(w.connectionId, order.poleepoId, 'test');
    await w.settled(order.poleepoId);
    const [row] = await w.rows(order.poleepoId);
    expect(row).toMatchObject({ trigger: 'send', step: 'sent' });
    expect(w.poleepoDocuments(order.poleepoId)).toHaveLength(1);
    // Again: nothing new in Odoo, nothing new on Poleepo.
    await w.invoices.send(w.connectionId, order.poleepoId, 'test');
    await w.settled(order.poleepoId);
    expect(w.moves(order.saleOrderId)).toHaveLength(1);
    expect(w.poleepoDocuments(order.poleepoId)).toHaveLength(1);
    // Removed on Poleepo: sent again, the same invoice.
    w.sandbox.state.orders.documents.delete(row!.poleepo_document_id!);
    await w.invoices.send(w.connectionId, order.poleepoId, 'test');
    await w.settled(order.poleepoId);
    const after = await w.rows(order.poleepoId);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ step: 'sent', move_id: row!.move_id });
    expect(w.poleepoDocuments(order.poleepoId).map((d) => [d.type, d.number, d.id])).toEqual([['INVOICE', row!.move_name, after[0]!.poleepo_document_id]]);

    // never ("none", its older name, still read): nothing made, nothing sent, and a person's send is refused.
    await w.setPolicy('none');
    expect((await w.orders.connections.get(w.connectionId)).view.settings.invoicePolicy).toBe('never');
    const second = await w.importedOrder();
    await w.validateDelivery(second.saleOrderId);
    await w.invoiceByHand(second.saleOrderId);
    await w.syncNow();
    expect(await w.rows(second.poleepoId)).toEqual([]);
    expect(w.poleepoDocuments(second.poleepoId)).toEqual([]);
    await expect(w.invoices.send(w.connectionId, second.poleepoId, 'test')).rejects.toThrow(/invoicePolicy "never"/);
  });

  it('an invoice made in Odoo by hand for an imported order is picked up and sent; a cancellation on Poleepo gets a credit note', async () => {
    w = await invoicesWorld({ dialect: 'sqlite', version, policy: 'manual' });
    w.startWorker();
    const order = await w.importedOrder();
    await w.syncNow();
    expect(await w.rows(order.poleepoId)).toEqual([]); // manual: nothing made by the connector

    await w.validateDelivery(order.saleOrderId);
    await w.syncNow();
    expect(await w.rows(order.poleepoId)).toEqual([]); // delivered, still nothing: the merchant invoices by hand
    const [moveId] = await w.invoiceByHand(order.saleOrderId);
    await w.syncNow();
    const [row] = await w.rows(order.poleepoId);
    expect(row).toMatchObject({ kind: 'INVOICE', origin: 'odoo', move_id: moveId, step: 'sent' });
    expect(w.poleepoDocuments(order.poleepoId).map((d) => [d.type, d.number])).toEqual([['INVOICE', row!.move_name]]);

    // Cancelled on Poleepo: the import flags it (it was invoiced); Invoice Sync makes, posts and sends a credit note.
    w.setStatus(order.poleepoId, 'CANCELED');
    await w.webhook(order.poleepoId, 'CANCELED');
    await eventually(async () => (await w!.binding(order.poleepoId))?.poleepo_status === 'CANCELED' && !(await w!.ctx.tasks.serialKeyInFlight(`order:${w!.connectionId}:${order.poleepoId}`)), 20_000, 'the cancellation to be imported');
    expect((await w.binding(order.poleepoId))!.flag).toMatch(/invoiced/);
    await w.syncNow();
    const rows = await w.rows(order.poleepoId);
    expect(rows.map((r) => [r.kind, r.step])).toEqual([['INVOICE', 'sent'], ['CREDIT_NOTE', 'sent']]);
    const credit = rows[1]!;
    expect(credit).toMatchObject({ origin: 'connector', trigger: 'cancel', reversed_move_id: moveId });
    const refund = w.moves(order.saleOrderId).find((m) => m.move_type === 'out_refund')!;
    expect(refund).toMatchObject({ id: credit.move_id, state: 'posted', reversed_entry_id: [moveId, expect.any(String)] });
    expect(w.poleepoDocuments(order.poleepoId).map((d) => [d.type, d.number])).toEqual([['INVOICE', row!.move_name], ['CREDIT_NOTE', credit.move_name]]);
    await w.syncNow();
    expect(w.moves(order.saleOrderId).filter((m) => m.move_type === 'out_refund')).toHaveLength(1);
  });
});
