/**
 * Invoices exactly once (DESIGN §4.8), on both databases, through the real clients, worker and faults: a lost reply at
 * each step — the invoicing wizard's create_invoices, action_post, the PDF server action's run (Odoo commits, the
 * answer never arrives), Poleepo's document upload (stored, then 502) — makes no second invoice in Odoo, no second PDF,
 * no second document on Poleepo; Odoo without wkhtmltopdf is a plain-words stop on the row, not a task retried to
 * death; Poleepo's documents are imported into Odoo once, the connector's own uploads skipped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { invoicesWorld, type InvoicesWorld } from './invoices.fixture.ts';
import { dialects } from './helpers/db.ts';
import { eventually } from './helpers/wait.ts';
import { ALREADY_IN_ODOO, SENT_BY_CONNECTOR, documentMarker } from '../src/invoices/documents.importer.ts';
import type { InvoiceRow } from '../src/invoices/invoices.tables.ts';

let w: InvoicesWorld | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});

/** Runs Invoice Sync, then lets retries come due (the clock moves on) until the order's invoices are all sent. */
async function sentAfterRetries(world: InvoicesWorld, poleepoId: string, count = 1): Promise<InvoiceRow[]> {
  await world.invoices.sync.run(new AbortController().signal);
  return eventually(async () => {
    const rows = await world.rows(poleepoId);
    if (rows.length === count && rows.every((r) => r.step === 'sent') && !(await world.ctx.tasks.serialKeyInFlight(`invoices:${world.connectionId}:${poleepoId}`))) return rows;
    world.clock.advance(15_000);
    return null;
  }, 30_000, `the invoices of order ${poleepoId} to be sent`);
}

function requests(world: InvoicesWorld, key: string): number {
  return world.sandbox.stats.snapshot().endpoints[key]?.requests ?? 0;
}

/** The order's invoices and credit notes in Odoo, and the PDFs on each. */
function odooSide(world: InvoicesWorld, saleOrderId: number) {
  const moves = world.moves(saleOrderId);
  return { moves, pdfs: moves.map((m) => world.attachments('account.move', m.id).length) };
}

