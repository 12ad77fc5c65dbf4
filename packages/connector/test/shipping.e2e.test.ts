/**
 * Shipping with Poleepo end to end (DESIGN §4.7), on the Odoo emulator (17, 18, 19) and the Poleepo sandbox through
 * the real clients and worker: order imported → delivery packed and validated in Odoo → ship → label on the picking
 * and in the order's chatter → hand-over → IN_TRANSIT and DELIVERED with tracking back; refusals before any Poleepo
 * call; a courier refusing; lost replies at every side effect (one shipping, one attachment, one note); duplicated
 * and reordered STATUS_SHIPMENT; the Shipment Polling safety net; the Odoo button.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ShipRefusedError } from '../src/shipping/shipping.service.ts';
import { formatPickingRequest } from '../src/provisioning/provisioning.requests.ts';
import { ODOO_BOX, ODOO_PALLET, shippingWorld, type ShippingWorld } from './shipping.fixture.ts';
import { dialects } from './helpers/db.ts';
import { eventually } from './helpers/wait.ts';

let w: ShippingWorld | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});

/** Lets the worker's retries come due: the clock moves on while we wait for the condition. */
async function settle<T>(world: ShippingWorld, check: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  return eventually(async () => {
    const value = await check();
    if (!value) world.clock.advance(15_000);
    return value;
  }, 30_000, what);
}

function poleepoRequests(world: ShippingWorld, key: string): number {
  return world.sandbox.stats.snapshot().endpoints[key]?.requests ?? 0;
}

describe.each([17, 18, 19] as const)('shipping on Odoo %i', (version) => {
  it('ships an imported order: label on the picking and in the chatter, hand-over, tracking back to DELIVERED', async () => {
    w = await shippingWorld({ dialect: 'sqlite', version });
    w.startWorker();
    const d = await w.readyDelivery({ packages: [{ packageTypeId: ODOO_BOX, shippingWeight: 2.5 }, { packageTypeId: ODOO_BOX, shippingWeight: 4 }] });

    const preview = await w.shipping.preview(w.connectionId, d.pickingName);
    expect(preview.eligibility.ok).toBe(true);
    expect(preview.pickupAddresses.find((p) => p.is_default)?.name).toBe('Magazzino principale');
    expect(preview.carriers.map((c) => c.code)).toContain('BRT');
    expect(preview.carriers[0]!.services![0]!.price).toBeGreaterThan(0);

    const { shipment } = await w.shipping.ship(w.connectionId, d.pickingName, { courier: 'GLS', requestedBy: 'test' });
    expect(shipment.step).toBe('creating');
    const ready = await w.waitForShipment(d.pickingId, ['ready']);
    expect(ready).toMatchObject({ carrier: 'GLS Business Parcel', poleepo_status: 'LABEL_READY', cod_amount: 0 });
    expect(ready.tracking_code).toMatch(/^GLS\d+/);

    // Poleepo has one shipping for the order, with both parcels in their package type, dimensions in cm.
    const shippings = w.sandbox.state.shippings.list({ order: d.poleepoId });
    expect(shippings).toHaveLength(1);
    expect(shippings[0]!.parcels).toEqual([
      expect.objectContaining({ weight: 2.5, width: 36.2, height: 37.4, depth: 56.2 }),
      expect.objectContaining({ weight: 4, width: 36.2, height: 37.4, depth: 56.2 }),
    ]);

    // Odoo: the picking knows its shipment; the label is on it and posted in the sale order's chatter.
    expect(w.picking(d.pickingId)).toMatchObject({ x_poleepo_shipment_id: String(ready.poleepo_shipping_id), x_poleepo_courier: 'GLS Business Parcel', carrier_tracking_ref: ready.tracking_code, x_poleepo_status: 'LABEL_READY (Etichetta pronta)' });
    const onPicking = w.attachments('stock.picking', d.pickingId);
    expect(onPicking).toEqual([expect.objectContaining({ name: ready.label_file_name, mimetype: 'application/pdf' })]);
    const onOrder = w.attachments('sale.order', d.saleOrderId);
    expect(onOrder).toHaveLength(1);
    const notes = w.chatter('sale.order', d.saleOrderId).filter((m) => m.body.includes('Poleepo'));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.attachment_ids).toEqual([onOrder[0]!.id]);

    // Consegnato al corriere.
    await w.shipping.handOver(w.connectionId, d.pickingId, 'test');
    const handed = await w.waitForShipment(d.pickingId, ['shipped']);
    expect(handed.poleepo_status).toBe('HANDED_TO_CARRIER');
    expect(w.sandbox.state.shippings.shipping(handed.poleepo_shipping_id!).status).toBe('HANDED_TO_CARRIER');
    expect(w.sandbox.state.orders.order(d.poleepoId).status).toBe('SHIPPED');

    // The carrier moves the parcel; Poleepo tells us by webhook.
    for (const status of ['IN_TRANSIT', 'DELIVERED'] as const) {
      w.clock.advance(1000);
      w.sandbox.state.shippings.setStatus(handed.poleepo_shipping_id!, status, false, w.clock.now());
      await w.shipmentWebhook(handed.poleepo_shipping_id!, status);
      await eventually(async () => (await w!.shipping.repo.byPicking(w!.connectionId, d.pickingId))?.poleepo_status === status, 20_000, status);
    }
    const delivered = await w.waitForShipment(d.pickingId, ['done']);
    expect(delivered.delivered_at).not.toBeNull();
    expect(w.picking(d.pickingId).x_poleepo_status).toBe('DELIVERED (Consegnata)');
    const statusNotes = w.chatter('sale.order', d.saleOrderId).map((m) => m.body).filter((b) => b.includes(`Spedizione Poleepo ${handed.poleepo_shipping_id}:`));
    expect(statusNotes.map((b) => /: ([A-Z_]+)/.exec(b)?.[1])).toEqual(['HANDED_TO_CARRIER', 'IN_TRANSIT', 'DELIVERED']);
  });
});

