/**
 * The console's invoices on the real flow (Odoo emulator, Poleepo sandbox, real services and worker): the Invoices page
 * in English and Italian (amounts and dates in each language's format, the policy said), an operator's send on the
 * manual policy and its refusal in plain words, a stopped invoice (no wkhtmltopdf) with its reason and a Retry that
 * finishes it, and the order page's section with the order's invoices and the documents imported from Poleepo.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleApp, type ConsoleApp } from '../src/console/console.app.tsx';
import type { Services } from '../src/app/modules.ts';
import type { Role } from '../src/auth/auth.roles.ts';
import { MISSING_OPEN } from '../src/console/i18n/i18n.ts';
import { ConsoleClient, PASSWORD } from './helpers/console.ts';
import { invoicesWorld, type InvoicesWorld } from './invoices.fixture.ts';

let w: InvoicesWorld | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});

interface Setup {
  world: InvoicesWorld;
  app: ConsoleApp;
  as(role: Role, lang?: 'it' | 'en'): Promise<ConsoleClient>;
}

let logins = 0;

async function setup(policy: 'on_delivery' | 'manual' = 'manual'): Promise<Setup> {
  const world = await invoicesWorld({ dialect: 'sqlite', policy });
  w = world;
  world.startWorker();
  const modules = { invoices: world.invoices, shipping: world.shipping, orders: world.orders, webhookQueue: world.webhookQueue } as unknown as Services;
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

async function html(client: ConsoleClient, path: string): Promise<string> {
  const res = await client.get(path);
  expect(res.status, path).toBe(200);
  const text = await res.text();
  expect(text, path).not.toContain(MISSING_OPEN);
  return text;
}

/** 2 × 600 + 34.56, VAT included: 1,234.56 in Odoo and on Poleepo. */
const LINES = [{ sku: 'E-COM07', quantity: 2, price: 600 }, { sku: 'FURN_0098', quantity: 1, price: 34.56 }];

describe('console invoices', () => {
  it('lists the invoices in English and Italian, sends one on request (manual policy), refuses an unknown order plainly; the order page shows them', async () => {
    const { world, as } = await setup('manual');
    const order = await world.importedOrder({ lines: LINES });
    await world.validateDelivery(order.saleOrderId);
    const operator = await as('operator');

    const empty = await html(operator, '/invoices');
    expect(empty).toContain('<h1');
    expect(empty).toContain('No invoice yet.');
    expect(empty).toContain('Invoice policy of shop: invoiced only on request (invoices made in Odoo are sent).');
    expect(empty).toContain('action="/invoices/send"');

    const sent = await operator.post('/invoices/send', { connection: String(world.connectionId), order: order.poleepoId, back: '/invoices' });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('Location')).toBe('/invoices');
    expect(await html(operator, '/invoices')).toContain(`Order ${order.poleepoId}: the invoices are being made and sent to Poleepo.`);
    await world.settled(order.poleepoId);
    const [row] = await world.rows(order.poleepoId);
    expect(row).toMatchObject({ step: 'sent', trigger: 'send', amount_total: 1234.56 });

    const en = await html(operator, '/invoices');
    expect(en).toContain(`Invoice ${row!.move_name}`);
    expect(en).toContain('made by the connector');
    expect(en).toContain('€1,234.56');
    expect(en).toContain(row!.invoice_date!.split('-').reverse().join('/')); // 02/03/2026
    expect(en).toContain('On Poleepo');
    expect(en).toContain(`Poleepo document ${row!.poleepo_document_id}`);
    expect(en).toContain(`href="/orders?q=${order.poleepoId}"`);
    expect(en).toContain('>Resend</button>');

    const italiano = await as('operator', 'it');
    const it = await html(italiano, '/invoices');
    expect(it).toContain('<title>Fatture');
    expect(it).toContain(`Fattura ${row!.move_name}`);
    expect(it).toContain('1.234,56\u00a0€');
    expect(it).toContain('Su Poleepo');
    expect(it).toContain('Fatturazione di shop: fattura solo su richiesta');
    expect(it).toContain('>Reinvia</button>');

    // Filters: by status and by number.
    expect(await html(operator, '/invoices?status=failed')).toContain('No invoice yet.');
    expect(await html(operator, `/invoices?q=${encodeURIComponent(row!.move_name!)}`)).toContain(`Invoice ${row!.move_name}`);

    // Refused in plain words: an order the connector does not know.
    const unknown = await operator.post('/invoices/send', { connection: String(world.connectionId), order: '999999', back: '/invoices' });
    expect(unknown.status).toBe(303);
    expect(await html(operator, '/invoices')).toContain('Not sent: No Poleepo order 999999 on connection &quot;shop&quot;');

    // The order page: its invoice, its send, and the documents imported from Poleepo.
    world.sandbox.state.orders.addDocument(Number(order.poleepoId), { type: 'WAYBILL', number: 'SDA123', date: '2026-03-02', file_name: 'waybill_SDA123.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n') }, world.clock.now());
    await world.invoices.queueDocuments(world.connectionId, order.poleepoId);
    await world.settled(order.poleepoId);
    const binding = (await world.binding(order.poleepoId))!;
    const page = await html(operator, `/orders?id=${binding.id}`);
    expect(page).toContain('Invoices and documents');
    expect(page).toContain(`Invoice ${row!.move_name}`);
    expect(page).toContain('€1,234.56');
    expect(page).toContain(`aria-label="Send the invoices of order ${order.poleepoId}"`);
    expect(page).toContain('Waybill');
    expect(page).toContain('waybill_SDA123.pdf');
    expect(page).toContain('Attached');
    expect(page).toContain('Sent to Poleepo by the connector from Odoo: not imported back.');
    const pagina = await html(italiano, `/orders?id=${binding.id}`);
    expect(pagina).toContain('Fatture e documenti');
    expect(pagina).toContain('Lettera di vettura');
    expect(pagina).toContain('Allegato');
  });

  it('a stopped invoice (no wkhtmltopdf in Odoo) shows why and when it is tried again; Retry finishes it once Odoo can print', async () => {
    const { world, as } = await setup('on_delivery');
    world.odoo.knobs.wkhtmltopdf = false;
    const order = await world.importedOrder({ lines: LINES });
    await world.validateDelivery(order.saleOrderId);
    await world.syncNow();
    const operator = await as('operator');
    const stopped = await html(operator, '/invoices?status=failed');
    expect(stopped).toContain('Stopped');
    expect(stopped).toContain('wkhtmltopdf, the program Odoo prints PDFs with, is not installed on the Odoo server');
    expect(stopped).toContain('Tried again automatically at');
    expect(stopped).toContain('>Retry</button>');
    expect(stopped).toContain('Invoice policy of shop: invoiced when its delivery is validated.');

    world.odoo.knobs.wkhtmltopdf = true;
    const retried = await operator.post('/invoices/send', { connection: String(world.connectionId), order: order.poleepoId, back: '/invoices?status=failed' });
    expect(retried.headers.get('Location')).toBe('/invoices?status=failed');
    await world.settled(order.poleepoId);
    const after = await html(operator, '/invoices');
    expect(after).toContain('<span class="badge badge-ok">On Poleepo</span>');
    expect(after).not.toContain('badge-error');
    expect(world.poleepoDocuments(order.poleepoId)).toHaveLength(1);
  });
});
