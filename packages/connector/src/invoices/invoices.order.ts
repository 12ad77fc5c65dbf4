import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { RateLimitedError } from '../shared/errors.ts';
import { isUniqueViolation } from '../tasks/task.queue.ts';
import type { OrderConnection } from '../orders/orders.connections.ts';
import type { OrderBinding, OrdersRepo } from '../orders/orders.repo.ts';
import { isTerminal } from '../orders/orders.status.ts';
import type { ConnectionSettings } from '../connections/connections.settings.ts';
import { InvoicesOdoo, type InvoiceableOrder, type OrderMove } from './invoices.odoo.ts';
import type { InvoicesRepo } from './invoices.repo.ts';
import type { InvoiceRunner } from './invoices.runner.ts';
import type { InvoiceTrigger } from './invoices.kinds.ts';
import { WORKING_STEPS, type InvoiceKind, type InvoiceRow } from './invoices.tables.ts';

export type InvoicePolicy = ConnectionSettings['invoicePolicy'];

export interface OrderInvoicingDeps {
  repo: InvoicesRepo;
  orders: OrdersRepo;
  runner: InvoiceRunner;
  clock: Clock;
  logger: Logger;
}

export interface OrderInvoicesOutcome {
  /** Why nothing was looked at (not imported, invoices off…). */
  skipped?: string;
  /** Rows made by this run: picked up from Odoo, or to make (by the policy, a person, a cancellation). */
  added: { id: number; kind: InvoiceKind; origin: string }[];
  rows: { id: number; kind: InvoiceKind; number: string | null; step: string; error?: string }[];
}

/** Whether the policy wants the order invoiced now, Odoo having something to invoice on it. */
export function policyWantsInvoice(policy: InvoicePolicy, trigger: InvoiceTrigger, delivered: boolean): boolean {
  if (policy === 'never') return false;
  if (trigger === 'send') return true;
  return policy === 'on_confirmation' || (policy === 'on_delivery' && delivered);
}

/**
 * The `invoices.order` task: one order's invoices brought up to date, alone for that order (its serial key):
 * 1. posted invoices and credit notes of the order that no row knows are picked up (made in Odoo by a person), or
 *    adopted by the row whose create's answer was lost;
 * 2. the policy (or a person's "send") asks for an invoice when Odoo has something to invoice and none is in the making
 *    (never for an order cancelled or refunded on Poleepo, nor by the policy once the order has a credit note: Odoo
 *    then says "to invoice" again, and invoicing what was credited is a person's decision);
 * 3. every row with work left is taken to Poleepo by the runner (a person's send also retries the failed ones and
 *    sends again a document missing on Poleepo);
 * 4. an order cancelled or refunded on Poleepo gets a credit note for each of its posted invoices, made the same way.
 */
export class OrderInvoicing {
  constructor(private readonly deps: OrderInvoicingDeps) {}

  async run(conn: OrderConnection, poleepoOrderId: string, trigger: InvoiceTrigger, signal?: AbortSignal): Promise<OrderInvoicesOutcome> {
    const outcome: OrderInvoicesOutcome = { added: [], rows: [] };
    const policy = conn.view.settings.invoicePolicy;
    if (policy === 'never') return { ...outcome, skipped: `invoicePolicy is "never" for connection ${conn.view.name}` };
    const binding = await this.deps.orders.find(conn.view.id, poleepoOrderId);
    if (!binding || binding.sale_order_id === null) return { ...outcome, skipped: `order ${poleepoOrderId} has no sale order in Odoo` };
    const odoo = new InvoicesOdoo(conn.odoo, conn.view.odoo.companyId);
    const order = await odoo.saleOrder(binding.sale_order_id, signal);
    if (!order) return { ...outcome, skipped: `sale order ${binding.sale_order_name ?? binding.sale_order_id} no longer exists in Odoo` };

    const moves = await odoo.movesOfOrder(order, signal);
    await this.pickUp(conn, binding, order, moves, outcome);
    await this.byPolicy(conn, binding, order, moves, policy, trigger, outcome, odoo, signal);
    if (trigger === 'send') await this.retryAndResend(conn, binding);
    const failures = await this.advanceAll(conn, binding, trigger, signal);
    if (isTerminal(binding.poleepo_status) && (await this.creditNotes(conn, binding, moves, outcome)) > 0) failures.push(...(await this.advanceAll(conn, binding, 'sync', signal)));

    for (const r of await this.deps.repo.ofOrder(conn.view.id, poleepoOrderId)) {
      outcome.rows.push({ id: r.id, kind: r.kind, number: r.move_name, step: r.step, ...(r.error && r.step !== 'sent' ? { error: r.error } : {}) });
    }
    // One row's failure (Odoo down) does not keep the others from going; the task then tries the order again.
    const first = failures.find((e) => e instanceof RateLimitedError) ?? failures[0];
    if (first) throw first;
    return outcome;
  }

