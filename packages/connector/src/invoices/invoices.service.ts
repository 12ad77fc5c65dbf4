import type { Db } from '../storage/db.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { ValidationError } from '../shared/errors.ts';
import type { TaskQueue } from '../tasks/task.queue.ts';
import type { OrderConnections } from '../orders/orders.connections.ts';
import type { OrdersRepo } from '../orders/orders.repo.ts';
import type { PoleepoDocument } from '../poleepo/poleepo.types.ts';
import { DocumentImporter, isOurUpload, SENT_BY_CONNECTOR } from './documents.importer.ts';
import { DocumentScan } from './documents.scan.ts';
import { enqueueOrderDocuments, enqueueOrderInvoices } from './invoices.kinds.ts';
import { OrderInvoicing } from './invoices.order.ts';
import { InvoicesRepo, type InvoiceFilter } from './invoices.repo.ts';
import { InvoiceRunner } from './invoices.runner.ts';
import { InvoiceSync } from './invoices.sync.ts';
import type { InvoiceRow, OrderDocumentRow } from './invoices.tables.ts';

export interface InvoicesServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  tasks: TaskQueue;
  /** The order import's connections (clients kept per connection, shared with it). */
  connections: OrderConnections;
  orders: OrdersRepo;
}

/** A document Poleepo holds for an order, with what the connector did with it. */
export interface OrderDocumentView {
  id: number;
  type: string;
  number: string | null;
  date: string | null;
  fileName: string;
  createdOnPoleepo: string | null;
  /** `sent` (the connector's own upload), `imported`, `importing`, `failed`, `skipped`, `new` (not looked at yet). */
  state: 'sent' | 'imported' | 'importing' | 'failed' | 'skipped' | 'new';
  note: string | null;
  error: string | null;
}

/**
 * Invoices and documents (DESIGN §4.8), as the rest of the connector sees them: invoices from Odoo to Poleepo per the
 * connection's `invoicePolicy` (made with Odoo's own wizard, posted, their PDF made by the provisioned server action,
 * sent with number, date and amounts), invoices made by hand in Odoo picked up, credit notes for cancelled or refunded
 * orders; documents from Poleepo attached to the sale order (and the delivery, for waybills). The console and the CLI
 * read and act through this facade.
 */
export class InvoicesService {
  readonly repo: InvoicesRepo;
  readonly runner: InvoiceRunner;
  readonly invoicing: OrderInvoicing;
  readonly documents: DocumentImporter;
  readonly sync: InvoiceSync;
  private readonly scan: DocumentScan;

  constructor(private readonly deps: InvoicesServiceDeps) {
    this.repo = new InvoicesRepo(deps.db);
    const log = deps.logger.child({ component: 'invoices' });
    this.runner = new InvoiceRunner({ repo: this.repo, clock: deps.clock, logger: log });
    this.invoicing = new OrderInvoicing({ repo: this.repo, orders: deps.orders, runner: this.runner, clock: deps.clock, logger: log });
    this.documents = new DocumentImporter({ repo: this.repo, orders: deps.orders, clock: deps.clock, logger: log });
    this.scan = new DocumentScan(this.repo);
    this.sync = new InvoiceSync({ repo: this.repo, orders: deps.orders, tasks: deps.tasks, clock: deps.clock, logger: deps.logger.child({ component: 'invoice-sync' }), connections: deps.connections });
  }

  /** The `invoices.order` task. */
  async runOrder(connectionId: number, poleepoOrderId: string, trigger: 'sync' | 'send', signal?: AbortSignal) {
    return this.invoicing.run(await this.deps.connections.get(connectionId), poleepoOrderId, trigger, signal);
  }

  /** The `documents.import` task. */
  async importDocuments(connectionId: number, poleepoOrderId: string, signal?: AbortSignal) {
    return this.documents.run(await this.deps.connections.get(connectionId), poleepoOrderId, signal);
  }

