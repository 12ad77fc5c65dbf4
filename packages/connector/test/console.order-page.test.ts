/**
 * The order page on the real import (Odoo emulator 18, Poleepo sandbox, worker): lines read from Poleepo with the
 * Odoo product each SKU matches, the customer and addresses, the sale order opening in Odoo, no Poleepo link for a
 * sandbox connection, the webhook messages and tasks that touched the order; the parked reason in Italian.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleApp } from '../src/console/console.app.tsx';
import type { Services } from '../src/app/modules.ts';
import { MISSING_OPEN } from '../src/console/i18n/i18n.ts';
import { ConsoleClient, PASSWORD } from './helpers/console.ts';
import { ordersWorld, type OrdersWorld } from './orders.fixture.ts';

const PRIVATE = { company: null, vat_number: null, sdi_code: null, pec: null, fiscal_code: null };
const customer = { ...PRIVATE, firstname: 'Marco', lastname: 'Rossi', email: 'marco.rossi@example.it', address: 'Via Verdi 3', postcode: '00184', city: 'Roma', state_iso: 'RM', country_iso: 'IT' };

let w: OrdersWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe('the order page', () => {
  it('shows lines with their Odoo product, customer and addresses, the sale order link, messages and tasks', async () => {
    w = await ordersWorld({ dialect: 'sqlite' });
    w.startWorker();
    const modules = { orders: w.orders, webhookQueue: w.webhookQueue } as unknown as Services;
    const app = createConsoleApp(w.ctx, { modules, clientIp: () => '127.0.0.1', timeZone: 'Europe/Rome' });
    await app.services.auth.users.create({ login: 'anna', password: PASSWORD, role: 'operator', lang: 'it' });
    await app.services.auth.users.create({ login: 'john', password: PASSWORD, role: 'operator', lang: 'en' });
    const anna = new ConsoleClient(app);
    await anna.login('anna', PASSWORD);
    const john = new ConsoleClient(app);
    await john.login('john', PASSWORD);

    const parkedPid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 2, price: 1300 }, { sku: 'NEW-SKU-1', quantity: 1, price: 12.5 }] });
    const messageId = await w.webhook(parkedPid);
    const parked = await w.waitFor(parkedPid, ['parked']);
    const okPid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    await w.webhook(okPid);
    const confirmed = await w.waitFor(okPid, ['confirmed']);

    const it = await (await anna.get(`/orders?id=${parked.id}`)).text();
    expect(it).not.toContain(MISSING_OPEN);
    expect(it).toContain('Righe');
    expect(it).toMatch(/<code>E-COM07<\/code>/);
    expect(it).toContain('2.600,00\u00a0€'); // the line total, in Italian
    expect(it).toContain(`href="${w.odoo.url}/odoo/product.product/17"`);
    expect(it).toContain('per riferimento interno');
    expect(it).toContain('Nessun prodotto in Odoo'); // NEW-SKU-1
    expect(it).toContain('Marco Rossi');
    expect(it).toContain('Via Verdi 3');
    expect(it).toContain('00184 Roma RM');
    expect(it).toContain('SKU sconosciuto &quot;NEW-SKU-1&quot;');
    expect(it).not.toContain('Unknown SKU');
    // The sandbox connection: no link to app.poleepo.cloud, where this order does not exist.
    expect(it).not.toContain('app.poleepo.cloud');
    expect(it).toContain(`href="/queue/${messageId}"`);
    const tasks = await w.ctx.tasks.list({ kind: 'orders.import' });
    const parkedTask = tasks.rows.find((t) => JSON.parse(t.payload).poleepoOrderId === parkedPid);
    expect(parkedTask).toBeDefined();
    expect(it).toContain(`href="/tasks/${parkedTask!.id}"`);

    const en = await (await john.get(`/orders?id=${confirmed.id}`)).text();
    expect(en).not.toContain(MISSING_OPEN);
    expect(en).toContain(`href="${w.odoo.url}/odoo/sale.order/${confirmed.sale_order_id}"`);
    expect(en).toContain('Sales order'); // Odoo's state "sale" in words
    expect(en).toContain('€300.00');
    expect(en).toContain('Delivery address');
    // The queue links the message to this order page.
    const queue = await (await john.get('/queue')).text();
    expect(queue).toContain(`<a href="/orders?id=${parked.id}">Order ${parkedPid}</a>`);
  });

  it('says plainly when Poleepo cannot be read, and still shows what the connector knows', async () => {
    w = await ordersWorld({ dialect: 'sqlite' });
    const modules = { orders: w.orders, webhookQueue: w.webhookQueue } as unknown as Services;
    const app = createConsoleApp(w.ctx, { modules, clientIp: () => '127.0.0.1', timeZone: 'Europe/Rome' });
    await app.services.auth.users.create({ login: 'john', password: PASSWORD, role: 'operator', lang: 'en' });
    const john = new ConsoleClient(app);
    await john.login('john', PASSWORD);
    const binding = await w.orders.repo.ensure(w.connectionId, '999999', w.clock.now());
    const html = await (await john.get(`/orders?id=${binding.id}`)).text();
    expect(html).toContain('The order could not be read from Poleepo just now');
    expect(html).toContain('Poleepo order 999999');
    expect(html).toContain('No webhook message about this order.');
  });
});
