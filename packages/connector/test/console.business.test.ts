/**
 * The console for the business (issue 16, items 6, 8, 9): the dashboard's orders by channel, waiting and parked orders
 * with their reason, export progress, batches and the live fragment; Italian everywhere (backend reasons translated,
 * amounts and dates by Intl, a time zone per user, the login page's language honoured); the job interval in seconds;
 * a done task's earlier error shown as history; the webhook queue's status change and link to the order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { consoleFixture, PASSWORD, type ConsoleFixture } from './helpers/console.ts';
import { insertTestConnection } from './helpers/connections.ts';
import { OrdersRepo } from '../src/orders/orders.repo.ts';
import { BatchesRepo } from '../src/products/products.batches.repo.ts';
import { MISSING_OPEN } from '../src/console/i18n/i18n.ts';
import { backendMessage } from '../src/console/i18n/backend.ts';
import { odooRecordUrl, poleepoOrderLink } from '../src/console/components/links.ts';
import { dayAndWeekStart } from '../src/console/pages/dashboard.page.tsx';
import { intervalParts } from '../src/console/pages/jobs.page.tsx';
import { hourlyBuckets } from '../src/console/components/chart.tsx';
import { defaultConnectionSettings } from '../src/connections/connections.settings.ts';

let f: ConsoleFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const HOUR = 3_600_000;

/** The known English messages the backend writes, each as a person would meet it on a page. */
const KNOWN = {
  missingSku: 'The variant has no SKU: fill "SKU for Poleepo" or the Internal Reference',
  noTax: 'no sales tax of the company on this product: vat_rate sent as 0',
  noConnection: 'NotConfiguredError: There is no active connection yet (gave up after 3 attempts)',
  unknownSku: 'Unknown SKU "NEW-1": no product in Odoo has it as Poleepo SKU, internal reference or barcode. Map the SKU to exactly one product in Odoo, then retry the order.',
  cancelled: 'Cancelled in Odoo while Poleepo says SHIPPED: review it on Poleepo.',
};
/** English fragments that must not reach an Italian page. */
const ENGLISH = ['The variant has no SKU', 'no sales tax of the company', 'There is no active connection yet', 'NotConfiguredError', 'gave up after', 'Unknown SKU', 'Map the SKU', 'Cancelled in Odoo while', '>sale<', '>create<', '>update<', '>variant<'];

