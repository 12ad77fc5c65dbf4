import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { errorMessage } from '../shared/errors.ts';
import type { OrderConnection, OrderConnections } from '../orders/orders.connections.ts';
import { fromOdooDatetime, toOdooDatetime } from '../orders/orders.mapper.ts';
import type { OrdersRepo } from '../orders/orders.repo.ts';
import { isTerminal } from '../orders/orders.status.ts';
import type { TaskQueue } from '../tasks/task.queue.ts';
import { enqueueOrderDocuments, enqueueOrderInvoices } from './invoices.kinds.ts';
import { InvoicesOdoo, originNames } from './invoices.odoo.ts';
import type { InvoicesRepo } from './invoices.repo.ts';
import { DocumentScan } from './documents.scan.ts';

/** Deliveries validated since the cursor, read per run (the rest come at the next run). */
const DELIVERIES_PER_RUN = 500;
/** Posted moves read per run from the cursor. */
const MOVES_PER_RUN = 500;
/** Rows stuck in a working step this long without their task (a crash) are resumed. */
const STUCK_AFTER_MS = 5 * 60_000;

export interface InvoiceSyncDeps {
  repo: InvoicesRepo;
  orders: OrdersRepo;
  tasks: TaskQueue;
  clock: Clock;
  logger: Logger;
  connections: OrderConnections;
}

export interface InvoiceSyncTotals {
  connections: number;
  /** Orders queued for their invoices (by the policy, an invoice made in Odoo, a cancellation, a retry). */
  invoiceOrders: number;
  /** Orders queued for their Poleepo documents. */
  documentOrders: number;
  errors: string[];
}

/**
 * Invoice Sync (every 5 minutes by default; DESIGN §4.8), per active connection. It decides which orders to look at
 * and queues one task per order (serialised per order, deduplicated), where the work and its exactly-once rules live:
 * - with `on_delivery`: imported orders with a delivery validated since the cursor; with `on_confirmation`: those, and
 *   orders confirmed since the cursor (the order's task then reads what Odoo has left to invoice);
 * - unless `never`: invoices and credit notes posted in Odoo since the cursor (made by a person: picked up and sent);
 *   orders changed since the cursor that are cancelled or refunded on Poleepo with an invoice to credit; failed rows
 *   whose retry time came and rows a crash left mid-way;
 * - always: the Poleepo documents of orders changed since the cursor, or whose shipment did (a waybill with each label),
 *   and a page of the periodic scan of the last days' orders (documents.scan.ts).
 */
export class InvoiceSync {
  private readonly scan: DocumentScan;

  constructor(private readonly deps: InvoiceSyncDeps) {
    this.scan = new DocumentScan(deps.repo);
  }

  async run(signal: AbortSignal): Promise<InvoiceSyncTotals> {
    const totals: InvoiceSyncTotals = { connections: 0, invoiceOrders: 0, documentOrders: 0, errors: [] };
    for (const view of await this.deps.connections.active()) {
      if (signal.aborted) break;
      totals.connections++;
      try {
        const r = await this.syncConnection(await this.deps.connections.get(view.id), signal);
        totals.invoiceOrders += r.invoiceOrders;
        totals.documentOrders += r.documentOrders;
      } catch (error) {
        // One connection failing (Odoo down) does not keep the others from their invoices.
        this.deps.logger.warn({ err: error, connectionId: view.id }, 'invoice sync failed for a connection');
        totals.errors.push(`${view.name}: ${errorMessage(error)}`);
      }
    }
    return totals;
  }

