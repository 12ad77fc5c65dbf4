import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startDemo, type RunningDemo } from '../../src/demo/demo.ts';
import { TEST_ENCRYPTION_KEY } from '../helpers/config.ts';
import { collectPageErrors, launchChromium } from '../helpers/browser.ts';

/** The README's screenshot: taken here, from the demo's real activity, and committed. */
const README_SCREENSHOT = join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'screenshots', 'dashboard.png');
const ITALIAN_DATE = /\d{1,2} (gen|feb|mar|apr|mag|giu|lug|ago|set|ott|nov|dic) \d{4}, \d{2}:\d{2}:\d{2}/;

/**
 * The business dashboard in real Chromium against the running demo (emulated Odoo, Poleepo sandbox, real traffic):
 * it updates itself without a reload while orders arrive; the order page a merchant opens from it; Italian formats
 * (dates with the month as a word, € amounts); the wide tables fit or scroll inside their card at 1,366 and 1,440 px.
 */
describe('dashboard in a browser, on the demo', () => {
  let demo: RunningDemo;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let setupError: unknown = null;

  beforeAll(async () => {
    try {
      demo = await startDemo({
        port: 0, dataDir: mkdtempSync(join(tmpdir(), 'demo-dash-')), env: { LOG_LEVEL: 'silent', ENCRYPTION_KEY: TEST_ENCRYPTION_KEY },
        orderEveryMs: 1500, changeEveryMs: 3000, rateLimitWindowMs: 10_000, shipEveryMs: 3000,
      });
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'it-IT' });
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
    await demo?.stop();
  });

  it('logs in in Italian (chosen on the login page) and the dashboard updates itself while orders arrive', async () => {
    await page.goto(`${demo.consoleUrl}/login?lang=it`);
    await page.getByLabel('Utente').fill(demo.admin.login);
    await page.getByLabel('Password').fill(demo.admin.password ?? '');
    await page.locator('form.login-form button[type=submit]').click();
    await page.waitForURL(`${demo.consoleUrl}/`);
    expect(await page.getAttribute('html', 'lang')).toBe('it');
    await page.locator('h1', { hasText: 'Cruscotto' }).or(page.locator('h1', { hasText: 'Dashboard' })).waitFor({ timeout: 10_000 });
    // A marker on the window: a reload would lose it.
    await page.evaluate(() => { (window as unknown as { keptAcrossUpdates: number }).keptAcrossUpdates = 42; });
    const firstStamp = await page.getAttribute('#dashboard-live', 'data-updated');
    const firstTotal = Number(await page.getAttribute('svg.chart-svg', 'data-total'));
    await vi.waitFor(async () => {
      expect(await page.getAttribute('#dashboard-live', 'data-updated')).not.toBe(firstStamp);
      expect(Number(await page.getAttribute('svg.chart-svg', 'data-total'))).toBeGreaterThan(firstTotal);
    }, { timeout: 60_000, interval: 1000 });
    expect(await page.evaluate(() => (window as unknown as { keptAcrossUpdates?: number }).keptAcrossUpdates)).toBe(42);
    const live = await page.textContent('.live-note');
    expect(live).toMatch(ITALIAN_DATE);
    expect(await page.textContent('#orders-title')).toBe('Ordini');
    // Some real activity before the picture: a few orders confirmed, a batch completed.
    await vi.waitFor(async () => {
      expect(Number(await page.getAttribute('svg.chart-svg', 'data-total'))).toBeGreaterThanOrEqual(4);
      expect(await page.locator('a[href^="/batches/"]').count()).toBeGreaterThan(0);
    }, { timeout: 90_000, interval: 1000 });
    // The backend's known English reasons never reach the Italian page (parked orders, dead letters).
    const main = (await page.textContent('main')) ?? '';
    for (const english of ['Nothing was imported', 'Unknown SKU', 'There is no active connection', 'gave up after']) expect(main).not.toContain(english);
    mkdirSync(join(README_SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: README_SCREENSHOT, fullPage: false });
    expect(errors).toEqual([]);
  }, 240_000);

  it('opens an order from the orders page: lines, amounts in Italian, the customer', async () => {
    // Wait for the demo to confirm an order (in the database), then open it the way a person would: from the list.
    const confirmed = await vi.waitFor(async () => {
      const row = await demo.service.ctx.db.kysely.selectFrom('order_bindings').select('id').where('state', '=', 'confirmed').orderBy('id').executeTakeFirst();
      expect(row).toBeDefined();
      return row!.id;
    }, { timeout: 90_000, interval: 1000 });
    await page.goto(`${demo.consoleUrl}/orders?state=confirmed`);
    const link = page.locator(`table tbody tr td a[href="/orders?id=${confirmed}"]`).first();
    await link.waitFor({ timeout: 30_000 });
    await link.click();
    await page.locator('#lines-title').waitFor({ timeout: 30_000 });
    expect(await page.textContent('#lines-title')).toBe('Righe');
    const lines = await page.textContent('#order-lines');
    expect(lines).toMatch(/\d+,\d{2}\s€/);
    expect(await page.textContent('#customer-title')).toBe('Cliente e indirizzi');
    expect(await page.locator('#sale-order-link').getAttribute('href')).toMatch(/\/odoo\/sale\.order\/\d+$/);
    expect(await page.locator('#order-tasks tbody tr').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  }, 120_000);

  it('fits the orders and jobs tables at 1,366 and 1,440 px: the page never scrolls sideways', async () => {
    for (const width of [1366, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      for (const path of ['/orders', '/jobs', '/']) {
        await page.goto(demo.consoleUrl + path);
        await page.locator('h1').waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${path} at ${width}px`).toBeLessThanOrEqual(0);
      }
    }
    expect(errors).toEqual([]);
  }, 120_000);
});