async function seed(fx: ConsoleFixture) {
  const connectionId = await insertTestConnection(fx.db, 'shop', { odoo_url: 'https://acme.odoo.com', poleepo_base_url: 'https://api.poleepo.cloud' });
  const repo = new OrdersRepo(fx.db);
  const now = fx.clock.now(); // Monday 2 March 2026, 10:00 in Rome
  const put = async (pid: string, patch: Parameters<OrdersRepo['update']>[1]) => {
    const b = await repo.ensure(connectionId, pid, now);
    await repo.update(b.id, patch);
    return b.id;
  };
  const confirmed = await put('2001', { state: 'confirmed', channel: 'Amazon', order_date: now - HOUR, sale_order_id: 7, sale_order_name: 'S00007', odoo_state: 'sale', currency: 'EUR', poleepo_total: 1234.56, odoo_total: 1234.56 });
  await put('2002', { state: 'confirmed', channel: 'Amazon', order_date: now - 2 * HOUR, flag: KNOWN.cancelled });
  await put('2003', { state: 'confirmed', channel: 'eBay', order_date: now - 3 * 24 * HOUR + HOUR }); // Friday: last week
  const parked = await put('2004', { state: 'parked', channel: 'eBay', order_date: now - 30 * 60_000, parked_reason: KNOWN.unknownSku });
  await put('2005', { state: 'waiting', channel: 'Shopify', order_date: now - 11 * HOUR, poleepo_status: 'PENDING_PAYMENT' }); // Sunday 23:00 in Rome: last week
  // Product export: a batch completed today and one still awaited by Poleepo, one item with a kind and operation.
  const batches = new BatchesRepo(fx.db);
  const open = await batches.insertBatch({ connection_id: connectionId, status: 'sent', items: 3, completed_items: 1, error_items: 1, polls: 0, created_at: now, updated_at: now });
  const binding = await fx.db.kysely.insertInto('product_bindings').values({ connection_id: connectionId, kind: 'variant', odoo_id: 5, template_id: 1, sku: null, eligible: 1, forced: 0, inactive_sent: 0, odoo_needs_update: 0, mirror_pending: 0, flagged: 0, has_parent: 0, last_error: KNOWN.missingSku, last_error_code: 'MISSING_SKU', warning: KNOWN.noTax, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  await batches.insertItems([
    { batch_id: open, connection_id: connectionId, binding_id: binding.id, position: 0, sku: 'A-1', odoo_id: 5, payload_hash: 'h1', kind: 'variant', operation: 'create', status: 'completed', payload: '{}', created_at: now, updated_at: now },
    { batch_id: open, connection_id: connectionId, binding_id: binding.id, position: 1, sku: 'A-2', odoo_id: 5, payload_hash: 'h2', kind: 'variant', operation: 'update', status: 'error', error_code: 'MISSING_SKU', error_message: KNOWN.missingSku, payload: '{}', created_at: now, updated_at: now },
    { batch_id: open, connection_id: connectionId, binding_id: binding.id, position: 2, sku: 'A-3', odoo_id: 5, payload_hash: 'h3', kind: 'variant', operation: 'update', status: 'sent', payload: '{}', created_at: now, updated_at: now },
  ]);
  // Tasks: one dead with a class-named reason, one done after an earlier failed attempt.
  const dead = await fx.ctx.tasks.enqueue('products.generate-batches', {}, { lane: 'maintenance' });
  await fx.db.kysely.updateTable('tasks').set({ status: 'dead', last_error: KNOWN.noConnection, finished_at: now, attempts: 3 }).where('id', '=', dead.id).execute();
  const done = await fx.ctx.tasks.enqueue('orders.import', { connectionId, poleepoOrderId: '2001', trigger: 'manual' }, { lane: 'orders', serialKey: `order:${connectionId}:2001` });
  await fx.db.kysely.updateTable('tasks').set({ status: 'done', last_error: 'RetryableError: Odoo answered 503', finished_at: now, attempts: 2 }).where('id', '=', done.id).execute();
  // A webhook message that moved the confirmed order from PAYMENT_ACCEPTED to IN_PROCESS.
  const message = await fx.db.kysely.insertInto('webhook_messages').values({
    connection_id: connectionId, webhook_id: null, event: 'STATUS_ORDER', resource_type: 'order', resource_id: '2001', event_id: 'evt_1', dedupe_key: 'evt_1',
    status: 'done', payload: JSON.stringify({ event: 'STATUS_ORDER', data: { order_id: 2001, status: 'IN_PROCESS', previous_status: 'PAYMENT_ACCEPTED' } }), attempts: 1, duplicates: 0, received_at: now, processed_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  return { connectionId, confirmed, parked, binding: binding.id, batch: open, deadTask: dead.id, doneTask: done.id, message: message.id };
}

describe('the business dashboard', () => {
  it('shows orders today and this week by channel, the parked and waiting ones with the reason, export progress and batches; the live fragment alone for htmx', async () => {
    f = await consoleFixture('sqlite');
    const s = await seed(f);
    const admin = await f.loggedIn('admin', 'capo', 'en');
    const html = await (await admin.get('/')).text();
    expect(html).not.toContain(MISSING_OPEN);
    // Today (Monday in Rome): 2001, 2002, 2004; this week adds nothing (2005 was Sunday 23:00 in Rome, 2003 on Friday).
    expect(html).toMatch(/id="orders-today">3</);
    expect(html).toMatch(/id="orders-week">3</);
    expect(html).toMatch(/<td>Amazon<\/td><td class="num">2<\/td><td class="num">2<\/td>/);
    expect(html).toMatch(/<td>eBay<\/td><td class="num">1<\/td><td class="num">1<\/td>/);
    expect(html).toContain(`href="/orders?id=${s.parked}"`);
    expect(html).toContain('Unknown SKU &quot;NEW-1&quot;');
    expect(html).toContain('Poleepo status PENDING_PAYMENT is not among the importable ones yet');
    // Export: one item sent and awaited, one completed, one error → 2 of 3 done, with a progress bar.
    expect(html).toMatch(/id="export-sent">1</);
    expect(html).toMatch(/id="export-completed">1</);
    expect(html).toContain('<progress id="export-bar" value="2" max="3">');
    expect(html).toContain(`href="/batches/${s.batch}"`);
    // The chart: five orders within 72 hours (2003 was Friday 11:00 UTC, 71 h before).
    expect(html).toContain('data-total="5"');
    // Live: the whole page polls its fragment; htmx gets only the fragment, a browser the page.
    expect(html).toContain('hx-get="/dashboard/live" hx-trigger="every 5s"');
    const fragment = await (await admin.get('/dashboard/live', { 'HX-Request': 'true' })).text();
    expect(fragment.startsWith('<div id="dashboard-live"')).toBe(true);
    expect(fragment).not.toContain('<html');
    const repo = new OrdersRepo(f.db);
    const late = await repo.ensure(s.connectionId, '2006', f.clock.now());
    await repo.update(late.id, { channel: 'Amazon', order_date: f.clock.now() });
    expect(await (await admin.get('/dashboard/live', { 'HX-Request': 'true' })).text()).toMatch(/id="orders-today">4</);
    expect(await (await admin.get('/dashboard/live')).text()).toContain('<html lang="en"');
    const anonymous = await f.client().get('/dashboard/live', { 'HX-Request': 'true' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('HX-Redirect')).toContain('/login');
  });

  it('buckets orders per hour and finds today and the week in the user\'s zone', () => {
    const now = Date.UTC(2026, 2, 2, 9, 30); // Monday 10:30 in Rome
    expect(dayAndWeekStart(now, 'Europe/Rome')).toEqual({ today: Date.UTC(2026, 2, 1, 23), week: Date.UTC(2026, 2, 1, 23) });
    expect(dayAndWeekStart(Date.UTC(2026, 2, 4, 12), 'Europe/Rome').week).toBe(Date.UTC(2026, 2, 1, 23));
    expect(dayAndWeekStart(now, 'America/New_York').today).toBe(Date.UTC(2026, 2, 2, 5)); // 04:30 in New York
    const buckets = hourlyBuckets([now, now - 10, now - HOUR, now - 80 * HOUR], now, 72);
    expect(buckets).toHaveLength(72);
    expect(buckets.at(-1)).toEqual({ start: Date.UTC(2026, 2, 2, 9), n: 2 });
    expect(buckets.at(-2)!.n).toBe(1);
    expect(buckets.reduce((a, b) => a + b.n, 0)).toBe(3);
  });
});

describe('Italian everywhere', () => {
  it('translates the backend\'s known reasons on every page an Italian user reads, and formats amounts and dates with Intl', async () => {
    f = await consoleFixture('sqlite');
    const s = await seed(f);
    const italian = await f.loggedIn('admin', 'anna', 'it');
    const pages = ['/', '/orders', `/orders?id=${s.parked}`, `/orders?id=${s.confirmed}`, '/tasks', `/tasks/${s.deadTask}`, '/tasks?status=dead', `/products/${s.binding}`, '/products', `/batches/${s.batch}`, '/queue', `/queue/${s.message}`];
    for (const path of pages) {
      const res = await italian.get(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html, path).not.toContain(MISSING_OPEN);
      for (const english of ENGLISH) expect(html, `${path}: "${english}"`).not.toContain(english);
    }
    const orders = await (await italian.get('/orders')).text();
    expect(orders).toContain('1.234,56\u00a0€');
    expect(orders).toContain('SKU sconosciuto');
    expect(orders).toContain('Annullato in Odoo mentre Poleepo dice SHIPPED');
    expect(orders).toMatch(/2 mar 2026, 10:00:00/);
    const order = await (await italian.get(`/orders?id=${s.confirmed}`)).text();
    expect(order).toContain('Ordine di vendita'); // Odoo's "sale"
    const tasks = await (await italian.get('/tasks?status=dead')).text();
    expect(tasks).toContain("Configurazione mancante: Non c&#39;è ancora nessuna connessione attiva (abbandonato dopo 3 tentativi)");
    const product = await (await italian.get(`/products/${s.binding}`)).text();
    expect(product).toContain('La variante non ha uno SKU');
    expect(product).toContain("nessuna imposta di vendita dell&#39;azienda");
    const batch = await (await italian.get(`/batches/${s.batch}`)).text();
    expect(batch).toContain('Creazione');
    expect(batch).toContain('Aggiornamento');
    expect(batch).toContain('Variante');

    const english = await f.loggedIn('admin', 'john', 'en');
    const en = await (await english.get('/orders')).text();
    expect(en).toContain('€1,234.56');
    expect(en).toContain('2 Mar 2026, 10:00:00');
    expect(en).toContain('Unknown SKU');
  });

  it('translates wrappers and clauses of a reason, and leaves English alone', () => {
    expect(backendMessage('TypeError: boom; no attempts left', 'it')).toBe('Errore (TypeError): boom; nessun tentativo rimasto');
    expect(backendMessage('SKU "X" is also used by variant 3, variant 4: give each published variant its own SKU', 'it'))
      .toBe('Lo SKU "X" è usato anche da variante 3, variante 4: dai a ogni variante pubblicata il suo SKU');
    expect(backendMessage(KNOWN.noConnection, 'en')).toBe(KNOWN.noConnection);
    const gbp = 'The order is in GBP, but this company keeps its accounts in EUR and Odoo has no active pricelist in GBP: activate the currency GBP (Accounting › Configuration › Currencies), create a pricelist in GBP for this company (Sales › Configuration › Settings › Pricelists, then Sales › Products › Pricelists), then retry the order. Nothing was imported.';
    expect(backendMessage(gbp, 'it')).toBe("L'ordine è in GBP, ma questa azienda tiene la contabilità in EUR e Odoo non ha un listino attivo in GBP: attiva la valuta GBP (Contabilità › Configurazione › Valute), crea un listino in GBP per questa azienda (Vendite › Configurazione › Impostazioni › Listini, poi Vendite › Prodotti › Listini), poi riprova l'ordine. Nulla è stato importato.");
    expect(backendMessage('Something new the console does not know', 'it')).toBe('Something new the console does not know');
    // The reasons an order is flagged or parked for its amounts, as the importer writes them (joined by "; ").
    expect(backendMessage('Total differs: 120.00 in Odoo vs 118.50 on Poleepo (EUR), more than the 0.05 allowed. Check the taxes of the products.; RINV-1: line total 60.00 in Odoo vs 58.50 on the marketplace', 'it'))
      .toBe('Il totale non corrisponde: 120.00 in Odoo contro 118.50 su Poleepo (EUR), oltre i 0.05 ammessi. Controlla le imposte dei prodotti.; RINV-1: totale riga 60.00 in Odoo contro 58.50 sul marketplace');
    expect(backendMessage("Odoo keeps the order in USD, Poleepo's is in EUR: check the order's pricelist", 'it')).toBe("Odoo tiene l'ordine in USD, quello di Poleepo è in EUR: controlla il listino dell'ordine");
    expect(backendMessage('Refunded on Poleepo, but goods were already delivered and it was invoiced: not cancelled in Odoo. Review it (return, credit note).', 'it'))
      .toBe('Rimborsato su Poleepo, ma la merce è già stata consegnata ed è stato fatturato: non annullato in Odoo. Verificalo (reso, nota di credito).');
    const noDiscount = "OrderParkedError: The order has discounts or vouchers, but the company has no Discount product and the connector's Odoo user may not create one. Create a service product with internal reference POLEEPO-DISCOUNT and no taxes (or apply a fixed-amount discount once with Odoo's Discount button, which creates Odoo's own), then retry the order.";
    const italian = backendMessage(noDiscount, 'it');
    expect(italian).toMatch(/^Ordine sospeso: L'ordine ha sconti o buoni, .* riferimento interno POLEEPO-DISCOUNT e senza imposte .* poi riprova l'ordine\.$/);
    // The reasons an invoice stopped, as the invoices page shows them.
    expect(backendMessage('Odoo cannot make the PDF of invoice INV/2026/00005: wkhtmltopdf, the program Odoo prints PDFs with, is not installed on the Odoo server. Install it there (the version Odoo recommends) and restart Odoo; the connector tries again every hour, or now with "invoices send".', 'it'))
      .toBe('Odoo non può creare il PDF della fattura INV/2026/00005: wkhtmltopdf, il programma con cui Odoo stampa i PDF, non è installato sul server Odoo. Installalo lì (la versione raccomandata da Odoo) e riavvia Odoo; il connettore riprova ogni ora, o subito con "invoices send".');
    expect(backendMessage('Odoo has no "Poleepo: PDF della fattura" server action, which makes the invoice PDFs: run "poleepo-odoo odoo provision" for this connection. The connector tries again every hour.', 'it'))
      .toBe('Odoo non ha l\'azione server "Poleepo: PDF della fattura", che crea i PDF delle fatture: esegui "poleepo-odoo odoo provision" per questa connessione. Il connettore riprova ogni ora.');
    expect(backendMessage('Odoo has nothing to invoice on S00027: a draft invoice of it is waiting in Odoo (INV/2026/00009): post it in Odoo and the connector sends it to Poleepo.', 'it')).toContain('una sua fattura in bozza attende in Odoo (INV/2026/00009)');
    expect(backendMessage('Poleepo refused credit note RINV/2026/00001: amount must be positive. Nothing was stored on Poleepo; fix it and send again.', 'it'))
      .toBe('Poleepo ha rifiutato la nota di credito RINV/2026/00001: amount must be positive. Nulla è stato registrato su Poleepo; correggi e invia di nuovo.');
    expect(backendMessage("Poleepo's total 99.00 is not the sum of its lines, discounts, shipping and vouchers (97.00): Poleepo charged something the order does not detail", 'it')).toContain('non è la somma di righe');
  });

  it('prints dates in each user\'s own time zone, Europe/Rome by default, and refuses a zone that does not exist', async () => {
    f = await consoleFixture('sqlite', { timeZone: undefined });
    await seed(f);
    const anna = await f.loggedIn('operator', 'anna', 'en');
    expect(await (await anna.get('/orders')).text()).toContain('2 Mar 2026, 10:00:00');
    const bad = await anna.post('/account/time-zone', { timeZone: 'Mars/Olympus' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('&quot;Mars/Olympus&quot; is not a time zone');
    expect((await anna.post('/account/time-zone', { timeZone: 'America/New_York' })).status).toBe(303);
    const page = await (await anna.get('/orders')).text();
    expect(page).toContain('2 Mar 2026, 04:00:00');
    expect(page).toContain('America/New_York');
    await anna.post('/account/time-zone', { timeZone: '' });
    expect(await (await anna.get('/orders')).text()).toContain('2 Mar 2026, 10:00:00');
  });

  it('honours the language chosen on the login page for that session; a user\'s own choice otherwise; the browser\'s when none', async () => {
    f = await consoleFixture('sqlite');
    await f.app.services.auth.users.create({ login: 'nochoice', password: PASSWORD, role: 'operator' });
    await f.app.services.auth.users.create({ login: 'english', password: PASSWORD, role: 'operator', lang: 'en' });
    // No choice anywhere: the browser's language.
    const plain = f.client();
    await plain.login('nochoice', PASSWORD);
    expect(await (await plain.get('/', { 'Accept-Language': 'en-GB,en;q=0.9' })).text()).toContain('<html lang="en"');
    expect(await (await plain.get('/', { 'Accept-Language': 'it-IT' })).text()).toContain('<html lang="it"');
    // Italian picked on the login page wins over the stored English, for that session only.
    const picked = f.client();
    await picked.get('/login?lang=it');
    await picked.login('english', PASSWORD);
    expect(await (await picked.get('/')).text()).toContain('<html lang="it"');
    const other = f.client();
    await other.login('english', PASSWORD);
    expect(await (await other.get('/', { 'Accept-Language': 'it' })).text()).toContain('<html lang="en"');
    // A language only remembered from an earlier visit is not a choice made on this login page.
    const remembered = f.client();
    await remembered.get('/login?lang=it');
    await remembered.login('english', PASSWORD);
    await remembered.post('/logout');
    expect(remembered.cookies.get('poleepo_lang')).toBe('it');
    await remembered.login('english', PASSWORD);
    expect(await (await remembered.get('/')).text()).toContain('<html lang="en"');
    // Switching in the top bar is a choice: stored, and this session follows it at once.
    await picked.post('/account/lang', { lang: 'en' }, { headers: { Referer: 'http://127.0.0.1/' } });
    expect(await (await picked.get('/')).text()).toContain('<html lang="en"');
    expect(await f.app.services.auth.users.get((await f.app.services.auth.users.list()).find((u) => u.login === 'english')!.id)).toMatchObject({ lang: 'en', langChosen: true });
    // Users page: a user created without a language shows "Browser language".
    const admin = await f.loggedIn('admin', 'boss', 'en');
    expect(await (await admin.get('/users')).text()).toContain('Browser language (not chosen)');
  });
});

describe('jobs, tasks and the webhook queue', () => {
  it('shows and keeps an interval of seconds: "every 10 s" stays 10 s when the form is saved unchanged', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin', 'capo', 'en');
    expect((await admin.post('/jobs/process-webhook-queue/interval', { every: '10', unit: 's' })).status).toBe(303);
    expect((await f.ctx.jobs.get('process-webhook-queue')).intervalMs).toBe(10_000);
    const list = await (await admin.get('/jobs')).text();
    expect(list).toContain('every 10 s');
    expect(list).toMatch(/id="every-process-webhook-queue"[^>]*value="10"/);
    expect(list).toMatch(/<option value="s" selected="">seconds<\/option>/);
    expect(intervalParts(90_000)).toEqual({ value: '90', unit: 's' });
    expect(intervalParts(120_000)).toEqual({ value: '2', unit: 'min' });
    expect(intervalParts(null)).toEqual({ value: '', unit: 'manual' });
    expect((await admin.post('/jobs/process-webhook-queue/interval', { every: '5', unit: 's' })).status).toBe(422);
    expect((await f.ctx.jobs.get('process-webhook-queue')).intervalMs).toBe(10_000);
  });

  it('shows a done task\'s earlier error as history, a dead task\'s as an error', async () => {
    f = await consoleFixture('sqlite');
    const s = await seed(f);
    const operator = await f.loggedIn('operator', 'op', 'en');
    const done = await (await operator.get(`/tasks/${s.doneTask}`)).text();
    expect(done).toContain('<span class="muted history"><span class="history-label">Earlier attempt (since overcome):</span> RetryableError: Odoo answered 503</span>');
    expect(done).not.toMatch(/class="error-text">RetryableError/);
    const dead = await (await operator.get(`/tasks/${s.deadTask}`)).text();
    expect(dead).toContain('<span class="error-text">NotConfiguredError: There is no active connection yet');
  });

  it('shows the status change a message announced and links it to the order page', async () => {
    f = await consoleFixture('sqlite');
    const s = await seed(f);
    const operator = await f.loggedIn('operator', 'op', 'it');
    for (const path of ['/queue', `/queue/${s.message}`]) {
      const html = await (await operator.get(path)).text();
      expect(html, path).toContain(`<a href="/orders?id=${s.confirmed}">Ordine 2001</a>`);
      expect(html, path).toMatch(/Pagamento accettato<span aria-label="a"> → <\/span><strong>In lavorazione<\/strong>/);
    }
  });
});

describe('links out of the console', () => {
  const view = (version: string | null, baseUrl = 'https://api.poleepo.cloud', pattern = 'https://app.poleepo.cloud/orders/{id}') => ({
    odoo: { url: 'https://acme.odoo.com/', version } as never,
    poleepo: { baseUrl } as never,
    settings: { ...defaultConnectionSettings(), orderUrlPattern: pattern },
  });

  it('opens a sale order in the URL form of the Odoo version', () => {
    expect(odooRecordUrl(view('17.0'), 'sale.order', 7)).toBe('https://acme.odoo.com/web#id=7&model=sale.order&view_type=form');
    expect(odooRecordUrl(view('saas~17.2'), 'sale.order', 7)).toBe('https://acme.odoo.com/odoo/sale.order/7');
    expect(odooRecordUrl(view('18.0'), 'sale.order', 7)).toBe('https://acme.odoo.com/odoo/sale.order/7');
    expect(odooRecordUrl(view('19.0+e'), 'sale.order', 7)).toBe('https://acme.odoo.com/odoo/sale.order/7');
    expect(odooRecordUrl(view(null), 'sale.order', 7)).toBe('https://acme.odoo.com/web#id=7&model=sale.order&view_type=form');
  });

  it('links to Poleepo only where the address is a real Poleepo one', () => {
    expect(poleepoOrderLink(view('18.0'), '1001')).toBe('https://app.poleepo.cloud/orders/1001');
    // A sandbox on this machine: the default pattern would open an order that does not exist on Poleepo.
    expect(poleepoOrderLink(view('18.0', 'http://127.0.0.1:4010'), '1001')).toBeNull();
    expect(poleepoOrderLink(view('18.0', 'http://127.0.0.1:4010', 'http://127.0.0.1:4010/orders/{id}'), '1001')).toBe('http://127.0.0.1:4010/orders/1001');
    expect(poleepoOrderLink(view('18.0', 'https://api.poleepo.cloud', 'javascript:alert({id})'), '1')).toBeNull();
    expect(poleepoOrderLink(view('18.0', 'https://api.poleepo.cloud', 'http://localhost/o/{id}'), '1')).toBeNull();
    // A pattern the administrator pointed at their own address is theirs to choose.
    expect(poleepoOrderLink(view('18.0', 'http://127.0.0.1:4010', 'https://poleepo.example/o/{id}'), '7')).toBe('https://poleepo.example/o/7');
  });
});
