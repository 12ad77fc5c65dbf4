import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createConsoleApp } from '../../src/console/console.app.tsx';
import type { Services } from '../../src/app/modules.ts';
import { PASSWORD } from '../helpers/console.ts';
import { accessibilityProblems, collectPageErrors, launchChromium, screenshot, serveApp } from '../helpers/browser.ts';
import { ODOO_BOX, shippingWorld, type ShippingWorld } from '../shipping.fixture.ts';

/**
 * Shipping in real headless Chromium, on the real flow (Odoo emulator, Poleepo sandbox, worker): a packer in Italian
 * opens the page Odoo's "Spedisci con Poleepo" button opens for a validated delivery, picks a pickup address and a
 * courier, ships, watches the shipment box fill in by itself (htmx polling) until the label and the tracking code are
 * there, presses "Consegnato al corriere" and sees the status change. No page may log a console error (CSP).
 * Screenshots go to .test-artifacts/screenshots/.
 */
describe('shipping in a browser', () => {
  let world: ShippingWorld;
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  let page: Page;
  let errors: string[];
  let delivery: { pickingId: number; pickingName: string; poleepoId: string };

  // A failed setup (Chromium missing) fails every test with its reason, instead of vitest's "skipped".
  let setupError: unknown = null;
  beforeAll(async () => {
    try {
      browser = await launchChromium();
      world = await shippingWorld({ dialect: 'sqlite' });
      world.startWorker();
      delivery = await world.readyDelivery({ packages: [{ packageTypeId: ODOO_BOX, shippingWeight: 2.5 }, { packageTypeId: ODOO_BOX, shippingWeight: 4 }] });
      const modules = { shipping: world.shipping, orders: world.orders, webhookQueue: world.webhookQueue } as unknown as Services;
      const app = createConsoleApp(world.ctx, { modules, timeZone: 'Europe/Rome' });
      await app.services.auth.users.create({ login: 'magazzino', password: PASSWORD, role: 'operator', lang: 'it' });
      server = await serveApp(app);
      page = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'it-IT' });
      errors = collectPageErrors(page);
    } catch (error) {
      setupError = error;
    }
  }, 120_000);
  beforeEach(() => {
    if (setupError) throw setupError;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await world?.close();
  });

  async function expectAccessible(where: string) {
    expect(await accessibilityProblems(page), where).toEqual([]);
  }

  it('logs in and opens the delivery from the link of the Odoo button', async () => {
    const link = `/shipping/picking/${delivery.pickingId}?connection=shop`;
    await page.goto(server.url + link);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Utente').fill('magazzino');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Accedi' }).click();
    await page.locator('h1', { hasText: `Consegna ${delivery.pickingName}` }).waitFor({ timeout: 10_000 });
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(link);
    expect(await page.locator('nav.sidebar a[aria-current="page"]').textContent()).toBe('Spedizioni');
    expect(await page.textContent('main')).toContain('2,5 kg');
    // Poleepo's default pickup address is chosen; couriers show their price in euro, Italian style.
    expect(await page.getByRole('radio', { name: /Magazzino principale/ }).isChecked()).toBe(true);
    expect(await page.locator('form.ship-form').textContent()).toMatch(/\d+,\d{2}\s€/);
    await expectAccessible('ship page');
    await screenshot(page, 'shipping-ship-form');
  });

  it('ships with the chosen pickup address and courier, and the label and the tracking code appear by themselves', async () => {
    await page.getByRole('radio', { name: /Deposito Bologna/ }).check();
    await page.getByRole('radio', { name: /GLS Italy — Business Parcel/ }).check();
    await page.getByRole('button', { name: 'Spedisci con Poleepo' }).click();
    await page.locator('.flash-success', { hasText: 'spedizione richiesta' }).waitFor({ timeout: 10_000 });
    // The box refreshes itself (htmx polling) until the label is in Odoo: wait for it, never for a fixed time.
    await page.locator('#shipment a.label-link').waitFor({ timeout: 30_000 });
    const tracking = page.locator('#shipment code.tracking-code');
    await tracking.waitFor({ timeout: 30_000 });
    const shipment = (await world.shipping.repo.byPicking(world.connectionId, delivery.pickingId))!;
    expect(await tracking.textContent()).toBe(shipment.tracking_code);
    expect(JSON.parse(shipment.request)).toMatchObject({ pickupAddressId: 2, carrierCode: 'GLS', service: 'BUSINESS' });
    expect(await page.locator('#shipment .poleepo-status').textContent()).toBe('Etichetta pronta');
    expect(await page.locator('#shipment').getAttribute('hx-trigger')).toBeNull();
    // The label link downloads the PDF.
    const href = (await page.locator('#shipment a.label-link').getAttribute('href'))!;
    const label = await page.request.get(server.url + href);
    expect(label.headers()['content-type']).toBe('application/pdf');
    expect(label.headers()['content-disposition']).toMatch(/^attachment;/);
    await expectAccessible('label ready');
    await screenshot(page, 'shipping-label-ready');
  }, 90_000);

  it('hands the parcels to the courier and shows the new status', async () => {
    await page.getByRole('button', { name: 'Consegnato al corriere' }).click();
    await page.locator('.flash-success', { hasText: 'consegna al corriere comunicata a Poleepo' }).waitFor({ timeout: 10_000 });
    await page.locator('#shipment[data-step="shipped"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#shipment .poleepo-status').textContent()).toBe('Consegnato al corriere');
    expect(await page.locator('#shipment .badge').first().textContent()).toBe('Spedita');
    expect(await page.getByRole('button', { name: 'Consegnato al corriere' }).count()).toBe(0);
    expect(world.sandbox.state.shippings.list({ order: delivery.poleepoId })[0]!.status).toBe('HANDED_TO_CARRIER');
    await screenshot(page, 'shipping-handed-over');
  }, 90_000);

  it('lists the delivery as shipped and shows the package types with their units', async () => {
    await page.locator('nav.sidebar a', { hasText: 'Spedizioni' }).click();
    await page.locator('h1', { hasText: 'Spedizioni' }).waitFor();
    expect(await page.locator('#deliveries').textContent()).toContain(delivery.pickingName);
    expect(await page.locator('#deliveries').textContent()).toContain('Spedita');
    await expectAccessible('shipping list');
    await screenshot(page, 'shipping-list');
    await page.locator('nav.sidebar a', { hasText: 'Tipi di collo' }).click();
    await page.locator('h1', { hasText: 'Tipi di collo' }).waitFor();
    expect(await page.textContent('main')).toContain('Odoo: mm, kg — mostrati in cm, kg');
    await expectAccessible('package types');
    await screenshot(page, 'package-types');
  });

  it('logged no console error on these pages (CSP included)', () => {
    expect(errors).toEqual([]);
  });
});