describe.each(dialects)('invoices exactly once, on %s', (dialect) => {
  it('lost replies from Odoo at create_invoices, action_post and the PDF action: one invoice, posted once, one PDF, one document', async () => {
    w = await invoicesWorld({ dialect, settings: { orders: { odooRequestTimeLimitMs: 5_000 } } });
    w.startWorker();
    const order = await w.importedOrder();
    await w.validateDelivery(order.saleOrderId);
    w.odoo.knobs.faults.add({ kind: 'drop-after-commit', model: 'sale.advance.payment.inv', method: 'create_invoices', count: 1 });
    w.odoo.knobs.faults.add({ kind: 'drop-after-commit', model: 'account.move', method: 'action_post', count: 1 });
    w.odoo.knobs.faults.add({ kind: 'drop-after-commit', model: 'ir.actions.server', method: 'run', count: 1 });
    const [row] = await sentAfterRetries(w, order.poleepoId);
    // The lost create was waited out (Odoo's time limit), then found by the order instead of being made again.
    expect(row).toMatchObject({ kind: 'INVOICE', origin: 'connector', recheck_at: null });
    expect(row!.create_sent_at).not.toBeNull();
    const { moves, pdfs } = odooSide(w, order.saleOrderId);
    expect(moves).toEqual([expect.objectContaining({ id: row!.move_id, state: 'posted', move_type: 'out_invoice' })]);
    expect(pdfs).toEqual([1]);
    expect(w.poleepoDocuments(order.poleepoId)).toHaveLength(1);
    expect(requests(w, 'documents.upload')).toBe(1);
  });

  it('a crash after Odoo made the invoice but before the connector recorded it: Invoice Sync resumes the row, adopts the draft, one invoice', async () => {
    w = await invoicesWorld({ dialect, policy: 'manual' });
    w.startWorker();
    const order = await w.importedOrder();
    await w.validateDelivery(order.saleOrderId);
    // What a process killed right after create_invoices leaves: the intent with create_sent_at, a draft no row knows.
    const now = w.clock.now();
    const id = await w.invoices.repo.insert({
      connection_id: w.connectionId, poleepo_order_id: order.poleepoId, sale_order_id: order.saleOrderId, sale_order_name: order.saleOrderName,
      kind: 'INVOICE', origin: 'connector', trigger: 'send', step: 'creating', open_key: 'INVOICE', create_sent_at: now, created_at: now, updated_at: now,
    });
    const [draft] = await w.invoiceByHand(order.saleOrderId, false);
    w.clock.advance(6 * 60_000);
    const [row] = await sentAfterRetries(w, order.poleepoId);
    expect(row).toMatchObject({ id, move_id: draft, origin: 'connector', step: 'sent' });
    expect(w.moves(order.saleOrderId)).toEqual([expect.objectContaining({ id: draft, state: 'posted' })]);
    expect(w.poleepoDocuments(order.poleepoId)).toHaveLength(1);
  });

  it('Poleepo stores the document but the reply is lost (502 after): the retry finds it by type and number, nothing sent twice', async () => {
    w = await invoicesWorld({ dialect });
    w.startWorker();
    const order = await w.importedOrder();
    await w.validateDelivery(order.saleOrderId);
    w.sandbox.faults.add({ endpoint: 'documents.upload', status: 502, after: true, count: 1 });
    const [row] = await sentAfterRetries(w, order.poleepoId);
    const docs = w.poleepoDocuments(order.poleepoId);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ id: row!.poleepo_document_id, type: 'INVOICE', number: row!.move_name });
    expect(requests(w, 'documents.upload')).toBe(1);
    expect(w.moves(order.saleOrderId)).toHaveLength(1);
  });

  it('a credit note whose creation reply is lost is made once and sent once', async () => {
    w = await invoicesWorld({ dialect, settings: { orders: { odooRequestTimeLimitMs: 5_000 } } });
    w.startWorker();
    const order = await w.importedOrder();
    await w.validateDelivery(order.saleOrderId);
    await sentAfterRetries(w, order.poleepoId);
    w.odoo.knobs.faults.add({ kind: 'drop-after-commit', model: 'account.move.reversal', method: 'refund_moves', count: 1 });
    w.setStatus(order.poleepoId, 'REFUNDED');
    await w.webhook(order.poleepoId, 'REFUNDED');
    await eventually(async () => (await w!.binding(order.poleepoId))?.poleepo_status === 'REFUNDED' && !(await w!.ctx.tasks.serialKeyInFlight(`order:${w!.connectionId}:${order.poleepoId}`)), 20_000, 'the refund to be imported');
    const rows = await sentAfterRetries(w, order.poleepoId, 2);
    expect(rows.map((r) => r.kind)).toEqual(['INVOICE', 'CREDIT_NOTE']);
    expect(w.moves(order.saleOrderId).filter((m) => m.move_type === 'out_refund')).toEqual([expect.objectContaining({ id: rows[1]!.move_id, state: 'posted' })]);
    expect(w.poleepoDocuments(order.poleepoId).map((d) => d.type)).toEqual(['INVOICE', 'CREDIT_NOTE']);
    // Credited, Odoo says "to invoice" again: the policy does not invoice a refunded order a second time.
    await w.syncNow();
    expect(w.moves(order.saleOrderId).map((m) => m.move_type)).toEqual(['out_invoice', 'out_refund']);
    expect(await w.rows(order.poleepoId)).toHaveLength(2);
  });

  it('Poleepo refuses the document (422): stopped with Poleepo\'s words, nothing stored, its task done; send again once fixed', async () => {
    w = await invoicesWorld({ dialect });
    w.startWorker();
    const order = await w.importedOrder();
    await w.validateDelivery(order.saleOrderId);
    w.sandbox.faults.add({ endpoint: 'documents.upload', status: 422, count: 1 });
    await w.syncNow();
    const [row] = await w.rows(order.poleepoId);
    expect(row).toMatchObject({ step: 'failed', failed_step: 'uploading', error_code: 'poleepo_refused', upload_sent_at: null, retry_at: null });
    expect(row!.error).toMatch(/^Poleepo refused invoice INV\/\d{4}\/\d+: .+\. Nothing was stored on Poleepo; fix it and send again\.$/);
    expect(w.poleepoDocuments(order.poleepoId)).toEqual([]);
    expect((await w.db.kysely.selectFrom('tasks').select('status').where('kind', '=', 'invoices.order').execute()).map((t) => t.status)).toEqual(['done']);
    await w.invoices.send(w.connectionId, order.poleepoId, 'test');
    await w.settled(order.poleepoId);
    expect((await w.rows(order.poleepoId))[0]).toMatchObject({ id: row!.id, step: 'sent' });
    expect(w.poleepoDocuments(order.poleepoId)).toHaveLength(1);
  });

  it('Odoo without wkhtmltopdf: the invoice stops with plain words (its task done, not retried to death); once installed, send finishes it', async () => {
    w = await invoicesWorld({ dialect });
    w.startWorker();
    w.odoo.knobs.wkhtmltopdf = false;
    const order = await w.importedOrder();
    await w.validateDelivery(order.saleOrderId);
    await w.syncNow();
    const [row] = await w.rows(order.poleepoId);
    expect(row).toMatchObject({ step: 'failed', failed_step: 'rendering', error_code: 'no_wkhtmltopdf', attachment_id: null, poleepo_document_id: null });
    expect(row!.error).toMatch(/^Odoo cannot make the PDF of invoice INV\/\d{4}\/\d+: wkhtmltopdf, the program Odoo prints PDFs with, is not installed on the Odoo server\. Install it there .* and restart Odoo/);
    expect(row!.retry_at).toBe(w.clock.now() + 3_600_000);
    const tasks = await w.db.kysely.selectFrom('tasks').select(['status', 'attempts']).where('kind', '=', 'invoices.order').execute();
    expect(tasks.every((t) => t.status === 'done' && Number(t.attempts) === 1)).toBe(true);
    expect(w.moves(order.saleOrderId)).toEqual([expect.objectContaining({ state: 'posted' })]); // made and posted: only the PDF is missing
    expect(w.poleepoDocuments(order.poleepoId)).toEqual([]);
    // Nothing is retried before the hour.
    await w.syncNow();
    expect((await w.rows(order.poleepoId))[0]!.step).toBe('failed');

    w.odoo.knobs.wkhtmltopdf = true;
    await w.invoices.send(w.connectionId, order.poleepoId, 'test');
    await w.settled(order.poleepoId);
    const [after] = await w.rows(order.poleepoId);
    expect(after).toMatchObject({ id: row!.id, step: 'sent', error: null, error_code: null, move_id: row!.move_id });
    expect(w.moves(order.saleOrderId)).toHaveLength(1);
    expect(w.poleepoDocuments(order.poleepoId)).toHaveLength(1);
  });

  it('documents from Poleepo: a waybill and an invoice made in Poleepo attached to the order (the waybill to its delivery too) with a note, once; the label shipping attached and the connector\'s own invoice are not imported again', async () => {
    w = await invoicesWorld({ dialect, policy: 'manual' });
    w.startWorker();
    // A delivery shipped with Poleepo: shipping attached its label; Poleepo holds the same file as a WAYBILL document.
    const d = await w.readyDelivery();
    await w.shipping.ship(w.connectionId, d.pickingName, { requestedBy: 'test' });
    const shipment = await w.waitForShipment(d.pickingId, ['ready']);
    // The connector's own invoice, and two documents Poleepo made itself (a courier's waybill booked in Poleepo, an invoice).
    await w.invoices.send(w.connectionId, d.poleepoId, 'test');
    await w.settled(d.poleepoId);
    const [invoice] = await w.rows(d.poleepoId);
    const pdf = Buffer.from('%PDF-1.4\n% made in Poleepo\n%%EOF\n');
    const waybill = w.sandbox.state.orders.addDocument(Number(d.poleepoId), { type: 'WAYBILL', number: 'GLS000777', date: '2026-03-02', file_name: 'waybill_GLS000777.pdf', content: pdf }, w.clock.now());
    const poleepoInvoice = w.sandbox.state.orders.addDocument(Number(d.poleepoId), { type: 'INVOICE', number: 'FT-2026-15', date: '2026-03-02', file_name: 'FT-2026-15.pdf', content: pdf }, w.clock.now());
    w.odoo.knobs.faults.add({ kind: 'drop-after-commit', model: 'sale.order', method: 'message_post', count: 1 });

    await w.syncNow();
    await eventually(async () => {
      const docs = await w!.documents(d.poleepoId);
      if (docs.length === 4 && docs.every((x) => x.step !== 'importing' && x.step !== 'failed')) return docs;
      w!.clock.advance(15_000);
      return null;
    }, 30_000, 'the documents to be imported');
    const docs = await w.documents(d.poleepoId);
    const byId = new Map(docs.map((x) => [x.poleepo_document_id, x]));
    const label = w.poleepoDocuments(d.poleepoId).find((x) => x.type === 'WAYBILL' && x.number === shipment.tracking_code)!;
    expect(byId.get(label.id)).toMatchObject({ step: 'done', note: ALREADY_IN_ODOO, message_id: null, picking_id: d.pickingId });
    expect(byId.get(invoice!.poleepo_document_id!)).toMatchObject({ step: 'skipped', note: SENT_BY_CONNECTOR, order_attachment_id: null });
    expect(byId.get(waybill.id)).toMatchObject({ step: 'done', type: 'WAYBILL', picking_id: d.pickingId });
    expect(byId.get(poleepoInvoice.id)).toMatchObject({ step: 'done', type: 'INVOICE', picking_id: null, picking_attachment_id: null });

    // Odoo: the label once (shipping's), each imported file once on the order, the waybill also on the delivery.
    const onOrder = w.attachments('sale.order', d.saleOrderId).map((a) => a.name).sort();
    expect(onOrder).toEqual(['FT-2026-15.pdf', shipment.label_file_name!, 'waybill_GLS000777.pdf'].sort());
    expect(w.attachments('stock.picking', d.pickingId).map((a) => a.name).sort()).toEqual([shipment.label_file_name!, 'waybill_GLS000777.pdf'].sort());
    const notes = w.chatter('sale.order', d.saleOrderId).map((m) => m.body).filter((b) => b.includes('Documento Poleepo'));
    expect(notes).toHaveLength(2);
    expect(notes.some((b) => b.includes(documentMarker(waybill.id)) && b.includes('Lettera di vettura GLS000777'))).toBe(true);
    expect(notes.some((b) => b.includes(documentMarker(poleepoInvoice.id)) && b.includes('Fattura FT-2026-15'))).toBe(true);

    // Again: nothing new.
    await w.invoices.queueDocuments(w.connectionId, d.poleepoId);
    await w.settled(d.poleepoId);
    expect(w.attachments('sale.order', d.saleOrderId)).toHaveLength(3);
    expect(w.chatter('sale.order', d.saleOrderId).filter((m) => m.body.includes('Documento Poleepo'))).toHaveLength(2);
    const listed = await w.invoices.poleepoDocuments(w.connectionId, d.poleepoId);
    expect(listed.map((x) => [x.type, x.state])).toEqual([['WAYBILL', 'imported'], ['INVOICE', 'sent'], ['WAYBILL', 'imported'], ['INVOICE', 'imported']]);
  });
});
