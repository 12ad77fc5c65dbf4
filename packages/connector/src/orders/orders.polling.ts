import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { NotConfiguredError, RetryableError, errorMessage } from '../shared/errors.ts';
import type { TaskQueue } from '../tasks/task.queue.ts';
import type { ConnectionView } from '../connections/connections.types.ts';
import type { PoleepoOrder } from '../poleepo/poleepo.types.ts';
import { enqueueOrderImport, orderSerialKey, type OrderTrigger } from './orders.kinds.ts';
import { orderFacts, toOdooDatetime, fromOdooDatetime } from './orders.mapper.ts';
import type { OrderConnection, OrderConnections } from './orders.connections.ts';
import type { OrderBinding, OrdersRepo } from './orders.repo.ts';
import { confirmationToPush, isTerminal, statusRank } from './orders.status.ts';

export interface PollReport {
  connection: string;
  /** Orders Poleepo listed as changed since the cursor (with overlap). */
  seen: number;
  /** Imports queued for what webhooks missed (or a person asked for). */
  queued: number;
  /** Sale orders changed in Odoo, and of those, queued to be pushed back. */
  odooSeen: number;
  odooQueued: number;
  error?: string;
}

/**
 * Order Polling, the safety net (DESIGN §4.6): per connection,
 * - Poleepo: `GET /orders?updated_after=…` from a cursor (the latest `update_date` seen, UTC, whole seconds) minus an
 *   overlap; every order a webhook should have brought but did not (unknown, or a newer status than the binding's)
 *   gets an import queued — with the same dedupe and serial keys as the webhook's, so a race between them imports once;
 * - Odoo: sale orders carrying `x_poleepo_order_id` whose `write_date` moved (a cursor lagging by the connection's
 *   overlap) and whose state the connector has not seen (a confirmation or a cancellation made in Odoo) get the same
 *   task, which pushes the change to Poleepo.
 */
