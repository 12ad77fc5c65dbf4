/**
 * The console's shipping pages on the real ship flow (Odoo emulator, Poleepo sandbox, real services and worker): the
 * page Odoo's "Spedisci con Poleepo" button opens, the ship form and its POST, the shipment box refreshing itself
 * while the label is made, the label download, the hand-over; refusals in plain words before any Poleepo call; the
 * deliveries list (and its plain error box when Odoo cannot be read); package types (operators look, administrators
 * map and synchronise); both languages, with numbers in each language's format.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConsoleApp, type ConsoleApp } from '../src/console/console.app.tsx';
import type { Services } from '../src/app/modules.ts';
import type { Role } from '../src/auth/auth.roles.ts';
import { MISSING_OPEN } from '../src/console/i18n/i18n.ts';
import { ConsoleClient, PASSWORD } from './helpers/console.ts';
import { ODOO_BOX, ODOO_PALLET, shippingWorld, type ShippingWorld } from './shipping.fixture.ts';

let w: ShippingWorld | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await w?.close();
  w = null;
});

interface Setup {
  world: ShippingWorld;
  app: ConsoleApp;
  as(role: Role, lang?: 'it' | 'en'): Promise<ConsoleClient>;
}

let logins = 0;

/** The shipping world with the console in front of it (only the services these pages use). */
async function setup(): Promise<Setup> {
  const world = await shippingWorld({ dialect: 'sqlite' });
  w = world;
  world.startWorker();
  const modules = { shipping: world.shipping, orders: world.orders, webhookQueue: world.webhookQueue } as unknown as Services;
  const app = createConsoleApp(world.ctx, { modules, clientIp: () => '127.0.0.1', timeZone: 'Europe/Rome' });
  return {
    world, app,
    async as(role, lang = 'en') {
      const login = `${role}${++logins}`;
      await app.services.auth.users.create({ login, password: PASSWORD, role, lang });
      const client = new ConsoleClient(app);
      await client.login(login, PASSWORD);
      return client;
    },
  };
}

async function html(client: ConsoleClient, path: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await client.get(path, headers);
  expect(res.status, path).toBe(200);
  const text = await res.text();
  expect(text, path).not.toContain(MISSING_OPEN);
  return text;
}

function creates(world: ShippingWorld): number {
  return world.sandbox.stats.snapshot().endpoints['shippings.create']?.requests ?? 0;
}