describe.each(dialects)('shipping exactly once and its refusals, on %s', (dialect) => {
  it('refuses before any Poleepo call, naming the package: no type, unmapped type, not validated, not from Poleepo', async () => {
    w = await shippingWorld({ dialect });
    w.startWorker();
    await w.shipping.packageTypes.sync(w.connectionId);
    await w.shipping.packageTypes.map(w.connectionId, 'Box', 'Scatola media');
    const order = await w.importedOrder({ lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }, { sku: 'FURN_0098', quantity: 1, price: 120 }] });
    const delivery = await w.validateDelivery(order.saleOrderId, [{ packageTypeId: false, shippingWeight: 1 }, { packageTypeId: ODOO_PALLET, shippingWeight: 50 }]);
    const before = JSON.stringify(w.sandbox.stats.snapshot().endpoints);
    const refusal = await w.shipping.ship(w.connectionId, delivery.pickingName, { requestedBy: 'test' }).then(() => null, (e: unknown) => e);
    expect(refusal).toBeInstanceOf(ShipRefusedError);
    const problems = (refusal as ShipRefusedError).problems;
    expect(problems.map((p) => p.code)).toEqual(['PACKAGE_WITHOUT_TYPE', 'TYPE_NOT_MAPPED']);
    expect(problems[1]!.message).toMatch(/package type "Pallet", which is not mapped to a Poleepo package type/);
    expect(JSON.stringify(w.sandbox.stats.snapshot().endpoints)).toBe(before); // not one request to Poleepo
    expect(await w.shipping.repo.byPicking(w.connectionId, delivery.pickingId)).toBeUndefined();

    // A delivery not validated yet, and one of an order made in Odoo by hand.
    const second = await w.importedOrder();
    const [open] = w.odoo.call('stock.picking', 'search_read', [[['sale_id', '=', second.saleOrderId]]], { fields: ['name'] }) as { name: string }[];
    await expect(w.shipping.ship(w.connectionId, open!.name, { requestedBy: 'test' })).rejects.toThrow(/is not validated yet/);
    w.odoo.call('sale.order', 'write', [[second.saleOrderId], { x_poleepo_order_id: false }]);
    await expect(w.shipping.ship(w.connectionId, open!.name, { requestedBy: 'test' })).rejects.toThrow(/was not imported from Poleepo/);
    expect(poleepoRequests(w, 'shippings.create')).toBe(0);
  });

  it('a courier refusing (422): nothing created, the reason kept; shipping again with another courier works', async () => {
    w = await shippingWorld({ dialect });
    w.startWorker();
    const d = await w.readyDelivery();
    w.sandbox.state.shippings.refuse(w.sandbox.state.shippings.carrierByRef('BRT'), 1, 'BRT non ritira a questo indirizzo');
    await w.shipping.ship(w.connectionId, d.pickingId, { courier: 'BRT', requestedBy: 'test' });
    const refused = await w.waitForShipment(d.pickingId, ['refused']);
    expect(refused.error).toContain('BRT non ritira a questo indirizzo');
    expect(w.sandbox.state.shippings.list({ order: d.poleepoId })).toHaveLength(0);
    expect(w.picking(d.pickingId).x_poleepo_shipment_id).toBeFalsy();

    await w.shipping.ship(w.connectionId, d.pickingId, { courier: 'SDA', service: 'STANDARD', requestedBy: 'test' });
    const ready = await w.waitForShipment(d.pickingId, ['ready']);
    expect(ready.carrier).toBe('SDA Standard');
    expect(w.sandbox.state.shippings.list({ order: d.poleepoId })).toHaveLength(1);
  });

  it('Poleepo creates the shipping but the reply is lost: the retry finds it, nothing is created twice', async () => {
    w = await shippingWorld({ dialect });
    w.startWorker();
    const d = await w.readyDelivery({ cod: true });
    w.sandbox.faults.add({ endpoint: 'shippings.create', status: 502, after: true, count: 1 });
    await w.shipping.ship(w.connectionId, d.pickingName, { requestedBy: 'test' });
    const ready = await settle(w, async () => {
      const s = await w!.shipping.repo.byPicking(w!.connectionId, d.pickingId);
      return s?.step === 'ready' ? s : null;
    }, 'the shipment to be ready after the lost reply');
    const shippings = w.sandbox.state.shippings.list({ order: d.poleepoId });
    expect(shippings).toHaveLength(1);
    expect(ready.poleepo_shipping_id).toBe(shippings[0]!.id);
    // Cash on delivery carried over from the Poleepo order (the sandbox refuses a mismatch).
    expect(ready.cod_amount).toBe(w.sandbox.state.orders.order(d.poleepoId).cash_on_delivery);
    expect(shippings[0]!.cod_amount).toBe(ready.cod_amount);
    expect(poleepoRequests(w, 'shippings.create')).toBe(1);
  });

  it('lost replies while attaching the label and posting the note, and a double click: one attachment each, one note', async () => {
    w = await shippingWorld({ dialect });
    w.startWorker();
    const d = await w.readyDelivery();
    w.odoo.knobs.faults.add({ kind: 'drop-after-commit', model: 'ir.attachment', method: 'create', count: 1 });
    w.odoo.knobs.faults.add({ kind: 'drop-after-commit', model: 'sale.order', method: 'message_post', count: 1 });
    const [first, second] = await Promise.all([
      w.shipping.ship(w.connectionId, d.pickingName, { requestedBy: 'operator-a' }),
      w.shipping.ship(w.connectionId, d.pickingName, { requestedBy: 'operator-b' }).catch((e: unknown) => e),
    ]);
    // The second click either joined the first request or was told it is in progress: never a second shipment.
    if (!(second instanceof Error)) expect((second as typeof first).shipment.id).toBe(first.shipment.id);
    else expect(second.message).toMatch(/being shipped right now/);
    await settle(w, async () => (await w!.shipping.repo.byPicking(w!.connectionId, d.pickingId))?.step === 'ready', 'the label to be in Odoo');
    await w.shipping.ship(w.connectionId, d.pickingName, { requestedBy: 'operator-c' }).then(() => expect.unreachable(), (e: unknown) => expect(String(e)).toMatch(/already shipped/));
    expect(w.sandbox.state.shippings.list({ order: d.poleepoId })).toHaveLength(1);
    expect(w.attachments('stock.picking', d.pickingId)).toHaveLength(1);
    expect(w.attachments('sale.order', d.saleOrderId)).toHaveLength(1);
    expect(w.chatter('sale.order', d.saleOrderId).filter((m) => m.body.includes('Etichetta Poleepo'))).toHaveLength(1);
  });

  it('duplicated and reordered STATUS_SHIPMENT never move a status backwards nor repeat a note; Shipment Polling catches what webhooks missed', async () => {
    w = await shippingWorld({ dialect });
    w.startWorker();
    const d = await w.readyDelivery();
    await w.shipping.ship(w.connectionId, d.pickingName, { requestedBy: 'test' });
    const ready = await w.waitForShipment(d.pickingId, ['ready']);
    const sid = ready.poleepo_shipping_id!;
    await w.shipping.handOver(w.connectionId, d.pickingName, 'test');
    await w.waitForShipment(d.pickingId, ['shipped']);

    // Delivered on Poleepo, but the webhooks arrive late, twice, and in the wrong order.
    w.clock.advance(1000);
    w.sandbox.state.shippings.setStatus(sid, 'IN_TRANSIT', false, w.clock.now());
    w.clock.advance(1000);
    w.sandbox.state.shippings.setStatus(sid, 'DELIVERED', false, w.clock.now());
    await w.shipmentWebhook(sid, 'DELIVERED', 'e-delivered');
    await w.waitForShipment(d.pickingId, ['done']);
    await w.shipmentWebhook(sid, 'IN_TRANSIT', 'e-transit');
    await w.shipmentWebhook(sid, 'IN_TRANSIT', 'e-transit'); // a retry of the same delivery: deduplicated at intake
    await w.shipmentWebhook(sid, 'DELIVERED', 'e-delivered-again');
    await eventually(async () => !(await w!.ctx.tasks.serialKeyInFlight(`shipment:${ready.id}`)) && (await w!.webhookQueue.repo.list({ connectionId: w!.connectionId, event: 'STATUS_SHIPMENT', limit: 50 })).rows.every((m) => m.status === 'done'), 20_000, 'the webhooks to be processed');
    const after = (await w.shipping.repo.byPicking(w.connectionId, d.pickingId))!;
    expect(after).toMatchObject({ step: 'done', poleepo_status: 'DELIVERED' });
    expect(w.picking(d.pickingId).x_poleepo_status).toBe('DELIVERED (Consegnata)');
    const notes = w.chatter('sale.order', d.saleOrderId).map((m) => m.body).filter((b) => b.includes(`Spedizione Poleepo ${sid}:`));
    expect(notes.map((b) => /: ([A-Z_]+)/.exec(b)?.[1])).toEqual(['HANDED_TO_CARRIER', 'DELIVERED']);

    // A second delivery whose STATUS_SHIPMENT never arrives: Shipment Polling re-reads it.
    const e = await w.readyDelivery();
    await w.shipping.ship(w.connectionId, e.pickingName, { requestedBy: 'test' });
    const second = await w.waitForShipment(e.pickingId, ['ready']);
    await w.shipping.handOver(w.connectionId, e.pickingName, 'test');
    await w.waitForShipment(e.pickingId, ['shipped']);
    w.clock.advance(1000);
    w.sandbox.state.shippings.setStatus(second.poleepo_shipping_id!, 'IN_TRANSIT', false, w.clock.now());
    const polled = await w.shipping.polling.run(new AbortController().signal);
    expect(polled.synced).toBe(1);
    await eventually(async () => (await w!.shipping.repo.byPicking(w!.connectionId, e.pickingId))?.poleepo_status === 'IN_TRANSIT', 20_000, 'polling to apply IN_TRANSIT');
  });

  it('"Consegnato al corriere" pressed in Odoo: Shipment Polling hands the parcel over once', async () => {
    w = await shippingWorld({ dialect });
    w.startWorker();
    const d = await w.readyDelivery();
    await w.shipping.ship(w.connectionId, d.pickingName, { requestedBy: 'test' });
    const ready = await w.waitForShipment(d.pickingId, ['ready']);
    // What the provisioned button's server action writes (provisioning.actions.ts).
    w.odoo.call('stock.picking', 'write', [[d.pickingId], { x_poleepo_requested: formatPickingRequest({ action: 'courier', at: w.clock.now(), uid: 2 }) }]);
    const first = await w.shipping.polling.run(new AbortController().signal);
    expect(first.handovers).toBe(1);
    await w.waitForShipment(d.pickingId, ['shipped']);
    expect(w.sandbox.state.shippings.shipping(ready.poleepo_shipping_id!).status).toBe('HANDED_TO_CARRIER');
    const again = await w.shipping.polling.run(new AbortController().signal);
    expect(again.handovers).toBe(0);
    expect(poleepoRequests(w, 'shippings.updateStatus')).toBe(1);

    // A second press in the very second of the last read (no clock move): still seen (real Odoo 19 turns
    // `write_date > S` into `>= S + 1 s`, so a strict comparison on the cursor lost it).
    const e = await w.readyDelivery();
    await w.shipping.ship(w.connectionId, e.pickingName, { requestedBy: 'test' });
    await w.waitForShipment(e.pickingId, ['ready']);
    await w.shipping.polling.run(new AbortController().signal);
    w.odoo.call('stock.picking', 'write', [[e.pickingId], { x_poleepo_requested: formatPickingRequest({ action: 'courier', at: w.clock.now(), uid: 2 }) }]);
    expect((await w.shipping.polling.run(new AbortController().signal)).handovers).toBe(1);
    await w.waitForShipment(e.pickingId, ['shipped']);
  });

  it('STATUS_SHIPMENT messages kept as "received" before shipping existed are processed by the queue sweep', async () => {
    w = await shippingWorld({ dialect });
    w.startWorker();
    const d = await w.readyDelivery();
    await w.shipping.ship(w.connectionId, d.pickingName, { requestedBy: 'test' });
    const ready = await w.waitForShipment(d.pickingId, ['ready']);
    w.sandbox.state.shippings.setStatus(ready.poleepo_shipping_id!, 'HANDED_TO_CARRIER', false, w.clock.now());
    // As an older connector left it: stored, marked received, no task.
    const id = await w.shipmentWebhook(ready.poleepo_shipping_id!, 'HANDED_TO_CARRIER');
    await eventually(async () => (await w!.webhookQueue.repo.get(id))?.status === 'done', 20_000, 'first processing');
    await w.db.kysely.updateTable('webhook_messages').set({ status: 'received', note: 'Kept as received' }).where('id', '=', id).execute();
    await w.db.kysely.updateTable('shipments').set({ poleepo_status: 'LABEL_READY', status_rank: 2, step: 'ready' }).where('id', '=', ready.id).execute();
    const swept = await w.webhookQueue.sweep();
    expect(swept.resumed).toBe(1);
    await eventually(async () => (await w!.shipping.repo.byPicking(w!.connectionId, d.pickingId))?.poleepo_status === 'HANDED_TO_CARRIER', 20_000, 'the kept message to be acted on');
    await eventually(async () => (await w!.webhookQueue.repo.get(id))?.status === 'done', 20_000, 'the kept message to be marked done');
  });
});
