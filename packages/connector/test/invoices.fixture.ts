/**
 * Shared arrangement of the invoice and document tests: the shipping world (emulator, sandbox, connection, real order
 * import and shipping services and worker, one ManualClock) plus the invoice PDF server action as `odoo provision`
 * makes it, the invoices service with its tasks, and the merchant's steps in Odoo (validate a delivery, invoice an
 * order by hand with the emulator's flow, cancel on Poleepo).
 */
import { invoiceSaleOrder } from '@poleepo-odoo/odoo-emulator';
import { InvoicesService } from '../src/invoices/invoices.service.ts';
import { defineInvoiceTasks } from '../src/invoices/invoices.tasks.ts';
import type { InvoiceRow, OrderDocumentRow } from '../src/invoices/invoices.tables.ts';
import type { ConnectionSettingsInput } from '../src/connections/connections.settings.ts';
import { ModuleRecords } from '../src/provisioning/provisioning.records.ts';
import { actionItems, modelIds } from '../src/provisioning/provisioning.plan.ts';
import { buttonActions } from '../src/provisioning/provisioning.actions.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { shippingWorld, type ShippingWorld } from './shipping.fixture.ts';
import type { WorldOptions } from './orders.fixture.ts';
import { eventually } from './helpers/wait.ts';

export interface InvoicesWorld extends ShippingWorld {
  invoices: InvoicesService;
  /** The connection's settings changed (the invoice policy…), as `connection` commands or the console change them. */
  setPolicy(policy: 'on_confirmation' | 'on_delivery' | 'manual' | 'never' | 'none'): Promise<void>;
  /** Any change of the connection's settings, the same way. */
  setSettings(patch: ConnectionSettingsInput): Promise<void>;
  /** Runs the Invoice Sync job once and waits until every task it queued (and what they queue) is finished. */
  syncNow(): Promise<void>;
  /** Waits until no invoice or document task of the order is queued or running. */
  settled(poleepoId: string): Promise<void>;
  rows(poleepoId: string): Promise<InvoiceRow[]>;
  documents(poleepoId: string): Promise<OrderDocumentRow[]>;
  /** Customer invoices and credit notes of a sale order in Odoo. */
  moves(saleOrderId: number): { id: number; name: string | false; state: string; move_type: string; amount_untaxed: number; amount_tax: number; amount_total: number; invoice_date: string | false; reversed_entry_id: [number, string] | false }[];
  /** Invoices the order by hand in Odoo (the merchant's "Create Invoice", then "Confirm" unless post is false). */
  invoiceByHand(saleOrderId: number, post?: boolean): Promise<number[]>;
  /** The documents Poleepo holds for the order (the sandbox's own record). */
  poleepoDocuments(poleepoId: string): { id: number; type: string; number: string | null; date: string | null; file_name: string; content: Buffer }[];
}

/** Creates the invoice PDF server action the way `odoo provision` does (same xmlid, same code). */
export async function provisionInvoicePdfAction(w: ShippingWorld): Promise<number> {
  const client = (await w.orders.connections.get(w.connectionId)).odoo;
  const records = new ModuleRecords(client);
  await records.load();
  const models = await modelIds(client, ['stock.picking', 'account.move']);
  const item = actionItems(buttonActions({ publicUrl: 'http://127.0.0.1', connections: [] }), models)[2]!;
  const change = await records.ensure(item.ref, item.spec);
  return change.id!;
}

export async function invoicesWorld(options: WorldOptions & { policy?: 'on_confirmation' | 'on_delivery' | 'manual' | 'never' | 'none'; pdfAction?: boolean }): Promise<InvoicesWorld> {
  const w = await shippingWorld({ ...options, settings: { ...options.settings, ...(options.policy ? { invoicePolicy: options.policy } : {}) } });
  if (options.pdfAction !== false) await provisionInvoicePdfAction(w);
  const invoices = new InvoicesService({ db: w.db, clock: w.clock, logger: silentLogger, tasks: w.ctx.tasks, connections: w.orders.connections, orders: w.orders.repo });
  defineInvoiceTasks(w.ctx, invoices);
  const call = (model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>) => w.odoo.call(model, method, args, kwargs ?? {});
  const inFlight = async (poleepoId: string) => w.ctx.tasks.serialKeyInFlight(`invoices:${w.connectionId}:${poleepoId}`);
  const world: InvoicesWorld = Object.assign(w, {
    invoices,
    setPolicy: (policy: Parameters<InvoicesWorld['setPolicy']>[0]) => world.setSettings({ invoicePolicy: policy }),
    async setSettings(patch: ConnectionSettingsInput) {
      const { ConnectionsService } = await import('../src/connections/connections.service.ts');
      const connections = new ConnectionsService(w.ctx);
      w.clock.advance(1_000); // a new updated_at: the clients' cache sees the change
      await connections.update(w.connectionId, { settings: patch });
      w.clock.advance(3_000); // the clients' connection cache looks again after 2 s
    },
    async syncNow() {
      await invoices.sync.run(new AbortController().signal);
      await eventually(async () => {
        const busy = await w.db.kysely.selectFrom('tasks').select('id').where('lane', '=', 'invoices').where('status', 'in', ['pending', 'running']).where('run_at', '<=', w.clock.now()).limit(1).executeTakeFirst();
        return !busy;
      }, 30_000, 'the invoice tasks to finish');
    },
    settled: (poleepoId: string) => eventually(async () => !(await inFlight(poleepoId)), 30_000, `the invoice tasks of order ${poleepoId} to finish`).then(() => undefined),
    rows: (poleepoId: string) => invoices.repo.ofOrder(w.connectionId, poleepoId),
    documents: (poleepoId: string) => invoices.repo.documentsOf(w.connectionId, poleepoId),
    moves: (saleOrderId: number) => {
      const [order] = call('sale.order', 'read', [[saleOrderId]], { fields: ['name', 'invoice_ids'] }) as { name: string; invoice_ids: number[] }[];
      return call('account.move', 'search_read', [['|', ['id', 'in', order!.invoice_ids], ['invoice_origin', '=', order!.name]]], {
        fields: ['name', 'state', 'move_type', 'amount_untaxed', 'amount_tax', 'amount_total', 'invoice_date', 'reversed_entry_id'], order: 'id asc',
      }) as ReturnType<InvoicesWorld['moves']>;
    },
    async invoiceByHand(saleOrderId: number, post = true) {
      const done = await invoiceSaleOrder((m, f, a, k) => w.odoo.call(m, f, a, k ?? {}), { version: w.odoo.version as 17 | 18 | 19, saleOrderId, post });
      return done.moveIds;
    },
    poleepoDocuments: (poleepoId: string) => w.sandbox.state.orders.documentsOf(poleepoId).map((d) => ({ id: d.id, type: d.type, number: d.number, date: d.date, file_name: d.file_name, content: d.content })),
  });
  return world;
}