  /** Posted moves of the order no row knows: an open create whose answer was lost takes it, else a new row sends it. */
  private async pickUp(conn: OrderConnection, binding: OrderBinding, order: InvoiceableOrder, moves: OrderMove[], outcome: OrderInvoicesOutcome): Promise<void> {
    const known = await this.deps.repo.knownMoves(conn.view.id, moves.map((m) => m.id));
    const now = this.deps.clock.now();
    for (const move of moves.filter((m) => m.state === 'posted' && !known.has(m.id))) {
      const rows = await this.deps.repo.ofOrder(conn.view.id, binding.poleepo_order_id);
      const open = rows.find((r) => r.step === 'creating' && r.move_id === null && r.create_sent_at !== null && r.kind === move.kind
        && (move.kind === 'INVOICE' || r.reversed_move_id === move.reversedMoveId));
      if (open) {
        await this.deps.repo.update(open.id, { move_id: move.id, open_key: null, recheck_at: null, move_name: move.name, move_state: move.state, step: 'rendering', updated_at: now });
        continue;
      }
      const id = await this.insert({
        connection_id: conn.view.id, poleepo_order_id: binding.poleepo_order_id, sale_order_id: order.id, sale_order_name: order.name,
        kind: move.kind, origin: 'odoo', trigger: 'odoo', step: 'rendering', open_key: null, move_id: move.id, move_name: move.name, move_state: move.state,
        reversed_move_id: move.reversedMoveId,
      });
      if (id !== null) {
        outcome.added.push({ id, kind: move.kind, origin: 'odoo' });
        this.deps.logger.info({ invoiceId: id, moveId: move.id, number: move.name, order: order.name }, 'invoice made in Odoo by hand picked up');
      }
    }
  }

  private async byPolicy(conn: OrderConnection, binding: OrderBinding, order: InvoiceableOrder, moves: OrderMove[], policy: InvoicePolicy, trigger: InvoiceTrigger,
    outcome: OrderInvoicesOutcome, odoo: InvoicesOdoo, signal?: AbortSignal): Promise<void> {
    if (order.state !== 'sale' && order.state !== 'done') return;
    // Cancelled or refunded on Poleepo: credit notes, never a new invoice (Odoo says "to invoice" again once credited).
    if (isTerminal(binding.poleepo_status)) return;
    // Once credited (by the connector or a person), invoicing the order again is a person's call, not the policy's.
    if (trigger !== 'send' && moves.some((m) => m.kind === 'CREDIT_NOTE' && m.state !== 'cancel')) return;
    // Odoo's own word on what is left to invoice; a person's send tries anyway (the wizard then says why not).
    if (order.invoiceStatus !== 'to invoice' && trigger !== 'send') return;
    const delivered = policy === 'on_delivery' && trigger !== 'send' ? (await odoo.deliveredOrders([order.id], signal)).has(order.id) : true;
    if (!policyWantsInvoice(policy, trigger, delivered)) return;
    const rows = await this.deps.repo.ofOrder(conn.view.id, binding.poleepo_order_id);
    const open = rows.find((r) => r.kind === 'INVOICE' && r.open_key !== null);
    if (open) {
      // One in the making. Stopped because Odoo had nothing to invoice, and now it has: made now.
      if (open.step === 'failed' && open.error_code === 'nothing_to_invoice' && order.invoiceStatus === 'to invoice') {
        await this.deps.repo.update(open.id, { step: 'creating', failed_step: null, retry_at: null, error: null, error_code: null, trigger: trigger === 'send' ? 'send' : policy, updated_at: this.deps.clock.now() });
      }
      return;
    }
    const known = await this.deps.repo.knownMoves(conn.view.id, moves.map((m) => m.id));
    // A draft someone is preparing in Odoo is theirs to post (it is picked up once posted).
    if (moves.some((m) => m.kind === 'INVOICE' && m.state === 'draft' && !known.has(m.id)) && trigger !== 'send') return;
    if (order.invoiceStatus !== 'to invoice' && rows.some((r) => r.kind === 'INVOICE')) return; // send: the invoices made are resent, not doubled
    const id = await this.insert({
      connection_id: conn.view.id, poleepo_order_id: binding.poleepo_order_id, sale_order_id: order.id, sale_order_name: order.name,
      kind: 'INVOICE', origin: 'connector', trigger: trigger === 'send' ? 'send' : policy, step: 'creating', open_key: 'INVOICE',
    });
    if (id !== null) outcome.added.push({ id, kind: 'INVOICE', origin: 'connector' });
  }