describe('console shipping pages', () => {
  it('opens the delivery the Odoo button opens, ships it with the chosen pickup and courier, shows the label and hands it over', async () => {
    const { world, as } = await setup();
    const d = await world.readyDelivery({ packages: [{ packageTypeId: ODOO_BOX, shippingWeight: 2.5 }, { packageTypeId: ODOO_BOX, shippingWeight: 4 }] });
    const operator = await as('operator');
    const page = `/shipping/picking/${d.pickingId}?connection=shop`;

    const before = await html(operator, page);
    expect(before).toContain(`Delivery ${d.pickingName}`);
    expect(before).toContain(d.poleepoId);
    expect(before).toMatch(/PACK\d+/);
    expect(before).toContain('2.5 kg');
    expect(before).toContain('Scatola media');
    expect(before).toContain('36.2 × 37.4 × 56.2 cm');
    // Pickup addresses as radios, Poleepo's default chosen; couriers and services with their price.
    expect(before).toMatch(/<input type="radio" name="pickup" value="1" checked="" required=""/);
    expect(before).toContain('Magazzino principale');
    expect(before).toContain('Deposito Bologna');
    expect(before).toContain('BRT Bartolini');
    expect(before).toContain('value="2:BUSINESS"');
    expect(before).toMatch(/€\d+\.\d{2}/);
    expect(before).toContain(`action="/shipping/picking/${d.pickingId}/ship"`);
    expect(before).toContain('Ship with Poleepo');
    expect(before).not.toContain('id="shipment"');

    // Without the worker, the shipment waits at "creating": the box polls its fragment route.
    await world.stopWorker();
    const shipped = await operator.post(`/shipping/picking/${d.pickingId}/ship`, { connection: 'shop', pickup: '2', courier: '2:BUSINESS' });
    expect(shipped.status).toBe(303);
    expect(shipped.headers.get('Location')).toBe(page);
    const waiting = await html(operator, page);
    expect(waiting).toContain('shipment requested');
    expect(waiting).toContain(`hx-get="/shipping/picking/${d.pickingId}/status?connection=shop"`);
    expect(waiting).toContain('hx-trigger="every 2s"');
    expect(waiting).toContain('Being created');
    expect(waiting).not.toContain(`action="/shipping/picking/${d.pickingId}/ship"`);
    const fragment = await html(operator, `/shipping/picking/${d.pickingId}/status?connection=shop`, { 'HX-Request': 'true' });
    expect(fragment.startsWith('<section id="shipment"')).toBe(true);
    expect(fragment).toContain('hx-trigger="every 2s"');
    // A second click is the same shipment, not a second one.
    expect((await operator.post(`/shipping/picking/${d.pickingId}/ship`, { connection: 'shop', pickup: '2', courier: '2:BUSINESS' })).status).toBe(303);

    world.startWorker();
    const ready = await world.waitForShipment(d.pickingId, ['ready']);
    expect(JSON.parse(ready.request)).toMatchObject({ pickupAddressId: 2, carrierCode: 'GLS', service: 'BUSINESS', requestedBy: expect.stringMatching(/^operator/) });
    expect(world.sandbox.state.shippings.list({ order: d.poleepoId })).toHaveLength(1);
    const done = await html(operator, `/shipping/picking/${d.pickingId}/status?connection=shop`, { 'HX-Request': 'true' });
    expect(done).not.toContain('hx-trigger');
    expect(done).toContain(ready.tracking_code!);
    expect(done).toContain(`href="/shipping/shipments/${ready.id}/label"`);
    expect(done).toContain('Label ready');
    expect(done).toContain('GLS Business Parcel');
    expect(done).toContain('>Handed to courier</button>');

    const label = await operator.get(`/shipping/shipments/${ready.id}/label`);
    expect(label.status).toBe(200);
    expect(label.headers.get('Content-Type')).toBe('application/pdf');
    expect(label.headers.get('Content-Disposition')).toMatch(/^attachment; filename="[\w.\- ]+\.pdf"/);
    expect(Buffer.from(await label.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await operator.get('/shipping/shipments/999999/label')).status).toBe(404);

    const handed = await operator.post(`/shipping/picking/${d.pickingId}/handover`, { connection: 'shop', back: page });
    expect(handed.status).toBe(303);
    expect(handed.headers.get('Location')).toBe(page);
    const leaving = await html(operator, page);
    expect(leaving).toContain('hand-over sent to Poleepo');
    const left = await world.waitForShipment(d.pickingId, ['shipped']);
    expect(left.poleepo_status).toBe('HANDED_TO_CARRIER');
    const after = await html(operator, page);
    expect(after).toContain('Handed to courier');
    expect(after).toContain('Shipped');
    expect(after).not.toContain('hx-trigger');

    // In Italian: Poleepo's own words for its statuses, the step in Italian.
    const italiano = await as('operator', 'it');
    const it = await html(italiano, page);
    expect(it).toContain(`Consegna ${d.pickingName}`);
    expect(it).toContain('<span class="poleepo-status">Consegnato al corriere</span>');
    expect(it).toContain('Spedita');
    expect(it).toContain('2,5 kg');
    expect(it).toContain('Aggiorna da Poleepo');

    // The refresh asks Poleepo again (a sync task), and comes back to the page.
    const refreshed = await operator.post(`/shipping/picking/${d.pickingId}/refresh`, { connection: 'shop' });
    expect(refreshed.headers.get('Location')).toBe(page);
    expect((await world.ctx.tasks.list({ kind: 'shipping.sync' })).total).toBeGreaterThanOrEqual(1);
  });

  it('says every reason a delivery cannot ship, in plain words and in both languages, and sends nothing to Poleepo', async () => {
    const { world, as } = await setup();
    await world.shipping.packageTypes.sync(world.connectionId);
    await world.shipping.packageTypes.map(world.connectionId, String(ODOO_BOX), 'Scatola media');
    const order = await world.importedOrder({ lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }, { sku: 'FURN_0098', quantity: 1, price: 120 }] });
    const delivery = await world.validateDelivery(order.saleOrderId, [{ packageTypeId: false, shippingWeight: 1 }, { packageTypeId: ODOO_PALLET, shippingWeight: 50 }]);
    const page = `/shipping/picking/${delivery.pickingId}?connection=shop`;

    const operator = await as('operator');
    const en = await html(operator, page);
    expect(en).toContain('Cannot ship with Poleepo yet');
    expect(en).toMatch(/Package PACK\d+ has no package type: set one in Odoo/);
    expect(en).toMatch(/Package PACK\d+ has package type &quot;Pallet&quot;, which is not mapped to a Poleepo package type/);
    expect(en).toContain('href="/package-types"');
    expect(en).not.toContain(`action="/shipping/picking/${delivery.pickingId}/ship"`);

    const italiano = await as('operator', 'it');
    const it = await html(italiano, page);
    expect(it).toContain('Non si può ancora spedire con Poleepo');
    expect(it).toMatch(/Il collo PACK\d+ non ha un tipo di collo/);
    expect(it).toContain('non è associato a un tipo di collo Poleepo');

    // Posting anyway (a stale form) is refused before any call to Poleepo, and says so.
    const res = await operator.post(`/shipping/picking/${delivery.pickingId}/ship`, { connection: 'shop', pickup: '1', courier: '1:STANDARD' });
    expect(res.headers.get('Location')).toBe(page);
    expect(await html(operator, page)).toContain('the delivery cannot ship yet');
    expect(creates(world)).toBe(0);
    expect(await world.shipping.repo.byPicking(world.connectionId, delivery.pickingId)).toBeUndefined();

    // An unknown delivery, an unknown connection, and a page without ?connection= (the only one is taken).
    expect((await operator.get('/shipping/picking/999999?connection=shop')).status).toBe(404);
    expect(await html(operator, `/shipping/picking/${delivery.pickingId}?connection=nowhere`)).toContain('There is no connection &quot;nowhere&quot;');
    expect(await html(operator, `/shipping/picking/${delivery.pickingId}`)).toContain('Cannot ship with Poleepo yet');
  });

  it('lists the deliveries of imported orders with their shipping state, filters them, and shows a plain error when Odoo cannot be read', async () => {
    const { world, as } = await setup();
    const ready = await world.readyDelivery();
    const other = await world.importedOrder();
    const operator = await as('operator');

    const list = await html(operator, '/shipping');
    expect(list).toContain(`href="/shipping/picking/${ready.pickingId}?connection=shop"`);
    expect(list).toContain('Ready to ship');
    expect(list).toContain('To validate');
    expect(list).toContain(other.saleOrderName);
    const filtered = await html(operator, '/shipping?state=readyToShip');
    expect(filtered).toContain(ready.pickingName);
    expect(filtered).not.toContain('To validate</span>');
    const searched = await html(operator, `/shipping?q=${encodeURIComponent(other.saleOrderName)}`);
    expect(searched).not.toContain(`>${ready.pickingName}<`);

    await world.shipping.ship(world.connectionId, ready.pickingId, { requestedBy: 'test' });
    const s = await world.waitForShipment(ready.pickingId, ['ready']);
    const labelled = await html(operator, '/shipping?state=labelReady');
    expect(labelled).toContain(s.tracking_code!);
    expect(labelled).toContain(`href="/shipping/shipments/${s.id}/label"`);
    expect(labelled).toContain(`aria-label="Handed to courier: ${ready.pickingName}"`);
    const back = '/shipping?state=labelReady';
    const res = await operator.post(`/shipping/picking/${ready.pickingId}/handover`, { connection: 'shop', back });
    expect(res.headers.get('Location')).toBe(back);
    // Never back to another site.
    const evil = await operator.post(`/shipping/picking/${ready.pickingId}/handover`, { connection: 'shop', back: 'https://evil.example/' });
    expect(evil.headers.get('Location')).toBe(`/shipping/picking/${ready.pickingId}?connection=shop`);
    await world.waitForShipment(ready.pickingId, ['shipped']);

    vi.spyOn(world.shipping, 'deliveries').mockRejectedValue(new Error('connect ECONNREFUSED 127.0.0.1:8069'));
    const down = await html(operator, '/shipping');
    expect(down).toContain('Could not read the deliveries of shop from Odoo: connect ECONNREFUSED 127.0.0.1:8069');
    expect(down).toContain('Recent shipments');
    expect(down).toContain(ready.pickingName);
    expect(down).toContain(s.tracking_code!);
    const giù = await html(await as('operator', 'it'), '/shipping');
    expect(giù).toContain('Impossibile leggere da Odoo le consegne di shop');
    expect(giù).toContain('Consegnato al corriere');
  });

  it('package types: operators see both lists with the units named, only administrators map, unmap and synchronise', async () => {
    const { world, as } = await setup();
    await world.shipping.packageTypes.sync(world.connectionId);
    const operator = await as('operator');
    const admin = await as('admin');

    const seen = await html(operator, '/package-types');
    expect(seen).toContain('Scatola media');
    expect(seen).toContain('40 × 30 × 30 cm');
    expect(seen).toContain('Box');
    expect(seen).toContain('36.2 × 37.4 × 56.2 cm');
    expect(seen).toContain('Odoo: mm, kg — shown in cm, kg');
    expect(seen).toContain('Poleepo measures package types in kilograms');
    expect(seen).toContain('not mapped');
    expect(seen).not.toContain('action="/package-types/map"');
    expect(seen).not.toContain('action="/package-types/sync"');

    const forbidden = await operator.post('/package-types/map', { connection: String(world.connectionId), odoo: String(ODOO_BOX), poleepo: '3' });
    expect(forbidden.status).toBe(403);
    expect((await operator.post('/package-types/sync', { connection: String(world.connectionId) })).status).toBe(403);
    expect((await operator.post('/package-types/unmap', { connection: String(world.connectionId), odoo: String(ODOO_BOX) })).status).toBe(403);
    expect(await world.shipping.packageTypes.mappings(world.connectionId)).toEqual([]);

    const form = await html(admin, '/package-types');
    expect(form).toContain('action="/package-types/map"');
    expect(form).toContain('Synchronise from Poleepo');
    const mapped = await admin.post('/package-types/map', { connection: String(world.connectionId), odoo: String(ODOO_BOX), poleepo: '3' });
    expect(mapped.status).toBe(303);
    expect(mapped.headers.get('Location')).toBe(`/package-types?connection=${world.connectionId}`);
    expect(await html(admin, `/package-types?connection=${world.connectionId}`)).toContain('Odoo package type &quot;Box&quot; now ships as Poleepo package type &quot;Scatola media&quot;.');
    expect((await world.shipping.packageTypes.mappings(world.connectionId)).map((m) => [m.odoo_package_type_id, m.poleepo_package_type_id])).toEqual([[ODOO_BOX, 3]]);
    // Odoo's Box may hold 30 kg, Poleepo's "Scatola media" 15 kg: said, not refused.
    expect(await html(operator, '/package-types')).toContain('Odoo allows up to 30 kg, Poleepo&#39;s type carries 15 kg');

    const synced = await admin.post('/package-types/sync', { connection: String(world.connectionId) });
    expect(synced.status).toBe(303);
    expect(await html(admin, '/package-types')).toContain('4 package types on Poleepo: 0 new, 4 updated, 0 no longer offered.');

    expect((await admin.post('/package-types/map', { connection: String(world.connectionId), odoo: String(ODOO_BOX), poleepo: '' })).status).toBe(303);
    expect(await world.shipping.packageTypes.mappings(world.connectionId)).toEqual([]);
    const unknown = await admin.post('/package-types/map', { connection: String(world.connectionId), odoo: '424242', poleepo: '3' });
    expect(unknown.status).toBe(303);
    expect(await html(admin, '/package-types')).toContain('Not done: No Odoo package type');

    // In Italian: Italian number format and words.
    const it = await html(await as('admin', 'it'), '/package-types');
    expect(it).toContain('36,2 × 37,4 × 56,2 cm');
    expect(it).toContain('Odoo: mm, kg — mostrati in cm, kg');
    expect(it).toContain('Sincronizza da Poleepo');
  });

  it('renders every shipping page in Italian and English without a missing key, money in each language\'s format', async () => {
    const { world, as } = await setup();
    const d = await world.readyDelivery();
    await world.shipping.ship(world.connectionId, d.pickingId, { requestedBy: 'test', courier: 'BRT' });
    const s = await world.waitForShipment(d.pickingId, ['ready']);
    const open = await world.readyDelivery();
    const prices: Record<'it' | 'en', RegExp> = { it: /\d+,\d{2}\u00a0€/, en: /€\d+\.\d{2}/ };
    for (const lang of ['it', 'en'] as const) {
      for (const role of ['operator', 'admin'] as const) {
        const client = await as(role, lang);
        for (const path of [
          '/shipping', '/shipping?state=labelReady&q=x', `/shipping/picking/${d.pickingId}?connection=shop`, `/shipping/picking/${d.pickingId}/status?connection=shop`,
          `/shipping/picking/${open.pickingId}`, '/package-types', `/package-types?connection=${world.connectionId}`,
        ]) {
          const text = await html(client, path);
          expect(text, `${path} (${lang})`).toContain(`<html lang="${lang}"`);
        }
        expect(await html(client, `/shipping/picking/${open.pickingId}`)).toMatch(prices[lang]);
        expect(await html(client, `/shipping/picking/${d.pickingId}/status?connection=shop`, { 'HX-Request': 'true' })).toContain(s.tracking_code!);
        // The menu: Shipping and Package types for both roles.
        const menu = await html(client, '/shipping');
        expect(menu).toContain(lang === 'it' ? '>Spedizioni</a>' : '>Shipping</a>');
        expect(menu).toContain(lang === 'it' ? '>Tipi di collo</a>' : '>Package types</a>');
      }
    }
  });
});
