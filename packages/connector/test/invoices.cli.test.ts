/**
 * The invoices and documents commands, run in-process as a user would run them, against the Odoo emulator (provisioned
 * with `odoo provision`, so the invoice PDF action is there) and the Poleepo sandbox: `invoices send` on the manual
 * policy, `invoices list` (table, --status, --json), `documents list` (table, --json), one-line refusals, and the plain
 * stop when Odoo cannot make PDFs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packAndValidateDelivery, startOdooEmulator, type OdooEmulator } from '@poleepo-odoo/odoo-emulator';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import { cli } from './helpers/cli.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';
import { loadConfig } from '../src/config/env.ts';
import { createContext } from '../src/app/context.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { useCompanyCurrency } from './orders.fixture.ts';

describe('invoices and documents CLI', () => {
  let dir: string | undefined;
  let odoo: OdooEmulator | undefined;
  let sandbox: PoleepoSandbox | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    await odoo?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = odoo = sandbox = undefined;
  });

  async function setup() {
    dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-invoices-cli-'));
    const env = { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, PUBLIC_URL: 'http://127.0.0.1:8080' };
    odoo = await startOdooEmulator({ version: 18 });
    useCompanyCurrency(odoo);
    odoo.call('account.tax', 'create', [{ name: 'IVA 22% incl.', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: 1, price_include_override: 'tax_included' }]);
    sandbox = await startPoleepoSandbox();
    const ctx = await createContext(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { migrate: true, logger: silentLogger });
    const key = sandbox.clients[0]!;
    await new ConnectionsService(ctx).create({
      name: 'shop', odoo: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, companyId: 1 },
      poleepo: { baseUrl: sandbox.url, clientId: key.clientId, clientSecret: key.clientSecret }, settings: { invoicePolicy: 'manual' },
    });
    await ctx.close();
    const provisioned = await cli(['odoo', 'provision'], env);
    expect(provisioned.stdout).toMatch(/\[created\] {3}server action "Poleepo: PDF della fattura" \(id \d+\)/);
    return env;
  }

  /** An order imported with the CLI, its delivery validated in Odoo: its Poleepo id. */
  async function deliveredOrder(env: Record<string, string>): Promise<string> {
    const order = sandbox!.state.orders.create({ lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }, { sku: 'FURN_0098', quantity: 2, price: 45.5 }] }, Date.now());
    const imported = await cli(['orders', 'import', '--since', '2020-01-01T00:00:00Z'], env);
    expect(imported.stdout).toMatch(/1 confirmed/);
    const [so] = odoo!.call('sale.order', 'search_read', [[['x_poleepo_order_id', '=', String(order.id)]]], { fields: ['id'] }) as { id: number }[];
    const [picking] = odoo!.call('stock.picking', 'search_read', [[['sale_id', '=', so!.id]]], { fields: ['name'] }) as { id: number; name: string }[];
    await packAndValidateDelivery((m, meth, args, kw) => odoo!.call(m, meth, args, kw ?? {}), { version: 18, pickingId: picking!.id, packages: [{ packageTypeId: 2, shippingWeight: 3 }] });
    return String(order.id);
  }

  it('sends an invoice on request, lists it, lists the order\'s documents; refuses bad input in one line', async () => {
    const env = await setup();
    expect(await cli(['invoices', 'list'], env)).toMatchObject({ code: 0, stdout: 'No invoices on connection shop.\n' });
    const id = await deliveredOrder(env);

    const sent = await cli(['invoices', 'send', id], env);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/^Invoice INV\/\d{4}\/\d{5} of \d{4}-\d{2}-\d{2}, 391\.00 EUR: on Poleepo \(document \d+\)\.\n$/);
    const number = /Invoice (\S+)/.exec(sent.stdout)![1]!;

    const table = await cli(['invoices', 'list'], env);
    expect(table.stdout).toMatch(/^ID\s+TYPE\s+NUMBER\s+ORDER\s+POLEEPO\s+DATE\s+TOTAL\s+STATUS\s+MADE\s+UPDATED$/m);
    expect(table.stdout).toMatch(new RegExp(`^1\\s+invoice\\s+${number.replace(/\//g, '\\/')}\\s+S\\d+\\s+${id}\\s+\\S+\\s+391\\.00 EUR\\s+sent\\s+connector\\s+`, 'm'));
    const json = JSON.parse((await cli(['invoices', 'list', '--status', 'sent', '--json'], env)).stdout) as { total: number; invoices: Record<string, unknown>[] };
    expect(json.total).toBe(1);
    expect(json.invoices[0]).toMatchObject({ type: 'INVOICE', madeBy: 'connector', trigger: 'send', status: 'sent', number, amountTotal: 391, currency: 'EUR', poleepoOrderId: id, error: null });
    expect(Number(json.invoices[0]!.amountUntaxed) + Number(json.invoices[0]!.amountTax)).toBeCloseTo(391, 10);
    expect((await cli(['invoices', 'list', '--status', 'failed'], env)).stdout).toBe('No invoices with status failed on connection shop.\n');

    // Sent again: nothing new, the same document.
    const again = await cli(['invoices', 'send', id, '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ ranHere: true, outcome: 'done', invoices: [{ number, status: 'sent' }] });
    expect(sandbox!.state.orders.documentsOf(id)).toHaveLength(1);

    const docs = await cli(['documents', 'list', id], env);
    expect(docs.stdout).toMatch(/^ID\s+TYPE\s+NUMBER\s+DATE\s+FILE\s+STATE$/m);
    expect(docs.stdout).toMatch(new RegExp(`^\\d+\\s+INVOICE\\s+${number.replace(/\//g, '\\/')}\\s+\\S+\\s+${number.replace(/\//g, '_')}\\.pdf\\s+sent by the connector$`, 'm'));
    const docsJson = JSON.parse((await cli(['documents', 'list', id, '--json'], env)).stdout) as { documents: { type: string; state: string }[] };
    expect(docsJson.documents).toEqual([expect.objectContaining({ type: 'INVOICE', number, state: 'sent' })]);

    for (const [args, message] of [
      [['invoices', 'list', '--status', 'lost'], 'Error: --status must be one of creating, posting, rendering, uploading, sent, failed (got "lost")'],
      [['invoices', 'send', '999999'], 'Error: No Poleepo order 999999 on connection "shop"'],
      [['invoices', 'send', id, '--connection', 'nope'], 'Error: No connection named "nope"'],
    ] as const) {
      const r = await cli([...args], env);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toContain(message);
    }
  });

  it('documents import: one order\'s documents now, or every recent order\'s; each once (table and --json); an unknown order refused in one line', async () => {
    const env = await setup();
    const id = await deliveredOrder(env);
    const pdf = Buffer.from('%PDF-1.4\n% made in Poleepo\n%%EOF\n');
    const waybill = sandbox!.state.orders.addDocument(Number(id), { type: 'WAYBILL', number: 'SDA123', date: '2026-03-02', file_name: 'waybill_SDA123.pdf', content: pdf }, Date.now());

    const one = await cli(['documents', 'import', id], env);
    expect(one).toMatchObject({ code: 0, stderr: '' });
    expect(one.stdout).toBe(`Order ${id}: 1 of 1 document(s) in Odoo\n`);
    const [so] = odoo!.call('sale.order', 'search_read', [[['x_poleepo_order_id', '=', id]]], { fields: ['id'] }) as { id: number }[];
    const attachments = () => odoo!.call('ir.attachment', 'search_read', [[['res_model', '=', 'sale.order'], ['res_id', '=', so!.id]]], { fields: ['name'] }) as { name: string }[];
    expect(attachments().map((a) => a.name)).toEqual(['waybill_SDA123.pdf']);

    // A later document, and "every recent order": the new one imported, the first not again.
    const later = sandbox!.state.orders.addDocument(Number(id), { type: 'INVOICE', number: 'FT-9', date: '2026-03-03', file_name: 'FT-9.pdf', content: pdf }, Date.now());
    const all = await cli(['documents', 'import', '--json'], env);
    expect(all.code).toBe(0);
    const json = JSON.parse(all.stdout) as { connection: string; orders: { poleepoOrderId: string; outcome: string; documents: Record<string, unknown>[] }[] };
    expect(json).toMatchObject({ connection: 'shop', orders: [{ poleepoOrderId: id, outcome: 'done' }] });
    expect(json.orders[0]!.documents).toEqual([
      expect.objectContaining({ id: waybill.id, type: 'WAYBILL', number: 'SDA123', state: 'done', error: null }),
      expect.objectContaining({ id: later.id, type: 'INVOICE', number: 'FT-9', state: 'done', error: null }),
    ]);
    expect(attachments().map((a) => a.name).sort()).toEqual(['FT-9.pdf', 'waybill_SDA123.pdf']);
    const listed = JSON.parse((await cli(['documents', 'list', id, '--json'], env)).stdout) as { documents: { id: number; state: string }[] };
    expect(listed.documents.map((d) => d.state)).toEqual(['imported', 'imported']);

    const unknown = await cli(['documents', 'import', '999999'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain('No Poleepo order 999999 on connection "shop"');
    expect((await cli(['documents', 'import', '--help'], env)).stdout).toMatch(/Usage: poleepo-odoo documents import \[options\] \[poleepoOrderId\]/);
  });

  it('Odoo cannot make PDFs: send says so in plain words and exits non-zero; the invoice is listed as failed', async () => {
    const env = await setup();
    const id = await deliveredOrder(env);
    odoo!.knobs.wkhtmltopdf = false;
    const r = await cli(['invoices', 'send', id], env);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/^Invoice INV\/\d{4}\/\d{5}: stopped — Odoo cannot make the PDF/);
    expect(r.stderr).toMatch(/wkhtmltopdf, the program Odoo prints PDFs with, is not installed on the Odoo server/);
    const listed = await cli(['invoices', 'list', '--status', 'failed'], env);
    expect(listed.stdout).toMatch(/failed/);
    expect(listed.stdout).toMatch(/^ {2}#1 INV\/\d{4}\/\d{5}: Odoo cannot make the PDF/m);

    odoo!.knobs.wkhtmltopdf = true;
    const fixed = await cli(['invoices', 'send', id], env);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/: on Poleepo \(document \d+\)\.\n$/);
  });
});