  /** A person's send: stopped rows resume where they stopped; sent ones missing on Poleepo are sent again. */
  private async retryAndResend(conn: OrderConnection, binding: OrderBinding): Promise<void> {
    const now = this.deps.clock.now();
    for (const r of await this.deps.repo.ofOrder(conn.view.id, binding.poleepo_order_id)) {
      if (r.step === 'failed') {
        await this.deps.repo.update(r.id, { step: r.failed_step ?? 'creating', failed_step: null, retry_at: null, recheck_at: null, error: null, error_code: null, updated_at: now });
      } else if (r.step === 'sent' && !(await this.deps.runner.onPoleepo(conn, r))) {
        this.deps.logger.warn({ invoiceId: r.id, number: r.move_name, order: r.poleepo_order_id }, 'sent document no longer on Poleepo: sending it again');
        await this.deps.repo.update(r.id, { step: 'uploading', poleepo_document_id: null, upload_sent_at: null, updated_at: now });
      }
    }
  }

  /** Runs every row with work left (and, from the job, failed rows whose retry time came). */
  private async advanceAll(conn: OrderConnection, binding: OrderBinding, trigger: InvoiceTrigger, signal?: AbortSignal): Promise<unknown[]> {
    const failures: unknown[] = [];
    const now = this.deps.clock.now();
    for (const r of await this.deps.repo.ofOrder(conn.view.id, binding.poleepo_order_id)) {
      if (r.step === 'failed' && trigger === 'sync' && r.retry_at !== null && r.retry_at <= now) {
        await this.deps.repo.update(r.id, { step: r.failed_step ?? 'creating', failed_step: null, retry_at: null, updated_at: now });
      } else if (!(WORKING_STEPS as readonly string[]).includes(r.step)) continue;
      try {
        await this.deps.runner.advance(conn, r.id, signal);
      } catch (error) {
        failures.push(error);
      }
    }
    return failures;
  }

  /** One credit note per posted invoice of an order cancelled or refunded on Poleepo (none when one exists in Odoo). */
  private async creditNotes(conn: OrderConnection, binding: OrderBinding, moves: OrderMove[], outcome: OrderInvoicesOutcome): Promise<number> {
    let added = 0;
    for (const invoice of await this.deps.repo.unreversedInvoices(conn.view.id, [binding.poleepo_order_id])) {
      const moveId = Number(invoice.move_id);
      if (moves.some((m) => m.kind === 'CREDIT_NOTE' && m.reversedMoveId === moveId && m.state !== 'cancel')) continue;
      const id = await this.insert({
        connection_id: conn.view.id, poleepo_order_id: binding.poleepo_order_id, sale_order_id: invoice.sale_order_id, sale_order_name: invoice.sale_order_name,
        kind: 'CREDIT_NOTE', origin: 'connector', trigger: 'cancel', step: 'creating', open_key: `CREDIT_NOTE:${moveId}`, reversed_move_id: moveId,
      });
      if (id !== null) {
        added++;
        outcome.added.push({ id, kind: 'CREDIT_NOTE', origin: 'connector' });
        this.deps.logger.info({ invoiceId: id, reverses: invoice.move_name, order: binding.poleepo_order_id, status: binding.poleepo_status }, 'credit note requested');
      }
    }
    return added;
  }

  /** A new row; null when another run made the same one a moment ago (the unique move or open key). */
  private async insert(values: Omit<Parameters<InvoicesRepo['insert']>[0], 'created_at' | 'updated_at'>): Promise<number | null> {
    const now = this.deps.clock.now();
    try {
      return await this.deps.repo.insert({ ...values, created_at: now, updated_at: now });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }
}

export type { InvoiceRow };