  /**
   * A person's "send" (`invoices send`, the console's button): invoices the order now whatever the automatic policy
   * says (unless invoices are off: `never`), resumes the stopped ones and sends again a document missing on Poleepo.
   * Queued as the order's task; the caller may run it at once.
   */
  async send(connectionId: number, poleepoOrderId: string, requestedBy: string): Promise<{ taskId: number }> {
    const conn = await this.deps.connections.get(connectionId);
    const id = poleepoOrderId.trim();
    if (conn.view.settings.invoicePolicy === 'never') {
      throw new ValidationError(`Invoices are off for connection "${conn.view.name}" (invoicePolicy "never"): set invoicePolicy to "manual" (or on_delivery, on_confirmation) to send them`);
    }
    const binding = await this.deps.orders.find(connectionId, id);
    if (!binding) throw new ValidationError(`No Poleepo order ${id} on connection "${conn.view.name}"`);
    if (binding.sale_order_id === null) throw new ValidationError(`Poleepo order ${id} has no sale order in Odoo yet (${binding.state}): nothing to invoice`);
    const task = await enqueueOrderInvoices(this.deps.tasks, { connectionId, poleepoOrderId: id, trigger: 'send' });
    this.deps.logger.info({ connectionId, poleepoOrderId: id, by: requestedBy }, 'invoice send requested');
    return { taskId: task.id };
  }

  /**
   * A person's "import documents now" (`documents import`): one order's documents, or — without an order — those of
   * every imported order of the document scan's window (`documentScan.days`, at least one day). Queues one
   * `documents.import` task per order (joined with one already pending); the caller may run them at once. Each
   * document is imported once whatever asks (by its Poleepo id).
   */
  async importDocumentsNow(connectionId: number, poleepoOrderId?: string): Promise<{ orders: { poleepoOrderId: string; taskId: number }[] }> {
    const conn = await this.deps.connections.get(connectionId);
    let ids: string[];
    if (poleepoOrderId !== undefined) {
      const id = poleepoOrderId.trim();
      const binding = await this.deps.orders.find(connectionId, id);
      if (!binding) throw new ValidationError(`No Poleepo order ${id} on connection "${conn.view.name}"`);
      if (binding.sale_order_id === null) throw new ValidationError(`Poleepo order ${id} has no sale order in Odoo yet (${binding.state}): its documents have nowhere to go`);
      ids = [id];
    } else {
      ids = await this.scan.allOrders(conn, this.deps.clock.now());
    }
    const orders = [];
    for (const id of ids) orders.push({ poleepoOrderId: id, taskId: (await enqueueOrderDocuments(this.deps.tasks, { connectionId, poleepoOrderId: id })).id });
    return { orders };
  }

  /** Queues the import of an order's Poleepo documents now. */
  async queueDocuments(connectionId: number, poleepoOrderId: string): Promise<{ taskId: number }> {
    const task = await enqueueOrderDocuments(this.deps.tasks, { connectionId, poleepoOrderId: poleepoOrderId.trim() });
    return { taskId: task.id };
  }

  list(filter: InvoiceFilter) {
    return this.repo.list(filter);
  }

  ofOrder(connectionId: number, poleepoOrderId: string): Promise<InvoiceRow[]> {
    return this.repo.ofOrder(connectionId, poleepoOrderId);
  }

  importedDocuments(connectionId: number, poleepoOrderId: string): Promise<OrderDocumentRow[]> {
    return this.repo.documentsOf(connectionId, poleepoOrderId);
  }

  /** The documents Poleepo holds for the order now (read from Poleepo), each with what the connector did with it. */
  async poleepoDocuments(connectionId: number, poleepoOrderId: string): Promise<OrderDocumentView[]> {
    const conn = await this.deps.connections.get(connectionId);
    const id = poleepoOrderId.trim();
    const [documents, rows, ours] = await Promise.all([
      conn.poleepo.listDocuments(id), this.repo.documentsOf(connectionId, id), this.repo.ofOrder(connectionId, id),
    ]);
    const byId = new Map(rows.map((r) => [r.poleepo_document_id, r]));
    return documents.map((d: PoleepoDocument) => {
      const row = byId.get(d.id);
      const mine = isOurUpload(d, ours);
      const state: OrderDocumentView['state'] = mine ? 'sent' : !row ? 'new' : row.step === 'done' ? 'imported' : row.step;
      return {
        id: d.id, type: String(d.type), number: d.number ?? null, date: d.date ?? null, fileName: d.file_name, createdOnPoleepo: d.creation_date ?? null,
        state, note: mine ? SENT_BY_CONNECTOR : row?.note ?? null, error: row?.step === 'done' ? null : row?.error ?? null,
      };
    });
  }

  get(id: number) {
    return this.repo.get(id);
  }
}
