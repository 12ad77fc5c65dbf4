import type { Logger } from '../shared/logger.ts';
import type { AppContext } from '../app/context.ts';
import { ValidationError } from '../shared/errors.ts';
import type { TaskContext } from '../tasks/task.registry.ts';
import type { TaskRow } from '../tasks/task.types.ts';
import type { WebhookQueueService } from '../webhooks/webhook-queue.service.ts';
import type { WebhookMessageRow } from '../webhooks/webhook-queue.repo.ts';
import { OrderConnections, type OrderClientOverrides } from './orders.connections.ts';
import { OrderImporter, type ImportOutcome } from './orders.importer.ts';
import { enqueueOdooOrderChanges, enqueueOrderImport, importOrderPayload, type OrderTrigger } from './orders.kinds.ts';
import { OrderPolling } from './orders.polling.ts';
import { OrdersRepo, type OrderBinding } from './orders.repo.ts';
import { attachImportMeter, measureImport } from './orders.timing.ts';

export interface ImportTaskResult extends ImportOutcome {
  /** Connector-added time (total minus time inside Odoo and Poleepo calls), ms. */
  connectorMs: number;
  externalMs: number;
  totalMs: number;
  calls: number;
}

type OrderKey = Pick<OrderBinding, 'connection_id' | 'poleepo_order_id'>;

export interface OrdersServiceOptions {
  clients?: OrderClientOverrides;
}

/**
 * Order import (DESIGN §4.6), as the rest of the connector sees it: the `orders.import` task's handler, the
 * STATUS_ORDER webhook handler, Order Polling, retries, and what the orders page and `orders show` read.
 */
export class OrdersService {
  readonly repo: OrdersRepo;
  readonly connections: OrderConnections;
  readonly polling: OrderPolling;
  private readonly importer: OrderImporter;
  private readonly log: Logger;

  constructor(private readonly ctx: AppContext, private readonly webhookQueue: WebhookQueueService | null, options: OrdersServiceOptions = {}) {
    this.repo = new OrdersRepo(ctx.db);
    this.log = ctx.logger.child({ component: 'orders' });
    this.connections = new OrderConnections(ctx, options.clients);
    this.importer = new OrderImporter(this.repo, ctx.clock, this.log);
    this.polling = new OrderPolling(this.connections, this.repo, ctx.tasks, ctx.clock, ctx.logger.child({ component: 'order-polling' }));
    attachImportMeter(ctx.apiLog);
  }

  // ---------------------------------------------------------------- triggers

  enqueue(connectionId: number, poleepoOrderId: string, trigger: OrderTrigger, messageId?: number) {
    return enqueueOrderImport(this.ctx.tasks, { connectionId, poleepoOrderId: String(poleepoOrderId), trigger, messageId });
  }

  /** An Odoo notification that a sale order changed: read Odoo's changed orders now (the body is never trusted). */
  queueOdooChanges(connectionId: number) {
    return enqueueOdooOrderChanges(this.ctx.tasks, connectionId);
  }

  /** The `orders.odoo-changes` handler: the Odoo half of Order Polling, for one connection. */
  async readOdooChanges(connectionId: number, signal: AbortSignal) {
    const conn = await this.connections.get(connectionId);
    if (!conn.view.active) return { skipped: `Connection "${conn.view.name}" is not active` };
    return this.polling.pollOdoo(conn, signal);
  }

  /**
   * STATUS_ORDER from the webhook queue: the payload is a hint; the import re-reads the order from Poleepo. One hint
   * is enough to do nothing: Poleepo telling us the status the connector itself just pushed (the confirmation), which
   * would cost every order a second run (a Poleepo read and an Odoo look-up) for no change.
   */
  async handleWebhook(message: WebhookMessageRow): Promise<void> {
    const status = hintedStatus(message.payload);
    if (status) {
      const binding = await this.repo.find(message.connection_id, message.resource_id);
      if (binding && binding.pushed_status === status && binding.poleepo_status === status) return;
    }
    await this.enqueue(message.connection_id, message.resource_id, 'webhook', message.id);
  }

  /** A person's retry (orders page, CLI): parked after mapping a SKU, refused after changing the key… */
  async retry(bindingId: number): Promise<OrderBinding> {
    const binding = await this.repo.get(bindingId);
    if (!binding) throw new ValidationError(`No imported order #${bindingId}`);
    const conn = await this.connections.get(binding.connection_id).catch(() => null);
    conn?.data.clear(); // the person may have just created the missing product, tax or carrier
    await this.enqueue(binding.connection_id, binding.poleepo_order_id, 'manual');
    return binding;
  }

  // ---------------------------------------------------------------- the task

