/**
 * Shipping: the connector's own time for one ship (DESIGN §6), excluding the time spent inside Odoo and Poleepo.
 * One ship = the checks in Odoo, the choices read from Poleepo, the intent recorded with its task, the shipping
 * created, the label fetched, attached to the picking and to the sale order, and the chatter note posted: what a
 * click on "Spedisci con Poleepo" costs until the label is in Odoo. Odoo emulator (18) and Poleepo sandbox in this
 * process on 127.0.0.1, SQLite in a temporary folder; every outbound call's duration is subtracted (the same meter
 * as the order import).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { packAndValidateDelivery, startOdooEmulator } from '@poleepo-odoo/odoo-emulator';
import { newSandboxClient, startPoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import { loadConfig } from '../src/config/env.ts';
import { createContext } from '../src/app/context.ts';
import { buildServices } from '../src/app/modules.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { measureImport } from '../src/orders/orders.timing.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { isQuick, reportSection } from './report.ts';

const SHIPS = Number(process.env.BENCH_SHIPS ?? (isQuick() ? 20 : 60));
const FIELDS: [string, string][] = [
  ['sale.order', 'x_poleepo_order_id'], ['sale.order', 'x_poleepo_status'], ['sale.order', 'x_poleepo_channel'], ['sale.order', 'x_poleepo_url'],
  ['stock.picking', 'x_poleepo_shipment_id'], ['stock.picking', 'x_poleepo_courier'], ['stock.picking', 'x_poleepo_status'], ['stock.picking', 'x_poleepo_requested'],
];

const dir = mkdtempSync(join(tmpdir(), 'bench-shipping-'));
const odoo = await startOdooEmulator({ version: 18 });
for (const [model, name] of FIELDS) {
  const [m] = odoo.call('ir.model', 'search_read', [[['model', '=', model]]], { fields: ['id'] }) as { id: number }[];
  odoo.call('ir.model.fields', 'create', [{ name, field_description: name, model_id: m!.id, ttype: 'char', state: 'manual', index: name === 'x_poleepo_order_id' }]);
}
odoo.call('account.tax', 'create', [{ name: 'IVA 22% incl.', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: 1, price_include_override: 'tax_included' }]);
// The sandbox's orders are in euros: so is the company (an order in another currency needs a pricelist in it).
const [eur] = odoo.call('res.currency', 'search', [[['name', '=', 'EUR']]], { context: { active_test: false } }) as number[];
odoo.call('res.currency', 'write', [[eur], { active: true }]);
odoo.call('res.company', 'write', [[1], { currency_id: eur }]);
const client = newSandboxClient();
const sandbox = await startPoleepoSandbox({ clients: [client] });
const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`, ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), LOG_LEVEL: 'silent' });
const ctx = await createContext(config, { migrate: true, logger: silentLogger });
const services = buildServices(ctx);
const connection = await new ConnectionsService(ctx).create({
  name: 'bench', odoo: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, companyId: 1 },
  poleepo: { baseUrl: sandbox.url, clientId: client.clientId, clientSecret: client.clientSecret },
});
await services.shipping.packageTypes.sync(connection.id);
await services.shipping.packageTypes.map(connection.id, 'Box', 'Scatola media');
const call = (model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>) => odoo.call(model, method, args, kwargs ?? {});
const signal = new AbortController().signal;
const task = { task: { id: 0, kind: 'orders.import', lane: 'orders', attempt: 1, maxAttempts: 1, connectionId: connection.id }, signal, logger: silentLogger, heartbeat: async () => undefined, yield: async () => undefined };

/** A confirmed imported order with its delivery packed in a box and validated. */
async function deliveryToShip(): Promise<number> {
  const order = sandbox.state.orders.create({ lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] }, Date.now());
  const outcome = await services.orders.runImportTask({ connectionId: connection.id, poleepoOrderId: String(order.id), trigger: 'cli' }, task);
  const [picking] = call('stock.picking', 'search_read', [[['sale_id', '=', outcome.saleOrderId]]], { fields: ['name'] }) as { id: number }[];
  await packAndValidateDelivery(call, { version: 18, pickingId: picking!.id, packages: [{ packageTypeId: 2, shippingWeight: 3.5 }] });
  return picking!.id;
}

const connector: number[] = [];
const external: number[] = [];
const total: number[] = [];
let calls = 0;
const wall = performance.now();
for (let i = 0; i < SHIPS; i++) {
  const pickingId = await deliveryToShip();
  const m = await measureImport(async () => {
    const { shipment } = await services.shipping.ship(connection.id, pickingId, { courier: 'BRT', requestedBy: 'bench' });
    return services.shipping.runner.run(shipment.id, signal);
  });
  if (m.value.step !== 'ready') throw new Error(`ship ${i} ended ${m.value.step}: ${m.value.error ?? ''}`);
  if (i >= 5) { // the first few warm the clients, caches and statements
    connector.push(m.connectorMs);
    external.push(m.externalMs);
    total.push(m.totalMs);
    calls += m.calls;
  }
}
const elapsed = performance.now() - wall;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const n = connector.length;
console.log(`ships measured: ${n} (after 5 warm-up), Odoo 18 emulator and Poleepo sandbox in process, SQLite`);
console.log(`connector's own time per ship: p50 ${pct(connector, 50).toFixed(2)} ms, p99 ${pct(connector, 99).toFixed(2)} ms`);
console.log(`inside Odoo and Poleepo per ship: p50 ${pct(external, 50).toFixed(2)} ms; total p50 ${pct(total, 50).toFixed(2)} ms`);
console.log(`outbound calls per ship: ${(calls / n).toFixed(1)}; connector share of a ship: ${(pct(connector, 50) / pct(total, 50) * 100).toFixed(0)} %`);
console.log(`whole run (with order imports and packing): ${(elapsed / 1000).toFixed(1)} s`);
reportSection(import.meta.url, {
  id: 'ship',
  title: 'Shipping: one ship',
  setup: `${n} ships (after 5 warm-up): checks in Odoo, choices from Poleepo, intent and task recorded, shipping created, label fetched and attached to the picking and the sale order, chatter note. Odoo emulator 18 and Poleepo sandbox in the bench's process (not calibrated: their time is subtracted), SQLite.`,
  figures: [
    { id: 'connector-p50', label: "Connector's own time per ship, p50", value: pct(connector, 50), unit: 'ms', limit: { label: 'time inside Odoo and Poleepo calls, p50', value: pct(external, 50), unit: 'ms' } },
    { id: 'connector-p99', label: "Connector's own time per ship, p99", value: pct(connector, 99), unit: 'ms' },
  ],
  notes: [`${(calls / n).toFixed(1)} outbound calls per ship.`],
});
await ctx.close();
await sandbox.stop();
await odoo.stop();
rmSync(dir, { recursive: true, force: true });