export class OrderPolling {
  constructor(
    private readonly connections: OrderConnections,
    private readonly repo: OrdersRepo,
    private readonly queue: TaskQueue,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The scheduled job: every active connection; one connection's failure does not stop the others. */
  async run(signal?: AbortSignal): Promise<{ connections: PollReport[] }> {
    const list = await this.connections.active();
    if (list.length === 0) throw new NotConfiguredError('No active connection with Poleepo credentials: nothing to poll');
    const reports: PollReport[] = [];
    for (const view of list) {
      if (signal?.aborted) break;
      try {
        const conn = await this.connections.get(view.id);
        const { seen, queued } = await this.pollPoleepo(conn, { signal });
        const odoo = await this.pollOdoo(conn, signal);
        reports.push({ connection: view.name, seen, queued, ...odoo });
      } catch (error) {
        this.logger.warn({ connection: view.name, err: error }, 'order polling failed for a connection');
        reports.push({ connection: view.name, seen: 0, queued: 0, odooSeen: 0, odooQueued: 0, error: errorMessage(error) });
      }
    }
    const failed = reports.filter((r) => r.error);
    if (failed.length) throw new RetryableError(`Order polling failed for ${failed.map((r) => `${r.connection} (${r.error})`).join('; ')}; the others were polled`);
    return { connections: reports };
  }

  /**
   * Poleepo's side. `since` (the CLI) replaces the cursor and queues every importable order not imported yet, parked
   * and refused ones included; the cursor then moves only forward.
   */
  async pollPoleepo(conn: OrderConnection, options: { since?: number; trigger?: OrderTrigger; signal?: AbortSignal } = {}): Promise<{ seen: number; queued: number; taskIds: number[] }> {
    const view = conn.view;
    const settings = view.settings.orders;
    const stored = await this.repo.cursor(view.id, 'poleepo');
    const now = this.clock.now();
    const from = options.since ?? (stored !== null ? Number(stored) - settings.pollOverlapMs : now - settings.initialLookbackMs);
    let seen = 0;
    let queued = 0;
    let newest = stored !== null ? Number(stored) : 0;
    const taskIds: number[] = [];
    let batch: PoleepoOrder[] = [];
    const flush = async () => {
      const bindings = new Map((await this.repo.findMany(view.id, batch.map((o) => String(o.id)))).map((b) => [b.poleepo_order_id, b]));
      for (const order of batch) {
        const id = String(order.id);
        if (!this.wantsImport(view, order, bindings.get(id), options.since !== undefined)) continue;
        // A run already queued or under way covers it (an explicit import still queues — deduped — to run it itself).
        if (options.since === undefined && (await this.queue.serialKeyInFlight(orderSerialKey(view.id, id)))) continue;
        const r = await enqueueOrderImport(this.queue, { connectionId: view.id, poleepoOrderId: id, trigger: options.trigger ?? 'polling' });
        taskIds.push(r.id);
        if (!r.deduped) queued++;
      }
      batch = [];
    };
    for await (const order of conn.poleepo.listOrdersSince(Math.max(0, from))) {
      if (options.signal?.aborted) break;
      seen++;
      const updated = orderFacts(order).updatedAt;
      if (updated !== null && updated > newest) newest = updated;
      batch.push(order);
      if (batch.length >= 100) await flush();
    }
    if (batch.length) await flush();
    // The cursor only moves forward, and never past now (a clock ahead on Poleepo's side must not skip changes).
    if (newest > 0) await this.repo.setCursor(view.id, 'poleepo', String(Math.min(newest, now)), this.clock.now());
    return { seen, queued, taskIds };
  }

  /** Does this order need an import run (webhook missed, or asked for explicitly)? */
  private wantsImport(view: ConnectionView, order: PoleepoOrder, binding: OrderBinding | undefined, explicit: boolean): boolean {
    const facts = orderFacts(order);
    const status = facts.status;
    if (!binding) return Boolean(status && view.settings.importableStatuses.includes(status));
    switch (binding.state) {
      case 'confirmed':
      case 'cancelled':
        return statusRank(status) > binding.status_rank;
      case 'skipped':
        return false;
      case 'waiting':
        return Boolean(status && (view.settings.importableStatuses.includes(status) || isTerminal(status)));
      case 'parked':
      case 'refused':
      case 'error':
        // Waiting for a person; a change on Poleepo (or an explicit import) is worth another try.
        return explicit || (facts.updatedAt !== null && facts.updatedAt > (binding.poleepo_updated_at ?? 0)) || statusRank(status) > binding.status_rank;
      default:
        // pending, draft, uncertain: an import is under way or was lost; the in-flight check below decides.
        return true;
    }
  }

  /** Odoo's side: confirmations and cancellations made in Odoo, found by a write_date cursor. */
  async pollOdoo(conn: OrderConnection, signal?: AbortSignal): Promise<{ odooSeen: number; odooQueued: number }> {
    const view = conn.view;
    await conn.data.schema(); // x_poleepo_order_id must exist (NotConfiguredError otherwise)
    const stored = await this.repo.cursor(view.id, 'odoo');
    const now = this.clock.now();
    const fromMs = stored !== null ? (fromOdooDatetime(stored) ?? now) - view.settings.changeOverlapMs : now - view.settings.orders.initialLookbackMs;
    const companyId = view.odoo.companyId;
    const domain = [['x_poleepo_order_id', '!=', false], ...(companyId ? [['company_id', '=', companyId]] : [])];
    let odooSeen = 0;
    let odooQueued = 0;
    let newest = stored;
    for await (const page of conn.odoo.searchReadAll('sale.order', domain, { fields: ['x_poleepo_order_id', 'state'], since: toOdooDatetime(Math.max(0, fromMs)), pageSize: 500, signal })) {
      const ids = page.records.map((r) => String(r.x_poleepo_order_id));
      const bindings = new Map((await this.repo.findMany(view.id, ids)).map((b) => [b.poleepo_order_id, b]));
      for (const r of page.records) {
        odooSeen++;
        const writeDate = typeof r.write_date === 'string' ? r.write_date : null;
        if (writeDate && (newest === null || writeDate > newest)) newest = writeDate;
        const pid = String(r.x_poleepo_order_id);
        const binding = bindings.get(pid);
        if (!this.needsOdooSync(view, binding, String(r.state))) continue;
        if (await this.queue.serialKeyInFlight(orderSerialKey(view.id, pid))) continue;
        const q = await enqueueOrderImport(this.queue, { connectionId: view.id, poleepoOrderId: pid, trigger: 'odoo' });
        if (!q.deduped) odooQueued++;
      }
    }
    if (newest !== null) await this.repo.setCursor(view.id, 'odoo', newest, this.clock.now());
    return { odooSeen, odooQueued };
  }

  private needsOdooSync(view: ConnectionView, binding: OrderBinding | undefined, odooState: string): boolean {
    // A sale order carrying a Poleepo id the connector has no binding for (its database was restored, say): adopt it.
    if (!binding) return true;
    if (binding.state !== 'confirmed' && binding.state !== 'cancelled') return binding.state === 'draft' || binding.state === 'pending';
    if (odooState !== binding.odoo_state) return true;
    return odooState === 'sale' && confirmationToPush(view.settings.orders.confirmedStatus, binding.poleepo_status, binding.pushed_status) !== null;
  }
}
