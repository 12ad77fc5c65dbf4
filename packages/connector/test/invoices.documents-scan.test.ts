/**
 * Documents from Poleepo added later to an order that does not change (DESIGN §4.8), on the Odoo emulator (17, 18, 19)
 * and the Poleepo sandbox through the real clients and worker: Invoice Sync's periodic scan of the last days' orders
 * finds them and imports each once (attached to the sale order, a waybill also to its delivery, one chatter note),
 * page by page, resting between scans, never beyond its window; "import documents now" does the same at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { invoicesWorld, type InvoicesWorld } from './invoices.fixture.ts';
import { documentMarker } from '../src/invoices/documents.importer.ts';

let w: InvoicesWorld | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});

const HOUR = 3_600_000;
const pdf = Buffer.from('%PDF-1.4\n% made in Poleepo\n%%EOF\n');

describe.each([17, 18, 19] as const)('documents scan on Odoo %i', (version) => {
  it('a document Poleepo adds later to an unchanged order is imported at the next scan, once; the scan rests between runs and goes page by page', async () => {
    w = await invoicesWorld({ dialect: 'sqlite', version, policy: 'manual', settings: { documentScan: { days: 30, everyMs: 6 * HOUR, ordersPerRun: 1 } } });
    w.startWorker();
    const first = await w.importedOrder();
    const second = await w.importedOrder();
    const delivery = await w.validateDelivery(second.saleOrderId);
    // The orders' own changes are seen (nothing to import), then they stop changing.
    await w.syncNow();
    await w.syncNow();
    w.clock.advance(HOUR);
    await w.syncNow();

    // Poleepo adds documents to both orders; neither order changes.
    const invoiceDoc = w.sandbox.state.orders.addDocument(Number(first.poleepoId), { type: 'INVOICE', number: 'FT-2026-31', date: '2026-03-02', file_name: 'FT-2026-31.pdf', content: pdf }, w.clock.now());
    const waybill = w.sandbox.state.orders.addDocument(Number(second.poleepoId), { type: 'WAYBILL', number: 'BRT0042', date: '2026-03-02', file_name: 'waybill_BRT0042.pdf', content: pdf }, w.clock.now());
    await w.syncNow();
    expect(await w.documents(first.poleepoId)).toEqual([]); // the scan is resting: its last pass ended under 6 hours ago
    expect(await w.documents(second.poleepoId)).toEqual([]);

    // Six hours on: the scan starts again, one order per run.
    w.clock.advance(6 * HOUR);
    await w.syncNow();
    const afterOne = [...(await w.documents(first.poleepoId)), ...(await w.documents(second.poleepoId))];
    expect(afterOne).toHaveLength(1);
    await w.syncNow();
    expect(await w.documents(first.poleepoId)).toEqual([expect.objectContaining({ poleepo_document_id: invoiceDoc.id, step: 'done', type: 'INVOICE', picking_id: null })]);
    expect(await w.documents(second.poleepoId)).toEqual([expect.objectContaining({ poleepo_document_id: waybill.id, step: 'done', type: 'WAYBILL', picking_id: delivery.pickingId })]);
    expect(w.attachments('sale.order', first.saleOrderId).map((a) => a.name)).toEqual(['FT-2026-31.pdf']);
    expect(w.attachments('sale.order', second.saleOrderId).map((a) => a.name)).toEqual(['waybill_BRT0042.pdf']);
    expect(w.attachments('stock.picking', delivery.pickingId).map((a) => a.name)).toEqual(['waybill_BRT0042.pdf']);
    const notes = (id: number) => w!.chatter('sale.order', id).filter((m) => m.body.includes('Documento Poleepo'));
    expect(notes(first.saleOrderId).map((m) => m.body)).toEqual([expect.stringContaining(`${documentMarker(invoiceDoc.id)} Fattura FT-2026-31`)]);
    expect(notes(second.saleOrderId).map((m) => m.body)).toEqual([expect.stringContaining(`${documentMarker(waybill.id)} Lettera di vettura BRT0042`)]);

    // Further scans (and "import documents now") find them imported: nothing attached or announced again.
    for (let i = 0; i < 3; i++) {
      w.clock.advance(6 * HOUR);
      await w.syncNow();
    }
    const now = await w.invoices.importDocumentsNow(w.connectionId);
    expect(now.orders.map((o) => o.poleepoOrderId).sort()).toEqual([first.poleepoId, second.poleepoId].sort());
    await w.settled(first.poleepoId);
    await w.settled(second.poleepoId);
    expect(w.attachments('sale.order', first.saleOrderId)).toHaveLength(1);
    expect(w.attachments('stock.picking', delivery.pickingId)).toHaveLength(1);
    expect(notes(first.saleOrderId)).toHaveLength(1);
    expect(notes(second.saleOrderId)).toHaveLength(1);
  });

  it('the scan keeps to its window (documentScan.days) and is off with 0 days; "import documents now" takes one order, refusing an unknown one', async () => {
    w = await invoicesWorld({ dialect: 'sqlite', version, policy: 'manual', settings: { documentScan: { days: 2, everyMs: 6 * HOUR, ordersPerRun: 50 } } });
    w.startWorker();
    const old = await w.importedOrder();
    await w.syncNow();
    w.clock.advance(HOUR); // past the change cursor's overlap: the order no longer counts as changed
    await w.syncNow();
    w.clock.advance(3 * 24 * HOUR); // the order is now older than the 2-day window
    const late = w.sandbox.state.orders.addDocument(Number(old.poleepoId), { type: 'INVOICE', number: 'FT-OLD', date: '2026-03-02', file_name: 'FT-OLD.pdf', content: pdf }, w.clock.now());
    await w.syncNow();
    w.clock.advance(7 * HOUR);
    await w.syncNow();
    expect(await w.documents(old.poleepoId)).toEqual([]);

    // A person imports it now, by its order.
    const { orders } = await w.invoices.importDocumentsNow(w.connectionId, ` ${old.poleepoId} `);
    expect(orders).toEqual([{ poleepoOrderId: old.poleepoId, taskId: expect.any(Number) }]);
    await w.settled(old.poleepoId);
    expect(await w.documents(old.poleepoId)).toEqual([expect.objectContaining({ poleepo_document_id: late.id, step: 'done' })]);
    await expect(w.invoices.importDocumentsNow(w.connectionId, '999999')).rejects.toThrow(/No Poleepo order 999999 on connection/);

    // Off: a new order with a later document is never scanned.
    await w.setSettings({ documentScan: { days: 0 } });
    const recent = await w.importedOrder();
    await w.syncNow();
    w.clock.advance(HOUR);
    await w.syncNow();
    w.sandbox.state.orders.addDocument(Number(recent.poleepoId), { type: 'INVOICE', number: 'FT-NEW', date: '2026-03-02', file_name: 'FT-NEW.pdf', content: pdf }, w.clock.now());
    w.clock.advance(7 * HOUR);
    await w.syncNow();
    expect(await w.documents(recent.poleepoId)).toEqual([]);
  });
});
