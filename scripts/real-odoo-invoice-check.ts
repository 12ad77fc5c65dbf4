/**
 * Development-time check of the invoice and document flows against a REAL Odoo (17, 18 or 19), never part of
 * `npm test`: does the real Odoo accept exactly the calls the connector makes for invoices, and answer what it expects?
 *
 *   node --import tsx scripts/real-odoo-invoice-check.ts --odoo-url http://127.0.0.1:8918 --db r18inv \
 *     --login admin --api-key "$(cat /tmp/realodoo/key18)" [--company 1] [--verbose] [--exchanges FILE]
 *
 * Made on the model of scripts/real-odoo-shipping-check.ts (same Odoo set-up: docs in that script's header; run it on a
 * fresh copy of a demo database with sale_management, stock, account, delivery, base_automation, sale_stock). It runs
 * the connector's own code — connection, provisioning (with the invoice PDF server action), order import, the Invoice
 * Sync job and the `invoices.order` / `documents.import` tasks on the worker — with a Poleepo sandbox started in
 * process and a temporary SQLite database; the merchant's steps in Odoo go through the emulator package's flows
 * (deliveries validated with packAndValidateDelivery, an invoice made by hand with invoiceSaleOrder: real execute_kw).
 * It covers each invoice policy's trigger (on_delivery after a validated delivery, on_confirmation, manual with a
 * person's send, never), the invoice made with `sale.advance.payment.inv` and posted, its PDF from the provisioned
 * server action — or, on an Odoo without wkhtmltopdf, the connector's plain-words stop and the task's state — the
 * upload to the sandbox with number, date and amounts, a credit note for an order cancelled on Poleepo, an invoice made
 * by hand picked up, and a Poleepo document imported into Odoo once.
 *
 * Odoo detects wkhtmltopdf when it starts: run the check once on an Odoo started without it on its PATH and once with
 * it. Prints one PASS/FAIL line per check; for each failure the
 * exact request sent to Odoo and Odoo's answer. Exit code: 0 when everything ran passed, 1 otherwise.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invoiceSaleOrder, packAndValidateDelivery } from '@poleepo-odoo/odoo-emulator';
import { startPoleepoSandbox, newSandboxClient, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import { loadConfig } from '../packages/connector/src/config/env.ts';
import { createContext, type AppContext } from '../packages/connector/src/app/context.ts';
import { ConnectionsService } from '../packages/connector/src/connections/connections.service.ts';
import { odooClientFor } from '../packages/connector/src/connections/connections.odoo.ts';
import type { OdooClient } from '../packages/connector/src/odoo/odoo.client.ts';
import { OdooProvisioning } from '../packages/connector/src/provisioning/provisioning.service.ts';
import { OrdersService } from '../packages/connector/src/orders/orders.service.ts';
import { defineOrderTasks } from '../packages/connector/src/orders/orders.tasks.ts';
import type { OrderBinding } from '../packages/connector/src/orders/orders.repo.ts';
import { InvoicesService } from '../packages/connector/src/invoices/invoices.service.ts';
import { defineInvoiceTasks } from '../packages/connector/src/invoices/invoices.tasks.ts';
import { invoiceFileName } from '../packages/connector/src/invoices/invoices.odoo.ts';
import { documentMarker } from '../packages/connector/src/invoices/documents.importer.ts';
import type { InvoiceRow } from '../packages/connector/src/invoices/invoices.tables.ts';
import { WebhookQueueService } from '../packages/connector/src/webhooks/webhook-queue.service.ts';
import { defineWebhookTasks } from '../packages/connector/src/webhooks/webhook-queue.tasks.ts';
import { Worker } from '../packages/connector/src/tasks/task.worker.ts';
import { createLogger, silentLogger } from '../packages/connector/src/shared/logger.ts';
import { systemClock } from '../packages/connector/src/shared/clock.ts';
import { parseCheckArguments, recordOdooExchanges, createChecks, describeRequest, describeAnswer, isErrorExchange, errorText, CheckFailed, expect, until, m2oId } from './real-odoo-check-kit.ts';

const args = parseCheckArguments('real-odoo-invoice-check.ts');
const ODOO_URL = args.odooUrl;
const DB = args.db;
const API_KEY = args.apiKey;
const COMPANY = args.company;
// Documents POSTed to Poleepo, as sent (the file as its size): what the checks compare with Odoo's amounts.
const poleepoUploads: { orderId: string; status: number; body: Record<string, unknown> }[] = [];
const recorder = recordOdooExchanges(ODOO_URL, API_KEY, (url, init, response) => {
  const upload = /\/orders\/([^/]+)\/documents$/.exec(new URL(url).pathname);
  if (upload && init.method === 'POST') {
    const body = JSON.parse(String(init.body)) as Record<string, unknown>;
    poleepoUploads.push({ orderId: upload[1]!, status: response.status, body: { ...body, content_base64: `${String(body.content_base64 ?? '').length} base64 chars` } });
  }
});
const { exchanges } = recorder;
const recordingFetch = recorder.fetch;
const { check, report, summary } = createChecks(recorder);

// ---------------------------------------------------------------- the run

interface World {
  ctx: AppContext;
  sandbox: PoleepoSandbox;
  connectionId: number;
  connections: ConnectionsService;
  odoo: OdooClient;
  orders: OrdersService;
  invoices: InvoicesService;
  worker: Worker;
  version: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'real-odoo-invoice-'));
  const logger = args.verbose ? createLogger('info') : silentLogger;
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, 'connector.db')}`, ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    LOG_LEVEL: args.verbose ? 'info' : 'silent', PUBLIC_URL: 'http://127.0.0.1:8099',
  });
  const ctx = await createContext(config, { clock: systemClock, logger, migrate: true, fetch: recordingFetch });
  const client = newSandboxClient();
  const sandbox = await startPoleepoSandbox({ clients: [client] });
  const webhookQueue = new WebhookQueueService(ctx.tasks, ctx.clock);
  defineWebhookTasks(ctx.taskRegistry, webhookQueue);
  const orders = new OrdersService(ctx, webhookQueue);
  defineOrderTasks(ctx, orders, webhookQueue);
  const invoices = new InvoicesService({ db: ctx.db, clock: ctx.clock, logger, tasks: ctx.tasks, connections: orders.connections, orders: orders.repo });
  defineInvoiceTasks(ctx, invoices);
  const worker = new Worker({ queue: ctx.tasks, registry: ctx.taskRegistry, clock: ctx.clock, workerId: 'real-odoo-check', pollIntervalMs: 250, leaseMs: 300_000, heartbeatMs: 30_000 });
  try {
    const connections = new ConnectionsService(ctx);
    const connection = await connections.create({
      name: 'real-odoo',
      odoo: { url: ODOO_URL, db: DB, login: args.login, apiKey: API_KEY, companyId: COMPANY },
      poleepo: { baseUrl: sandbox.url, clientId: client.clientId, clientSecret: client.clientSecret },
    });
    const odoo = await odooClientFor(ctx, connection.id);
    let version = 0;
    const connected = await check('connect: the connector\'s client probes and authenticates', async () => {
      const session = await odoo.connect();
      version = session.version.major;
      return `Odoo ${session.version.major} over ${session.kind}, uid ${session.uid}`;
    });
    if (!connected) return;
    worker.start();
    await run({ ctx, sandbox, connectionId: connection.id, connections, odoo, orders, invoices, worker, version });
  } finally {
    await worker.stop({ timeoutMs: 2000 }).catch(() => undefined);
    await ctx.close().catch(() => undefined);
    await sandbox.stop().catch(() => undefined);
    if (args.exchangesFile) writeFileSync(args.exchangesFile, exchanges.map((e) => JSON.stringify(e)).join('\n') + '\n');
    rmSync(dir, { recursive: true, force: true });
  }
}

type Policy = 'on_confirmation' | 'on_delivery' | 'manual' | 'never';
interface Imported { poleepoId: string; saleOrderId: number; saleOrderName: string; total: number }

async function run(w: World): Promise<void> {
  const { odoo, version } = w;
  const signal = new AbortController().signal;

  // ---- provisioning (the invoice PDF server action among the rest)
  let pdfActionId: number | null = null;
  const provisioned = await check('provision: OdooProvisioning.provision creates the "Poleepo: PDF della fattura" code server action on account.move', async () => {
    const report = await new OdooProvisioning(w.ctx, w.connections).provision(w.connectionId);
    const item = report.items.find((i) => i.label.includes('PDF della fattura'));
    expect(item?.id, `no invoice PDF action in the report: ${JSON.stringify(report.items.map((i) => i.label))}`);
    pdfActionId = item.id!;
    const [action] = await odoo.read('ir.actions.server', [pdfActionId], ['state', 'model_id', 'code', 'binding_model_id']);
    expect(action?.state === 'code', `action ${JSON.stringify(action)}`);
    expect(String(action.code).includes('_render_qweb_pdf'), 'the code does not render the report');
    return `#${pdfActionId}, model ${JSON.stringify(action.model_id)}, binding ${JSON.stringify(action.binding_model_id)}`;
  });
  if (!provisioned) return;

  // ---- test data: a 22 % price-included sales tax, EUR with a pricelist, two storable products with SKUs and stock
  const products: { id: number; tmplId: number; sku: string; name: string }[] = [];
  const dataReady = await check('setup: 22% price-included sales tax, EUR and a EUR pricelist, two storable products with x_poleepo_sku and stock', async () => {
    const included = version === 17 ? { price_include: true } : { price_include_override: 'tax_included' };
    const taxes = await odoo.searchRead('account.tax', [['type_tax_use', '=', 'sale'], ['amount', '=', 22], ['amount_type', '=', 'percent'], ['company_id', '=', COMPANY]], { fields: ['name'] });
    if (!taxes.length) await odoo.create('account.tax', { name: 'IVA 22% incl. (check)', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: COMPANY, ...included });
    const [eur] = await odoo.searchRead('res.currency', [['name', '=', 'EUR']], { fields: ['active'], context: { active_test: false } });
    expect(eur, 'no EUR currency in this database');
    if (!eur.active) await odoo.write('res.currency', [eur.id], { active: true });
    const pricelists = await odoo.search('product.pricelist', [['currency_id', '=', eur.id], ['company_id', 'in', [COMPANY, false]]]);
    if (!pricelists.length) await odoo.create('product.pricelist', { name: 'EUR (check)', currency_id: eur.id, company_id: COMPANY });
    const storable = version === 17 ? ['type', '=', 'product'] : ['is_storable', '=', true];
    const candidates = await odoo.searchRead('product.product', [storable, ['sale_ok', '=', true], ['product_tmpl_id.attribute_line_ids', '=', false]], { fields: ['name', 'qty_available', 'product_tmpl_id'], order: 'id asc', limit: 50 })
      .then((rows) => rows.sort((a, b) => Number(b.qty_available) - Number(a.qty_available) || a.id - b.id).slice(0, 2));
    expect(candidates.length === 2, `only ${candidates.length} storable products without variants`);
    const warehouse = await odoo.searchRead('stock.warehouse', [['company_id', '=', COMPANY]], { fields: ['lot_stock_id'], limit: 1 });
    const stockLocation = m2oId(warehouse[0]?.lot_stock_id);
    expect(stockLocation, 'no warehouse stock location');
    for (const p of candidates) {
      const sku = `RINV-${p.id}`;
      await odoo.write('product.product', [p.id], { x_poleepo_sku: sku });
      if (Number(p.qty_available) < 20) {
        const quant = await odoo.call('stock.quant', 'create', [{ product_id: p.id, location_id: stockLocation, inventory_quantity: 100 }], { context: { inventory_mode: true } });
        await odoo.call('stock.quant', 'action_apply_inventory', [[Array.isArray(quant) ? quant[0] : quant]], { context: { inventory_mode: true } });
      }
      products.push({ id: p.id, tmplId: m2oId(p.product_tmpl_id)!, sku, name: String(p.name) });
    }
    // Invoiced on delivered quantities (Odoo's "Delivered quantities"), so that only a validated delivery makes the
    // order invoiceable; the on_confirmation check switches the first one to ordered quantities.
    await odoo.write('product.template', products.map((p) => p.tmplId), { invoice_policy: 'delivery' });
    return products.map((p) => `${p.sku} = ${p.name} (#${p.id})`).join(', ');
  });
  if (!dataReady) return;

  // ---- helpers: the connection's policy, an imported order, a validated delivery, Invoice Sync until settled
  const setPolicy = async (policy: Policy) => {
    await w.connections.update(w.connectionId, { settings: { invoicePolicy: policy } });
    // The order import's connection cache looks at the connection again after 2 s.
    await new Promise((r) => setTimeout(r, 2_200));
    const seen = (await w.orders.connections.get(w.connectionId)).view.settings.invoicePolicy;
    expect(seen === policy, `policy ${seen} after setting ${policy}`);
  };
  const tasksIdle = async () => {
    const busy = await w.ctx.db.kysely.selectFrom('tasks').select(['id', 'kind']).where('status', 'in', ['pending', 'running']).where('run_at', '<=', Date.now()).limit(1).executeTakeFirst();
    return !busy;
  };
  const syncNow = async () => {
    const totals = await w.invoices.sync.run(signal);
    await until('the invoice and document tasks to finish', tasksIdle, 240_000);
    return totals;
  };
  const importOrder = async (lines: { sku: string; quantity: number; price: number }[], shippingCost = 0): Promise<Imported> => {
    const created = w.sandbox.state.orders.create({ lines, shipping_cost: shippingCost }, Date.now());
    const poleepoId = String(created.id);
    await w.orders.enqueue(w.connectionId, poleepoId, 'manual');
    const binding = await until<OrderBinding>(`order ${poleepoId} to be imported`, async () => {
      const b = await w.orders.repo.find(w.connectionId, poleepoId);
      return b && !(await w.ctx.tasks.serialKeyInFlight(`order:${w.connectionId}:${poleepoId}`)) && b.state !== 'pending' ? b : null;
    }, 120_000);
    expect(binding.state === 'confirmed' && binding.sale_order_id, `binding state ${binding.state}: ${binding.error ?? ''}`);
    const [so] = await odoo.read('sale.order', [binding.sale_order_id!], ['name', 'amount_total']);
    const total = Math.round((lines.reduce((s, l) => s + l.quantity * l.price, 0) + shippingCost) * 100) / 100;
    return { poleepoId, saleOrderId: binding.sale_order_id!, saleOrderName: String(so!.name), total };
  };
  // The merchant's steps go through the emulator package's flows as they are (stock_sms's confirm.stock.sms included).
  const callOdoo = (model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<unknown> => odoo.call(model, method, args, kwargs ?? {});
  const packageTypes = await odoo.searchRead('stock.package.type', [], { fields: ['name'], order: 'id asc' });
  const box = packageTypes.find((t) => String(t.name).toLowerCase() === 'box') ?? packageTypes[0];
  const deliver = async (saleOrderId: number) => {
    const [picking] = await odoo.searchRead('stock.picking', [['sale_id', '=', saleOrderId], ['picking_type_code', '=', 'outgoing']], { fields: ['name', 'state'] });
    expect(picking, `sale order ${saleOrderId} has no delivery`);
    expect(box, 'the database has no package type');
    const done = await packAndValidateDelivery(callOdoo, { version: version as 17 | 18 | 19, pickingId: picking.id, packages: [{ packageTypeId: box.id, shippingWeight: 2 }] });
    expect(done.state === 'done', `picking ${picking.name} state ${done.state}`);
    return { pickingId: picking.id, pickingName: String(picking.name) };
  };
  const moveFields = ['name', 'state', 'move_type', 'invoice_origin', 'invoice_date', 'amount_untaxed', 'amount_tax', 'amount_total', 'currency_id', 'reversed_entry_id'];
  const movesOf = async (saleOrderId: number) => {
    const [so] = await odoo.read('sale.order', [saleOrderId], ['name', 'invoice_ids', 'invoice_status']);
    return odoo.searchRead('account.move', ['|', ['id', 'in', so!.invoice_ids as number[]], ['invoice_origin', '=', so!.name]], { fields: moveFields, order: 'id asc' });
  };
  const rowsOf = (poleepoId: string) => w.invoices.repo.ofOrder(w.connectionId, poleepoId);
  const uploads = (poleepoId: string) => poleepoUploads.filter((u) => u.orderId === poleepoId);
  const invoiceTasks = async () => (await w.ctx.tasks.list({ connectionId: w.connectionId, kind: 'invoices.order' }, { limit: 200 })).rows;

  /**
   * Whether this Odoo renders PDFs: null until the first render. With an engine, every invoice must reach Poleepo;
   * without one, every invoice must stop at rendering with the plain-words error and a task that ended well.
   */
  let pdfEngine: boolean | null = null;

  /** The checks of one invoice or credit note the connector took as far as it could. */
  const checkInvoice = async (label: string, o: Imported, kind: 'INVOICE' | 'CREDIT_NOTE', expected: Partial<InvoiceRow>) => {
    let row: InvoiceRow | undefined;
    const made = await check(`${label}: the ${kind === 'INVOICE' ? 'invoice' : 'credit note'} made in Odoo and posted (one account.move ${kind === 'INVOICE' ? 'out_invoice' : 'out_refund'}, numbered)`, async () => {
      const rows = (await rowsOf(o.poleepoId)).filter((r) => r.kind === kind);
      expect(rows.length === 1, `${rows.length} ${kind} rows: ${JSON.stringify(rows.map((r) => ({ id: r.id, step: r.step, error: r.error })))}`);
      row = rows[0]!;
      for (const [k, v] of Object.entries(expected)) expect((row as unknown as Record<string, unknown>)[k] === v, `row ${k} = ${JSON.stringify((row as unknown as Record<string, unknown>)[k])}, expected ${JSON.stringify(v)}`);
      const moves = (await movesOf(o.saleOrderId)).filter((m) => m.move_type === (kind === 'INVOICE' ? 'out_invoice' : 'out_refund'));
      expect(moves.length === 1, `${moves.length} such moves in Odoo: ${JSON.stringify(moves.map((m) => [m.id, m.name, m.state]))}`);
      const m = moves[0]!;
      expect(m.id === row.move_id, `Odoo move #${m.id}, the row follows #${row.move_id}`);
      expect(m.state === 'posted', `move state ${m.state}`);
      expect(typeof m.name === 'string' && /^(INV|RINV)\/\d{4}\/\d+$/.test(m.name) && m.name === row.move_name, `move name ${JSON.stringify(m.name)}, row ${row.move_name}`);
      expect(m.invoice_date === row.invoice_date, `invoice_date ${m.invoice_date} vs row ${row.invoice_date}`);
      return `${m.name} (#${m.id}) ${m.invoice_date}, untaxed ${m.amount_untaxed} + tax ${m.amount_tax} = ${m.amount_total} ${JSON.stringify(m.currency_id)}; origin ${JSON.stringify(m.invoice_origin)}${m.reversed_entry_id ? `, reverses ${JSON.stringify(m.reversed_entry_id)}` : ''}; row step ${row.step}`;
    });
    if (!made || !row) return null;
    const r = row as InvoiceRow;
    if (pdfEngine === null) pdfEngine = r.step === 'sent' ? true : r.error_code === 'no_wkhtmltopdf' ? false : null;
    if (pdfEngine === false) {
      await check(`${label}: no wkhtmltopdf on this Odoo — stopped at the PDF in plain words, the task ended (not dead), nothing sent to Poleepo`, async () => {
        expect(r.step === 'failed' && r.failed_step === 'rendering' && r.error_code === 'no_wkhtmltopdf', `row ${JSON.stringify({ step: r.step, failed_step: r.failed_step, error_code: r.error_code, error: r.error })}`);
        expect(/wkhtmltopdf/.test(r.error ?? '') && /not installed on the Odoo server/.test(r.error ?? '') && !/Traceback|odoo\.exceptions/.test(r.error ?? ''), `error ${r.error}`);
        expect(r.retry_at !== null, 'no retry time (the job would never try again once wkhtmltopdf is installed)');
        const tasks = (await invoiceTasks()).filter((t) => String(t.payload).includes(`"poleepoOrderId":"${o.poleepoId}"`));
        expect(tasks.length > 0 && tasks.every((t) => t.status === 'done'), `tasks ${JSON.stringify(tasks.map((t) => ({ id: t.id, status: t.status, attempts: t.attempts, last_error: t.last_error })))}`);
        expect(w.sandbox.state.orders.documentsOf(o.poleepoId).filter((d) => d.type === kind).length === 0, 'a document reached Poleepo');
        const pdf = await odoo.search('ir.attachment', [['res_model', '=', 'account.move'], ['res_id', '=', r.move_id], ['name', '=', invoiceFileName(r.move_name!)]]);
        expect(pdf.length === 0, `an attachment ${JSON.stringify(pdf)}`);
        // What Odoo answered to the server action's run, as the connector received it.
        const answer = [...exchanges].reverse().find((e) => describeRequest(e).includes('ir.actions.server.run') && isErrorExchange(e));
        return `"${r.error}"; tasks done; Odoo answered: ${answer ? describeAnswer(answer).slice(0, 300) : '(not recorded)'}`;
      });
      return r;
    }
    await check(`${label}: its PDF made by the server action (one application/pdf attachment of the move) and sent to Poleepo with number, date, amounts`, async () => {
      expect(r.step === 'sent', `row step ${r.step}: ${r.error_code ?? ''} ${r.error ?? ''}`);
      const fileName = invoiceFileName(r.move_name!);
      const atts = await odoo.searchRead('ir.attachment', [['res_model', '=', 'account.move'], ['res_id', '=', r.move_id], ['name', '=', fileName]], { fields: ['mimetype', 'file_size', 'datas'] });
      expect(atts.length === 1 && atts[0]!.id === r.attachment_id, `attachments ${JSON.stringify(atts.map((a) => a.id))}, row ${r.attachment_id}`);
      const pdf = Buffer.from(String(atts[0]!.datas), 'base64');
      expect(atts[0]!.mimetype === 'application/pdf' && pdf.subarray(0, 5).toString() === '%PDF-', `mimetype ${atts[0]!.mimetype}, starts ${JSON.stringify(pdf.subarray(0, 8).toString())}`);
      const docs = w.sandbox.state.orders.documentsOf(o.poleepoId).filter((d) => d.type === kind);
      expect(docs.length === 1, `${docs.length} ${kind} documents on Poleepo`);
      const d = docs[0]!;
      expect(d.id === r.poleepo_document_id && d.number === r.move_name && d.date === r.invoice_date && d.file_name === fileName, `document ${JSON.stringify({ id: d.id, number: d.number, date: d.date, file_name: d.file_name })}`);
      expect(d.content.equals(pdf), `Poleepo's file (${d.content.length} bytes) differs from Odoo's PDF (${pdf.length} bytes)`);
      const [m] = await odoo.read('account.move', [r.move_id!], moveFields);
      const sent = uploads(o.poleepoId).filter((u) => u.body.type === kind);
      expect(sent.length === 1 && sent[0]!.status === 201, `uploads ${JSON.stringify(sent.map((u) => u.status))}`);
      const b = sent[0]!.body;
      const cents = (v: unknown) => Math.round(Number(v) * 100);
      expect(cents(b.amount_total) === cents(m!.amount_total) && cents(b.amount_untaxed) === cents(m!.amount_untaxed) && cents(b.amount_tax) === cents(m!.amount_tax),
        `sent ${b.amount_untaxed} + ${b.amount_tax} = ${b.amount_total}, Odoo ${m!.amount_untaxed} + ${m!.amount_tax} = ${m!.amount_total}`);
      expect(cents(b.amount_untaxed) + cents(b.amount_tax) === cents(b.amount_total), 'untaxed + tax is not the total to the cent');
      expect(cents(m!.amount_total) === Math.round(o.total * 100), `Odoo's total ${m!.amount_total} is not Poleepo's order total ${o.total}`);
      return `${d.number} ${d.date} ${d.file_name} ${d.content.length} bytes; sent ${b.amount_untaxed} + ${b.amount_tax} = ${b.amount_total} ${b.currency}`;
    });
    return r;
  };

  // ---- on_delivery (the default): nothing before the delivery; then invoiced through the wizard, posted, PDF, sent
  await check('policy on_delivery is the default', async () => {
    const policy = (await w.orders.connections.get(w.connectionId)).view.settings.invoicePolicy;
    expect(policy === 'on_delivery', `policy ${policy}`);
    return policy;
  });
  let first: Imported | null = null;
  await check('on_delivery: an imported, confirmed order gets no invoice from Invoice Sync before its delivery is validated', async () => {
    first = await importOrder([{ sku: products[0]!.sku, quantity: 2, price: 61 }, { sku: products[1]!.sku, quantity: 1, price: 24.4 }]);
    await syncNow();
    const rows = await rowsOf(first.poleepoId);
    const moves = await movesOf(first.saleOrderId);
    expect(rows.length === 0 && moves.length === 0, `rows ${rows.length}, moves ${JSON.stringify(moves.map((m) => m.id))}`);
    return `${first.saleOrderName}: nothing`;
  });
  if (first) {
    const o = first as Imported;
    await check('on_delivery: the delivery validated with packAndValidateDelivery; Invoice Sync queues the order and invoices it', async () => {
      const d = await deliver(o.saleOrderId);
      const totals = await syncNow();
      expect(totals.invoiceOrders >= 1, `sync totals ${JSON.stringify(totals)}`);
      return `${d.pickingName} done; sync ${JSON.stringify(totals)}`;
    });
    const row = await checkInvoice('on_delivery', o, 'INVOICE', { origin: 'connector', trigger: 'on_delivery' });
    await check('on_delivery: the wizard path as recorded (sale.advance.payment.inv create + create_invoices answered a window action on account.move)', () => {
      // JSON-RPC (17/18) carries it in execute_kw; JSON-2 (19) in the URL, answering the value itself.
      const created = exchanges.find((e) => describeRequest(e).includes('sale.advance.payment.inv.create_invoices') || e.url.startsWith('/json/2/sale.advance.payment.inv/create_invoices'));
      expect(created, 'no create_invoices call recorded');
      const response = created.response as { result?: unknown } | null;
      const answer = (created.url.startsWith('/json/2/') ? response : response?.result) as { type?: string; res_model?: string; res_id?: number } | undefined;
      expect(answer?.type === 'ir.actions.act_window' && answer.res_model === 'account.move', `answered ${JSON.stringify(answer)}`);
      return `answered ${JSON.stringify(answer).slice(0, 300)}`;
    });
    if (row) {
      await check('on_delivery: a second Invoice Sync makes nothing more (Odoo, Poleepo, rows)', async () => {
        await syncNow();
        const rows = await rowsOf(o.poleepoId);
        const moves = await movesOf(o.saleOrderId);
        expect(rows.length === 1 && moves.length === 1 && w.sandbox.state.orders.documentsOf(o.poleepoId).length === (pdfEngine ? 1 : 0), `rows ${rows.length}, moves ${moves.length}`);
        return 'unchanged';
      });
      if (pdfEngine === false) {
        await check('no wkhtmltopdf: a person\'s "invoices send" resumes the row and stops again in the same words (no second invoice)', async () => {
          await w.invoices.send(w.connectionId, o.poleepoId, 'real-odoo-check');
          await until('the send to finish', tasksIdle, 240_000);
          const rows = await rowsOf(o.poleepoId);
          expect(rows.length === 1 && rows[0]!.step === 'failed' && rows[0]!.error_code === 'no_wkhtmltopdf', `rows ${JSON.stringify(rows.map((r) => [r.step, r.error_code]))}`);
          expect((await movesOf(o.saleOrderId)).length === 1, 'a second move');
          return rows[0]!.error!;
        });
      }
    }
  }

  // ---- on_confirmation: a product invoiced on ordered quantities, invoiced as soon as the order is confirmed
  let confirmed: Imported | null = null;
  await check('on_confirmation: policy set; an order of a product invoiced on ordered quantities is invoiced at the next Invoice Sync, before any delivery', async () => {
    await setPolicy('on_confirmation');
    await odoo.write('product.template', [products[0]!.tmplId], { invoice_policy: 'order' });
    const o = await importOrder([{ sku: products[0]!.sku, quantity: 3, price: 12.2 }]);
    await syncNow();
    const pickings = await odoo.searchRead('stock.picking', [['sale_id', '=', o.saleOrderId]], { fields: ['state'] });
    expect(pickings.every((p) => p.state !== 'done'), `a delivery is done: ${JSON.stringify(pickings)}`);
    await odoo.write('product.template', [products[0]!.tmplId], { invoice_policy: 'delivery' });
    confirmed = o;
    return `${o.saleOrderName}, deliveries ${JSON.stringify(pickings.map((p) => p.state))}`;
  });
  if (confirmed) await checkInvoice('on_confirmation', confirmed, 'INVOICE', { origin: 'connector', trigger: 'on_confirmation' });

  // ---- manual: nothing until a person's send
  let manual: Imported | null = null;
  await check('manual: policy set; a delivered order gets nothing from Invoice Sync; "invoices send" invoices it', async () => {
    await setPolicy('manual');
    const o = await importOrder([{ sku: products[1]!.sku, quantity: 2, price: 36.6 }]);
    await deliver(o.saleOrderId);
    await syncNow();
    const before = await rowsOf(o.poleepoId);
    expect(before.length === 0 && (await movesOf(o.saleOrderId)).length === 0, `rows ${before.length} before send`);
    const { taskId } = await w.invoices.send(w.connectionId, o.poleepoId, 'real-odoo-check');
    await until('the send to finish', tasksIdle, 240_000);
    manual = o;
    return `${o.saleOrderName}: nothing before send; task #${taskId}`;
  });
  if (manual) {
    const m = manual as Imported;
    const row = await checkInvoice('manual send', m, 'INVOICE', { origin: 'connector', trigger: 'send' });
    if (row && pdfEngine) {
      await check('manual: a second send finds the invoice on Poleepo (no second move, no second document)', async () => {
        await w.invoices.send(w.connectionId, m.poleepoId, 'real-odoo-check');
        await until('the send to finish', tasksIdle, 240_000);
        expect((await movesOf(m.saleOrderId)).length === 1 && w.sandbox.state.orders.documentsOf(m.poleepoId).length === 1 && (await rowsOf(m.poleepoId)).length === 1, 'doubled');
        return 'unchanged';
      });
    }
  }

  // ---- an invoice made by hand in Odoo (the merchant's Create Invoice + Confirm), picked up; then a credit note
  let byHand: Imported | null = null;
  let handMoveId = 0;
  await check('by hand: an invoice made in Odoo by the merchant (invoiceSaleOrder: the wizard, then action_post) is picked up by Invoice Sync', async () => {
    const o = await importOrder([{ sku: products[0]!.sku, quantity: 1, price: 48.8 }, { sku: products[1]!.sku, quantity: 1, price: 12.2 }], 6.1);
    await deliver(o.saleOrderId);
    const done = await invoiceSaleOrder(callOdoo, { version: version as 17 | 18 | 19, saleOrderId: o.saleOrderId });
    expect(done.moveIds.length === 1 && done.states[0] === 'posted', `invoiceSaleOrder answered ${JSON.stringify(done)}`);
    handMoveId = done.moveIds[0]!;
    await syncNow();
    byHand = o;
    return `${done.names[0]} (#${handMoveId})`;
  });
  if (byHand) {
    const o = byHand as Imported;
    const row = await checkInvoice('by hand', o, 'INVOICE', { origin: 'odoo', move_id: handMoveId });
    if (row) {
      await check('credit note: the order cancelled on Poleepo and imported again; Invoice Sync reverses the invoice (account.move.reversal → refund_moves)', async () => {
        w.sandbox.state.orders.setStatus(o.poleepoId, 'CANCELED', false, Date.now());
        await w.orders.enqueue(w.connectionId, o.poleepoId, 'manual');
        await until('the cancellation to be imported', async () => {
          const b = await w.orders.repo.find(w.connectionId, o.poleepoId);
          return b?.poleepo_status === 'CANCELED' && !(await w.ctx.tasks.serialKeyInFlight(`order:${w.connectionId}:${o.poleepoId}`));
        }, 120_000);
        const b = (await w.orders.repo.find(w.connectionId, o.poleepoId))!;
        await syncNow();
        return `binding ${b.state}, flag ${JSON.stringify(b.flag)}`;
      });
      // A credit note's amounts are the invoice's: the whole order credited.
      const credit = await checkInvoice('credit note', o, 'CREDIT_NOTE', { origin: 'connector', trigger: 'cancel', reversed_move_id: handMoveId });
      if (credit) {
        await check('credit note: a further Invoice Sync makes no second credit note', async () => {
          await syncNow();
          const refunds = (await movesOf(o.saleOrderId)).filter((m) => m.move_type === 'out_refund');
          expect(refunds.length === 1, `${refunds.length} credit notes`);
          return 'one';
        });
      }
    }
  }

  // ---- never: nothing made, nothing picked up, a send refused
  await check('never: policy set; a delivered order invoiced by hand gets nothing from Invoice Sync, and "invoices send" is refused', async () => {
    await setPolicy('never');
    const o = await importOrder([{ sku: products[1]!.sku, quantity: 1, price: 12.2 }]);
    await deliver(o.saleOrderId);
    await invoiceSaleOrder(callOdoo, { version: version as 17 | 18 | 19, saleOrderId: o.saleOrderId });
    await syncNow();
    expect((await rowsOf(o.poleepoId)).length === 0 && w.sandbox.state.orders.documentsOf(o.poleepoId).length === 0, 'something was made or sent');
    const refused = await w.invoices.send(w.connectionId, o.poleepoId, 'real-odoo-check').then(() => null, (e: unknown) => (e as Error).message);
    expect(refused && /never/.test(refused), `send answered ${refused}`);
    return refused;
  });

  // ---- documents from Poleepo to Odoo: a waybill and an invoice Poleepo holds, attached once with a chatter note
  if (first) {
    const o = first as Imported;
    await check('documents: a waybill and an invoice Poleepo holds for the order are attached to the sale order (the waybill also to the delivery), with one chatter note each', async () => {
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
      const now = Date.now();
      const waybill = w.sandbox.state.orders.addDocument(Number(o.poleepoId), { type: 'WAYBILL', number: 'LDV-CHECK-1', date: '2026-01-02', file_name: 'waybill_check.pdf', content: pdf }, now);
      const other = w.sandbox.state.orders.addDocument(Number(o.poleepoId), { type: 'INVOICE', number: 'POL-7', date: '2026-01-02', file_name: 'fattura_poleepo_7.pdf', content: pdf }, now);
      const outcome = await w.invoices.importDocuments(w.connectionId, o.poleepoId, signal);
      const again = await w.invoices.importDocuments(w.connectionId, o.poleepoId, signal);
      expect(again.imported === 0, `a second import imported ${again.imported}`);
      const [picking] = await odoo.search('stock.picking', [['sale_id', '=', o.saleOrderId], ['picking_type_code', '=', 'outgoing'], ['state', '=', 'done']]);
      const att = (model: string, id: number, name: string) => odoo.search('ir.attachment', [['res_model', '=', model], ['res_id', '=', id], ['name', '=', name]]);
      expect((await att('sale.order', o.saleOrderId, 'waybill_check.pdf')).length === 1 && (await att('stock.picking', picking!, 'waybill_check.pdf')).length === 1, 'waybill attachments');
      expect((await att('sale.order', o.saleOrderId, 'fattura_poleepo_7.pdf')).length === 1 && (await att('stock.picking', picking!, 'fattura_poleepo_7.pdf')).length === 0, 'invoice attachments');
      for (const d of [waybill, other]) {
        const notes = await odoo.searchRead('mail.message', [['model', '=', 'sale.order'], ['res_id', '=', o.saleOrderId], ['body', 'ilike', documentMarker(d.id)]], { fields: ['body', 'attachment_ids'] });
        expect(notes.length === 1 && (notes[0]!.attachment_ids as number[]).length === 1, `notes for document ${d.id}: ${JSON.stringify(notes)}`);
      }
      return `outcome ${JSON.stringify(outcome.documents.map((d) => [d.type, d.step]))}`;
    });
  }
}

main()
  .catch((error: unknown) => {
    report('the check itself', false, errorText(error));
    if (error instanceof Error && error.stack && !(error instanceof CheckFailed)) console.log(error.stack);
  })
  .finally(() => process.exit(summary()));