  async syncConnection(conn: OrderConnection, signal: AbortSignal): Promise<{ invoiceOrders: number; documentOrders: number }> {
    const connectionId = conn.view.id;
    const settings = conn.view.settings;
    const policy = settings.invoicePolicy;
    const invoiceOrders = new Set<string>();
    const documentOrders = new Set<string>();
    const odoo = new InvoicesOdoo(conn.odoo, conn.view.odoo.companyId);
    const now = this.deps.clock.now();
    const lookback = now - settings.orders.initialLookbackMs;

    if (policy === 'on_confirmation' || policy === 'on_delivery') {
      // Deliveries validated since the cursor: what "on delivery" waits for (and, on confirmation, what makes products
      // invoiced on delivered quantities invoiceable). The order's task reads what Odoo has left to invoice.
      const cursor = await this.deps.repo.cursor(connectionId, 'deliveries');
      const since = cursor ? toOdooDatetime((fromOdooDatetime(cursor) ?? now) - settings.changeOverlapMs) : toOdooDatetime(lookback);
      const done = await odoo.deliveriesDoneSince(since, DELIVERIES_PER_RUN, signal);
      const named = await odoo.importedOrders([...new Set(done.map((d) => d.saleOrderId))], signal);
      for (const d of done) {
        const poleepoOrderId = named.get(d.saleOrderId);
        if (poleepoOrderId) invoiceOrders.add(poleepoOrderId);
      }
      const last = done.at(-1)?.dateDone;
      if (last && last !== cursor) await this.deps.repo.setCursor(connectionId, 'deliveries', last, now);
    }

    if (policy !== 'never') {
      // Invoices and credit notes posted in Odoo since the cursor (the overlap covers Odoo's write_date quirk).
      const cursor = await this.deps.repo.cursor(connectionId, 'moves');
      const since = cursor ? toOdooDatetime((fromOdooDatetime(cursor) ?? now) - settings.changeOverlapMs) : toOdooDatetime(lookback);
      const moves = await odoo.postedMovesSince(since, MOVES_PER_RUN, signal);
      const known = await this.deps.repo.knownMoves(connectionId, moves.map((m) => m.id));
      const unknown = moves.filter((m) => !known.has(m.id));
      const named = await odoo.importedOrdersNamed([...new Set(unknown.flatMap((m) => originNames(m.invoiceOrigin)))], signal);
      const reversed = await this.deps.repo.knownMoves(connectionId, unknown.map((m) => m.reversedMoveId).filter((id): id is number => id !== null));
      for (const m of unknown) {
        for (const name of originNames(m.invoiceOrigin)) {
          const o = named.get(name);
          if (o) invoiceOrders.add(o.poleepoOrderId);
        }
        const credited = m.reversedMoveId !== null ? reversed.get(m.reversedMoveId) : undefined;
        if (credited) invoiceOrders.add(credited.poleepo_order_id);
      }
      const last = moves.at(-1)?.writeDate;
      if (last && last !== cursor) await this.deps.repo.setCursor(connectionId, 'moves', last, now);

      for (const row of await this.deps.repo.dueAgain(connectionId, now, now - STUCK_AFTER_MS, 100)) invoiceOrders.add(row.poleepo_order_id);
    }

    // Orders changed since the cursor: cancellations to credit, and their Poleepo documents.
    const orderCursor = await this.deps.repo.cursor(connectionId, 'orders');
    const changedSince = orderCursor ? Number(orderCursor) - settings.changeOverlapMs : lookback;
    const changed = await this.changedOrders(connectionId, changedSince);
    if (policy !== 'never') {
      const cancelled = changed.filter((b) => isTerminal(b.poleepo_status)).map((b) => b.poleepo_order_id);
      for (const row of await this.deps.repo.unreversedInvoices(connectionId, cancelled)) invoiceOrders.add(row.poleepo_order_id);
    }
    // On confirmation: orders confirmed (their binding changed) since the cursor.
    if (policy === 'on_confirmation') for (const b of changed) if (b.state === 'confirmed' && b.sale_order_id !== null) invoiceOrders.add(b.poleepo_order_id);
    for (const b of changed) if (b.sale_order_id !== null) documentOrders.add(b.poleepo_order_id);
    for (const id of await this.deps.repo.ordersWithShipmentsSince(connectionId, changedSince)) documentOrders.add(id);
    // And a page of the periodic scan of recent orders: a document added later to an order that does not change.
    for (const id of await this.scan.nextPage(conn, now)) documentOrders.add(id);
    await this.deps.repo.setCursor(connectionId, 'orders', String(now), now);

    for (const poleepoOrderId of invoiceOrders) await enqueueOrderInvoices(this.deps.tasks, { connectionId, poleepoOrderId, trigger: 'sync' });
    for (const poleepoOrderId of documentOrders) await enqueueOrderDocuments(this.deps.tasks, { connectionId, poleepoOrderId });
    if (invoiceOrders.size || documentOrders.size) this.deps.logger.info({ connectionId, invoiceOrders: invoiceOrders.size, documentOrders: documentOrders.size }, 'invoice sync queued orders');
    return { invoiceOrders: invoiceOrders.size, documentOrders: documentOrders.size };
  }

  /** Order bindings updated since `since`, newest first (the orders list's own order), at most 2,000 per run. */
  private async changedOrders(connectionId: number, since: number) {
    const out = [];
    for (let offset = 0; offset < 2000; offset += 200) {
      const { rows } = await this.deps.orders.list({ connectionId, limit: 200, offset });
      for (const r of rows) {
        if (r.updated_at < since) return out;
        out.push(r);
      }
      if (rows.length < 200) break;
    }
    return out;
  }
}