  /** The `orders.import` handler: one order, measured, with its outcome mirrored on its webhook messages. */
  async runImportTask(rawPayload: unknown, task: TaskContext): Promise<ImportTaskResult> {
    const payload = importOrderPayload.parse(rawPayload);
    const seen: { previousState?: string } = {};
    const measured = await measureImport(async () => {
      const conn = await this.connections.get(payload.connectionId);
      if (!conn.view.active) return { outcome: 'skipped' as const, message: `Connection "${conn.view.name}" is not active` };
      return this.importer.run(conn, payload.poleepoOrderId, task.signal, seen);
    });
    const outcome = measured.value;
    const key = { connection_id: payload.connectionId, poleepo_order_id: payload.poleepoOrderId };
    await this.repo.updateByKey(payload.connectionId, payload.poleepoOrderId, { import_ms: round(measured.connectorMs), external_ms: round(measured.externalMs) });
    await this.mirrorOnMessages(key, outcome, seen.previousState);
    // One line per run that changed something, for whoever follows the logs (the orders page has the details).
    if (outcome.outcome !== 'synced' || outcome.message) {
      const line = { connectionId: payload.connectionId, poleepoOrderId: payload.poleepoOrderId, trigger: payload.trigger, outcome: outcome.outcome, saleOrder: outcome.saleOrderName, flag: outcome.flag ?? undefined, ms: round(measured.totalMs) };
      if (outcome.outcome === 'parked' || outcome.outcome === 'refused') this.log.warn({ ...line, reason: outcome.message }, `order ${outcome.outcome}`);
      else this.log.info({ ...line, message: outcome.message }, `order ${outcome.outcome}`);
    }
    return { ...outcome, connectorMs: round(measured.connectorMs), externalMs: round(measured.externalMs), totalMs: round(measured.totalMs), calls: measured.calls };
  }

  /** The import task was dead-lettered: the binding and its webhook messages show why. */
  async onImportDead(task: TaskRow, reason: string): Promise<void> {
    const parsed = importOrderPayload.safeParse(JSON.parse(task.payload));
    if (!parsed.success) return;
    const binding = await this.repo.find(parsed.data.connectionId, parsed.data.poleepoOrderId);
    if (!binding) return;
    const keep = binding.state === 'confirmed' || binding.state === 'cancelled';
    await this.repo.update(binding.id, { ...(keep ? {} : { state: 'error' as const }), error: `Gave up: ${reason}`.slice(0, 2000), updated_at: this.ctx.clock.now() });
    await this.markMessages(binding, 'failed', `Order import failed: ${reason}`);
  }

  /**
   * The webhook queue shows what became of an order's messages: Fallito with the reason while the order is parked or
   * refused, Completato again once it is imported. Only messages already handed over (done/failed) are touched; a
   * pending one will run its own import.
   */
  private async mirrorOnMessages(binding: OrderKey, outcome: ImportOutcome, before: string | undefined): Promise<void> {
    if (!this.webhookQueue) return;
    if (outcome.outcome === 'parked' || outcome.outcome === 'refused') await this.markMessages(binding, 'failed', outcome.message ?? outcome.outcome);
    else if (before && ['parked', 'refused', 'error'].includes(before) && ['confirmed', 'synced', 'cancelled'].includes(outcome.outcome)) await this.markMessages(binding, 'done', null);
  }

  private async markMessages(binding: OrderKey, status: 'failed' | 'done', reason: string | null): Promise<void> {
    if (!this.webhookQueue) return;
    const { rows } = await this.webhookQueue.repo.list({ connectionId: binding.connection_id, event: 'STATUS_ORDER', resourceId: binding.poleepo_order_id, limit: 200 });
    const from = status === 'failed' ? 'done' : 'failed';
    const now = this.ctx.clock.now();
    for (const m of rows) {
      if (m.status !== from) continue;
      try {
        await this.webhookQueue.repo.setStatus(m.id, status, { now, error: reason, processed: true });
      } catch (error) {
        this.ctx.logger.warn({ messageId: m.id, err: error }, 'could not mirror the order outcome on its webhook message');
      }
    }
  }

  // ---------------------------------------------------------------- reading

  list(filter: Parameters<OrdersRepo['list']>[0]) {
    return this.repo.list(filter);
  }

  async show(connectionId: number, poleepoOrderId: string) {
    const binding = await this.repo.find(connectionId, String(poleepoOrderId));
    if (!binding) return null;
    const tasks = await this.ctx.tasks.recentOfSerialKey(`order:${connectionId}:${binding.poleepo_order_id}`, 10);
    const messages = this.webhookQueue
      ? (await this.webhookQueue.repo.list({ connectionId, event: 'STATUS_ORDER', resourceId: binding.poleepo_order_id, limit: 20 })).rows
        .map((m) => ({ id: m.id, status: m.status, receivedAt: m.received_at, duplicates: m.duplicates, lastError: m.last_error }))
      : [];
    return { binding, tasks, messages };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The status a STATUS_ORDER payload announces (`data.status`), if it names one. */
function hintedStatus(payload: string | null): string | null {
  if (!payload) return null;
  try {
    const body = JSON.parse(payload) as { data?: { status?: unknown } };
    return typeof body.data?.status === 'string' ? body.data.status : null;
  } catch {
    return null;
  }
}
