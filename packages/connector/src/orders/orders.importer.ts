import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { RateLimitedError, errorMessage } from '../shared/errors.ts';
import { OdooTransportError, OdooValidationError } from '../odoo/odoo.errors.ts';
import type { OdooRecord } from '../odoo/odoo.types.ts';
import { PoleepoValidationError } from '../poleepo/poleepo.errors.ts';
import type { PoleepoOrder, PoleepoOrderStatus } from '../poleepo/poleepo.types.ts';
import { OrderParkedError, OrderUncertainError } from './orders.errors.ts';
import { hiddenDataRefusal, orderFacts, orderUrl, toOdooDatetime, type OrderFacts } from './orders.mapper.ts';
import type { OrderSchema } from './orders.odoo-data.ts';
import type { OrderConnection } from './orders.connections.ts';
import { customerKey, resolveCustomer } from './orders.partners.ts';
import { describeUnmatched, resolveSkus } from './orders.products.ts';
import type { OrderBinding, OrderBindingPatch, OrdersRepo } from './orders.repo.ts';
import { canPushCancellation, confirmationToPush, effectiveStatus, isTerminal, statusRank } from './orders.status.ts';
import { needsDiscountProduct, planOrderLines, type PoleepoOrderAmounts } from './orders.amounts.ts';
import { resolveOrderCurrency } from './orders.currency.ts';
import { discountProduct } from './orders.discount-product.ts';
import { m2oName } from './orders.odoo-data.ts';
import { cashOnDeliveryAmount } from '../shipping/shipping.cod.ts';

export type ImportOutcomeKind = 'confirmed' | 'parked' | 'refused' | 'waiting' | 'skipped' | 'cancelled' | 'synced';

export interface ImportOutcome {
  outcome: ImportOutcomeKind;
  saleOrderId?: number;
  saleOrderName?: string;
  /** What a person should read (parked reason, refusal, flag). */
  message?: string;
  flag?: string | null;
}

/** Waiting this much beyond Odoo's request time limit leaves room for clock skew and the commit itself. */
const SETTLE_MARGIN_MS = 10_000;
/** How soon an import waiting for another one's customer creation looks again. */
const CUSTOMER_RETRY_MS = 1_000;

interface SaleOrderSeen {
  id: number;
  name: string;
  state: string;
  dateOrder: string | null;
  total: number;
  poleepoStatus: string | null;
}

/**
 * One order, exactly once (DESIGN §4.6). Runs inside the `orders.import` task, whose serial key keeps it alone per
 * (connection, order) from the look-up to the date write-back. The Poleepo order is re-read (webhook payloads are
 * only hints); then, in Odoo:
 * 1. look the sale order up by its idempotency key `x_poleepo_order_id` in the connection's company — always, before
 *    any create (an earlier attempt may have created it and died, or lost the reply);
 * 2. none: check the status is importable and nothing is hidden, match lines by SKU (unknown → parked), match or
 *    create the customer, price the lines with the taxes that give the marketplace amounts, create the order in one
 *    call (header and lines, atomic);
 * 3. a draft (just created, or found after a crash): confirm it, push the confirmation to Poleepo (best effort); then
 *    write the marketplace date back (confirm overwrites it) with the Poleepo status; compare the total with
 *    Poleepo's and flag a difference;
 * 4. already imported: apply status changes (cancellation cancels when nothing was delivered or invoiced, else
 *    flags), push a confirmation or a cancellation made in Odoo back to Poleepo.
 * A call that may have committed without an answer (timeout, lost reply) is never repeated blindly: the binding is
 * marked uncertain until Odoo's request time limit has surely passed, the task is rescheduled for then (the worker is
 * not blocked), and the next run starts again at step 1. The mark is written before the create is sent, so a process
 * that dies while waiting for the answer leaves the same instruction to whichever run comes next.
 */
export class OrderImporter {
  /** The bookkeeping writes of each run under way, by binding id (the task's serial key keeps one run per order). */
  private readonly writes = new Map<number, WriteBehind>();

  constructor(private readonly repo: OrdersRepo, private readonly clock: Clock, private readonly logger: Logger) {}

  /** `seen.previousState` tells the caller where the order stood before this run. */
  async run(conn: OrderConnection, poleepoOrderId: string, signal?: AbortSignal, seen: { previousState?: string } = {}): Promise<ImportOutcome> {
    const binding = await this.repo.ensure(conn.view.id, poleepoOrderId, this.clock.now());
    const writes = new WriteBehind();
    this.writes.set(binding.id, writes);
    try {
      return await this.runWith(conn, binding, signal, seen);
    } finally {
      this.writes.delete(binding.id);
      // Every write of the run is stored (or its failure thrown) before the run ends: the task's outcome never
      // precedes the binding's.
      await writes.flush();
    }
  }

  private async runWith(conn: OrderConnection, ensured: OrderBinding, signal: AbortSignal | undefined, seen: { previousState?: string }): Promise<ImportOutcome> {
    let binding = ensured;
    const poleepoOrderId = binding.poleepo_order_id;
    seen.previousState = binding.state;
    if (binding.recheck_at !== null && this.clock.now() < binding.recheck_at) {
      throw new RateLimitedError(`Order ${poleepoOrderId}: waiting until Odoo's request time limit has passed before looking for it again`, binding.recheck_at - this.clock.now());
    }
    try {
      const order = await conn.poleepo.getOrder(poleepoOrderId, { signal });
      const facts = orderFacts(order);
      const status = effectiveStatus(binding.poleepo_status, facts.status);
      binding = await this.save(binding, {
        reference: facts.reference, channel: facts.channel, currency: facts.currency, poleepo_total: facts.total,
        order_date: facts.orderDate, poleepo_updated_at: facts.updatedAt, poleepo_status: status, status_rank: statusRank(status),
      });
      const schema = await conn.data.schema();
      const found = await this.findSaleOrder(conn, schema, poleepoOrderId, signal);
      if (!found && binding.sale_order_id !== null) {
        // It existed (Odoo answered its create) and is gone: a person deleted it. Never re-created behind their back.
        const flag = `Sale order ${binding.sale_order_name ?? `#${binding.sale_order_id}`} no longer exists in Odoo: the connector does not create it again behind your back (restore it in Odoo if it was deleted by mistake).`;
        await this.save(binding, { flag, error: null });
        return { outcome: 'synced', message: flag, flag };
      }
      if (!found) return await this.importNew(conn, schema, binding, order, facts, status, signal);
      if (binding.state === 'confirmed' || binding.state === 'cancelled') return await this.sync(conn, schema, binding, found, status, signal);
      return await this.complete(conn, schema, binding, found, facts, status, signal);
    } catch (error) {
      if (error instanceof OrderUncertainError) {
        const waitMs = conn.view.settings.orders.odooRequestTimeLimitMs + SETTLE_MARGIN_MS;
        await this.save(binding, {
          state: 'uncertain', uncertain_step: error.step, recheck_at: this.clock.now() + waitMs,
          error: `${error.message}: looking again in ${Math.round(waitMs / 1000)} s, once Odoo's request time limit has surely passed`,
        });
        throw new RateLimitedError(`Order ${poleepoOrderId}: ${error.message}; looking again after Odoo's request time limit`, waitMs, { cause: error });
      }
      if (error instanceof RateLimitedError) throw error; // waiting its turn: not an error of the order
      if (error instanceof OrderParkedError) {
        await this.save(binding, { state: 'parked', parked_reason: error.reason, error: null, uncertain_step: null, recheck_at: null });
        return { outcome: 'parked', message: error.reason };
      }
      const keep = binding.state === 'confirmed' || binding.state === 'cancelled';
      await this.save(binding, { ...(keep ? {} : { state: 'error' }), error: errorMessage(error).slice(0, 2000) });
      throw error;
    }
  }

  // ---------------------------------------------------------------- steps

  private async findSaleOrder(conn: OrderConnection, schema: OrderSchema, poleepoOrderId: string, signal?: AbortSignal): Promise<SaleOrderSeen | null> {
    const companyId = conn.view.odoo.companyId;
    const domain = [['x_poleepo_order_id', '=', poleepoOrderId], ...(companyId ? [['company_id', '=', companyId]] : [])];
    const fields = ['name', 'state', 'date_order', 'amount_total', ...(schema.orderFields.status ? ['x_poleepo_status'] : [])];
    const rows = await conn.odoo.searchRead('sale.order', domain, { fields, order: 'id', signal });
    if (rows.length > 1) this.logger.warn({ connectionId: conn.view.id, poleepoOrderId, ids: rows.map((r) => r.id) }, 'several sale orders carry the same Poleepo order id; using the oldest');
    return rows[0] ? seen(rows[0]) : null;
  }

  private async importNew(conn: OrderConnection, schema: OrderSchema, binding: OrderBinding, order: PoleepoOrder, facts: OrderFacts, status: string | null, signal?: AbortSignal): Promise<ImportOutcome> {
    const settings = conn.view.settings;
    if (isTerminal(status)) {
      await this.save(binding, { state: 'skipped', error: null, parked_reason: null });
      return { outcome: 'skipped', message: `${status} on Poleepo before it was imported: nothing to do in Odoo` };
    }
    if (!status || !settings.importableStatuses.includes(status)) {
      await this.save(binding, { state: 'waiting', error: null });
      return { outcome: 'waiting', message: `Status ${status ?? '(none)'} is not importable for this connection (${settings.importableStatuses.join(', ')})` };
    }
    const refusal = hiddenDataRefusal(order);
    if (refusal) {
      await this.save(binding, { state: 'refused', error: refusal, parked_reason: null });
      return { outcome: 'refused', message: refusal };
    }
    const lines = order.lines ?? [];
    const lineSkus = lines.map((l) => l.sku);
    const skus = await resolveSkus(conn.odoo, schema, lineSkus, signal, await this.repo.boundVariants(conn.view.id, lineSkus));
    const unmatched = describeUnmatched(skus);
    if (unmatched) throw new OrderParkedError(unmatched);
    const shippingCost = order.shipping_cost ?? 0;
    const carrierId = settings.orders.defaultCarrierId;
    const carrier = shippingCost > 0 || carrierId ? await conn.data.carrier(carrierId) : null;
    if (carrierId && !carrier) throw new OrderParkedError(`The configured carrier (delivery.carrier ${carrierId}) does not exist in Odoo for this company: fix the connection's orders.defaultCarrierId, then retry the order.`);
    if (shippingCost > 0 && !carrier) throw new OrderParkedError('The order has a shipping cost but Odoo has no delivery carrier to put it on: create a shipping method (Inventory › Configuration › Shipping Methods) or set orders.defaultCarrierId, then retry the order.');
    // In its own currency, or parked: never the marketplace's amounts read as the company's money.
    const money = await resolveOrderCurrency(conn.data, schema, facts.currency);
    // Held as long as an uncertain create could still commit (Odoo's time limit): a holder that died, or a create
    // without an answer, keeps the others off until then.
    const leaseMs = settings.orders.odooRequestTimeLimitMs + SETTLE_MARGIN_MS;
    const amounts = order as PoleepoOrderAmounts;
    // From here on the run may create records in Odoo (the discount product, the customer, the order): the writes
    // queued so far must be stored first, so nothing is created for a binding the database refused.
    await this.writes.get(binding.id)?.flush();
    const discount = needsDiscountProduct(amounts) ? await discountProduct(conn, this.repo, this.clock, leaseMs, signal) : null;

    // Two orders of the same new customer imported at once must not create it twice: one lease per customer.
    const lease = `orders:customer:${conn.view.id}:${customerKey(order)}`;
    const held = await this.repo.tryLease(lease, `${binding.id}:${this.clock.now()}`, this.clock.now(), leaseMs);
    if (!held) throw new RateLimitedError(`Order ${binding.poleepo_order_id}: another import is creating the same customer; trying again in a moment`, CUSTOMER_RETRY_MS);
    let customer: Awaited<ReturnType<typeof resolveCustomer>>;
    try {
      customer = await resolveCustomer(conn.odoo, conn.data, schema, order, signal);
    } catch (error) {
      if (!(error instanceof OrderUncertainError)) await this.repo.releaseLease(lease, held);
      throw error;
    }
    await this.behind(binding, () => this.repo.releaseLease(lease, held));
    const setup = await conn.data.taxSetup();
    const plan = planOrderLines({
      setup: money.currency ? { ...setup, currencyRounding: money.currency.rounding } : setup,
      order: amounts,
      products: lines.map((l) => skus.found.get(l.sku.trim())!),
      carrier: shippingCost > 0 && carrier ? { productId: carrier.productId, name: carrier.name, taxIds: await conn.data.productTaxes(carrier.productId) } : null,
      discountProduct: discount,
      taxName: (id) => setup.taxes.get(id)?.name ?? `tax ${id}`,
    });
    const notes: OrderNotes = plan.notes;
    const orderLines = plan.lines.map((l) => [0, 0, {
      product_id: l.productId, ...(l.name ? { name: l.name } : {}), product_uom_qty: l.quantity, price_unit: l.priceUnit,
      // Explicit: a pricelist's discount must not change a marketplace amount.
      ...(schema.lineDiscount ? { discount: 0 } : {}),
      [schema.lineTaxField]: [[6, 0, l.taxIds]], ...(l.kind === 'shipping' && schema.lineIsDelivery ? { is_delivery: true } : {}),
    }]);
    const pid = binding.poleepo_order_id;
    const vals: Record<string, unknown> = {
      partner_id: customer.partnerId,
      ...(customer.invoiceId ? { partner_invoice_id: customer.invoiceId } : {}),
      ...(customer.shippingId ? { partner_shipping_id: customer.shippingId } : {}),
      ...(conn.view.odoo.companyId ? { company_id: conn.view.odoo.companyId } : {}),
      user_id: 1, // OdooBot, as the seed's imported orders
      client_order_ref: facts.reference || false,
      origin: `Poleepo ${pid}${facts.channel ? ` (${facts.channel})` : ''}`,
      ...(facts.orderDate ? { date_order: toOdooDatetime(facts.orderDate) } : {}),
      x_poleepo_order_id: pid,
      ...(schema.orderFields.status ? { x_poleepo_status: status } : {}),
      ...(schema.orderFields.channel ? { x_poleepo_channel: facts.channel || false } : {}),
      ...(schema.orderFields.url ? { x_poleepo_url: orderUrl(settings.orderUrlPattern, pid) } : {}),
      ...(carrier && schema.orderFields.carrier ? { carrier_id: carrier.id } : {}),
      ...(money.pricelist ? { pricelist_id: money.pricelist.id } : {}),
      // How the buyer paid, and what the courier collects (the same rule the shipping applies: shipping.cod.ts).
      ...(schema.orderFields.paymentMethod ? { x_poleepo_payment_method: order.payment_method?.trim() || false } : {}),
      ...(schema.orderFields.codAmount ? { x_poleepo_cod_amount: cashOnDeliveryAmount(order) } : {}),
      order_line: orderLines,
    };
    // Marked before it is sent: should this process die before the answer, the create may still commit in Odoo up to
    // its request time limit later, so the next run (whenever the task comes back) waits that out before looking.
    binding = await this.save(binding, { uncertain_step: 'create', recheck_at: this.clock.now() + leaseMs }, { durable: true });
    let id: number;
    try {
      id = await conn.odoo.create('sale.order', vals, { signal, context: { tracking_disable: true, mail_create_nosubscribe: true } });
    } catch (error) {
      if (error instanceof OdooTransportError && error.ambiguous) throw new OrderUncertainError('create', { cause: error });
      // Refused or never sent: nothing committed, nothing to wait for.
      await this.save(binding, { uncertain_step: null, recheck_at: null });
      throw error;
    }
    binding = await this.save(binding, { parked_reason: null, error: null });
    return this.complete(conn, schema, binding, { id, name: '', state: 'draft', dateOrder: null, total: 0, poleepoStatus: status }, facts, status, signal, notes);
  }

  /** A sale order exists and the import is not finished: confirm it, write the date back, check the total. */
  private async complete(conn: OrderConnection, schema: OrderSchema, binding: OrderBinding, so: SaleOrderSeen, facts: OrderFacts, status: string | null, signal?: AbortSignal, notes: OrderNotes = { flags: [], gaps: [] }): Promise<ImportOutcome> {
    const odoo = conn.odoo;
    binding = await this.save(binding, { sale_order_id: so.id, odoo_state: so.state, uncertain_step: null, recheck_at: null });
    if (so.state === 'cancel') {
      binding = await this.save(binding, { state: 'cancelled', sale_order_name: so.name || null, error: null });
      return { outcome: 'cancelled', saleOrderId: so.id, saleOrderName: so.name };
    }
    if (isTerminal(status)) {
      // Cancelled on Poleepo while the import was under way: nothing was delivered yet, cancel what exists.
      if (so.state === 'sale') return this.sync(conn, schema, await this.save(binding, { state: 'confirmed' }), so, status, signal);
      await cancelSaleOrder(conn, so.id, signal);
      await this.save(binding, { state: 'cancelled', odoo_state: 'cancel', sale_order_name: so.name || null, error: null });
      return { outcome: 'cancelled', saleOrderId: so.id, saleOrderName: so.name };
    }
    let confirmedNow = false;
    if (so.state === 'draft' || so.state === 'sent') {
      try {
        await odoo.call('sale.order', 'action_confirm', [[so.id]], {}, { signal });
        confirmedNow = true;
      } catch (error) {
        if (error instanceof OdooTransportError && error.ambiguous) throw new OrderUncertainError('confirm', { cause: error });
        if (!(error instanceof OdooValidationError)) throw error;
        // Refused: maybe confirmed meanwhile (by a person). Only that is fine.
        const again = await this.findSaleOrder(conn, schema, binding.poleepo_order_id, signal);
        if (again?.state !== 'sale') throw error;
      }
    }
    // The confirmation reaches Poleepo now (the merchant sees the order in process there), not at the next poll.
    // Best effort: with Poleepo unreachable the import still completes, and Order Polling's Odoo half pushes it later.
    let current = status;
    let pushed = binding.pushed_status;
    const confirmedStatus = confirmationToPush(conn.view.settings.orders.confirmedStatus, current, pushed);
    if (confirmedStatus) {
      try {
        if (await this.push(conn, binding.poleepo_order_id, confirmedStatus)) {
          current = pushed = confirmedStatus;
          // Recorded at once: Poleepo's notification of this very change may be handled before this run ends.
          binding = await this.save(binding, { poleepo_status: current, status_rank: statusRank(current), pushed_status: pushed });
        }
      } catch (error) {
        this.logger.warn({ connectionId: conn.view.id, poleepoOrderId: binding.poleepo_order_id, err: error }, 'confirmation not pushed to Poleepo yet; Order Polling will');
      }
    }
    const writes: Record<string, unknown> = {};
    const wantedDate = facts.orderDate ? toOdooDatetime(facts.orderDate) : null;
    if (wantedDate && (confirmedNow || so.dateOrder !== wantedDate)) writes.date_order = wantedDate;
    if (schema.orderFields.status && current && so.poleepoStatus !== current) writes.x_poleepo_status = current;
    if (Object.keys(writes).length) await odoo.write('sale.order', [so.id], writes, { signal });
    const [after] = await odoo.read('sale.order', [so.id], ['name', 'state', 'amount_total', 'currency_id'], { signal });
    const total = Number(after?.amount_total ?? 0);
    // Flagged, not silently accepted: a total that differs (with the lines that missed), taxes that could not follow
    // Poleepo's VAT rates, an order Odoo keeps in another currency than Poleepo's. A cent of rounding within the
    // threshold is not worth anybody's time.
    const totalFlag = this.totalFlag(conn, binding, total);
    const odooCurrency = m2oName(after?.currency_id);
    const currencyFlag = binding.currency && odooCurrency && odooCurrency.toUpperCase() !== binding.currency.trim().toUpperCase()
      ? `Odoo keeps the order in ${odooCurrency}, Poleepo's is in ${binding.currency}: check the order's pricelist` : null;
    const flag = [currencyFlag, totalFlag, ...(totalFlag ? notes.gaps : []), ...notes.flags].filter(Boolean).join('; ').slice(0, 2000) || null;
    if (flag && flag !== binding.flag) await this.note(conn, so.id, flag, signal);
    await this.save(binding, {
      state: after?.state === 'sale' ? 'confirmed' : after?.state === 'cancel' ? 'cancelled' : 'draft',
      sale_order_name: String(after?.name ?? so.name ?? '') || null, odoo_state: String(after?.state ?? so.state), odoo_total: total,
      poleepo_status: current, status_rank: statusRank(current), pushed_status: pushed,
      flag, error: null, confirmed_at: this.clock.now(),
    });
    return { outcome: 'confirmed', saleOrderId: so.id, saleOrderName: String(after?.name ?? so.name), flag };
  }

  /** An imported order: status changes from Poleepo, and changes made in Odoo pushed back. */
  private async sync(conn: OrderConnection, schema: OrderSchema, binding: OrderBinding, so: SaleOrderSeen, status: string | null, signal?: AbortSignal): Promise<ImportOutcome> {
    const settings = conn.view.settings.orders;
    const pid = binding.poleepo_order_id;
    let state = binding.state;
    let odooState = so.state;
    let current = status;
    let pushed = binding.pushed_status;
    let flag = binding.flag;
    let message: string | undefined;
    // Evaluated before the branches, which only the first matching one runs (a terminal status is never pushed).
    const toPush = so.state === 'sale' ? confirmationToPush(settings.confirmedStatus, current, pushed) : null;
    if (isTerminal(current) && so.state !== 'cancel') {
      const blocker = await deliveredOrInvoiced(conn, so.id, signal);
      if (blocker) {
        flag = `${current === 'CANCELED' ? 'Cancelled' : 'Refunded'} on Poleepo, but ${blocker}: not cancelled in Odoo. Review it (return, credit note).`;
      } else {
        await cancelSaleOrder(conn, so.id, signal);
        state = 'cancelled';
        odooState = 'cancel';
        message = `${current} on Poleepo: sale order cancelled`;
      }
    } else if (so.state === 'cancel' && !isTerminal(current)) {
      state = 'cancelled';
      if (settings.pushCancellation && canPushCancellation(current)) {
        if (await this.push(conn, pid, 'CANCELED')) {
          current = 'CANCELED';
          pushed = 'CANCELED';
          message = 'Cancelled in Odoo: cancellation pushed to Poleepo';
        } else flag = `Cancelled in Odoo, but Poleepo refused the cancellation (status ${current})`;
      } else if (!canPushCancellation(current)) {
        flag = `Cancelled in Odoo while Poleepo says ${current}: review it on Poleepo.`;
      }
    } else if (toPush) {
      if (await this.push(conn, pid, toPush)) {
        current = pushed = toPush;
        message = `Confirmed in Odoo: ${toPush} pushed to Poleepo`;
      }
    }
    if (so.state === 'cancel') state = 'cancelled';
    if (schema.orderFields.status && current && so.poleepoStatus !== current) await conn.odoo.write('sale.order', [so.id], { x_poleepo_status: current }, { signal });
    if (flag && flag !== binding.flag) await this.note(conn, so.id, flag, signal);
    await this.save(binding, {
      state, odoo_state: odooState, poleepo_status: current, status_rank: statusRank(current), pushed_status: pushed, flag,
      sale_order_name: so.name || binding.sale_order_name, error: null,
    });
    return { outcome: state === 'cancelled' ? 'cancelled' : 'synced', saleOrderId: so.id, saleOrderName: so.name, message, flag };
  }

  // ---------------------------------------------------------------- helpers

  private async push(conn: OrderConnection, poleepoOrderId: string, status: PoleepoOrderStatus): Promise<boolean> {
    try {
      await conn.poleepo.updateOrderStatus(poleepoOrderId, status);
      return true;
    } catch (error) {
      // The transition is not allowed any more (the order moved on Poleepo): not retried, flagged by the caller.
      if (error instanceof PoleepoValidationError) {
        this.logger.warn({ connectionId: conn.view.id, poleepoOrderId, status, err: error.message }, 'Poleepo refused a status push');
        return false;
      }
      throw error;
    }
  }

  private totalFlag(conn: OrderConnection, binding: OrderBinding, odooTotal: number): string | null {
    if (binding.poleepo_total === null) return null;
    const diff = Math.abs(odooTotal - binding.poleepo_total);
    if (diff <= conn.view.settings.totalMismatchThreshold + 1e-9) return null;
    return `Total differs: ${odooTotal.toFixed(2)} in Odoo vs ${binding.poleepo_total.toFixed(2)} on Poleepo${binding.currency ? ` (${binding.currency})` : ''}, more than the ${conn.view.settings.totalMismatchThreshold.toFixed(2)} allowed. Check the taxes of the products.`;
  }

  /** A note in the sale order's chatter, so Odoo users see what the connector flagged (best effort). */
  private async note(conn: OrderConnection, saleOrderId: number, text: string, signal?: AbortSignal): Promise<void> {
    try {
      await conn.odoo.call('sale.order', 'message_post', [[saleOrderId]], { body: `<p>Poleepo: ${escapeHtml(text)}</p>`, body_is_html: true, message_type: 'comment', subtype_xmlid: 'mail.mt_note' }, { signal });
    } catch (error) {
      this.logger.warn({ saleOrderId, err: error }, 'could not post the flag on the sale order');
    }
  }

  /** Writes what changed (nothing written when nothing did): each round trip counts in the import's latency. */
  /**
   * Records a change of the binding. Written behind (DESIGN §6 order latency): the write is queued after the run's
   * earlier ones, in order, and overlaps the next Odoo or Poleepo call instead of waiting for the database first — on
   * PostgreSQL each round trip waited for was most of the connector's own time per order. `durable` waits until it
   * (and every earlier write) is stored: the mark written before the create must be in the database before the create
   * is sent (the crash rule of the class comment). The queue is also drained before the first record the run may
   * create in Odoo (discount product, customer); confirmations, writes and pushes are idempotent and may overlap.
   * A failed write fails the run at its next durable point or its end.
   */
  private async save(binding: OrderBinding, patch: OrderBindingPatch, options: { durable?: boolean } = {}): Promise<OrderBinding> {
    const changed = Object.fromEntries(Object.entries(patch).filter(([k, v]) => (binding as Record<string, unknown>)[k] !== v));
    if (Object.keys(changed).length > 0) {
      const full = { ...changed, updated_at: this.clock.now() };
      await this.behind(binding, () => this.repo.update(binding.id, full));
      binding = { ...binding, ...full } as OrderBinding;
    }
    if (options.durable) await this.writes.get(binding.id)?.flush();
    return binding;
  }

  /** Queues a write after the run's earlier ones (resolved at once); outside a run, writes it and waits. */
  private async behind(binding: OrderBinding, write: () => Promise<void>): Promise<void> {
    const writes = this.writes.get(binding.id);
    if (writes) writes.add(write);
    else await write();
  }
}

/** Writes run one after another in the order they were queued; the first failure is kept and skips the rest. */
class WriteBehind {
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | null = null;

  add(write: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        await write();
      } catch (error) {
        this.failure = { error };
      }
    });
  }

  /** Resolves once every queued write is stored; rejects with the first write's failure. */
  async flush(): Promise<void> {
    await this.chain;
    if (this.failure) throw this.failure.error;
  }
}

function seen(r: OdooRecord): SaleOrderSeen {
  return {
    id: r.id, name: String(r.name ?? ''), state: String(r.state ?? ''), dateOrder: typeof r.date_order === 'string' ? r.date_order : null,
    total: Number(r.amount_total ?? 0), poleepoStatus: typeof r.x_poleepo_status === 'string' ? r.x_poleepo_status : null,
  };
}

/** Why a cancellation cannot simply cancel the sale order (something left the warehouse or was invoiced), or null. */
async function deliveredOrInvoiced(conn: OrderConnection, saleOrderId: number, signal?: AbortSignal): Promise<string | null> {
  const lines = await conn.odoo.searchRead('sale.order.line', [['order_id', '=', saleOrderId]], { fields: ['qty_delivered', 'qty_invoiced'], signal });
  const [order] = await conn.odoo.read('sale.order', [saleOrderId], ['invoice_ids'], { signal });
  const reasons: string[] = [];
  if (lines.some((l) => Number(l.qty_delivered ?? 0) > 0)) reasons.push('goods were already delivered');
  const invoiceIds = Array.isArray(order?.invoice_ids) ? (order.invoice_ids as number[]) : [];
  let invoiced = lines.some((l) => Number(l.qty_invoiced ?? 0) > 0);
  if (!invoiced && invoiceIds.length) {
    const moves = await conn.odoo.read('account.move', invoiceIds, ['state'], { signal });
    invoiced = moves.some((m) => m.state !== 'cancel');
  }
  if (invoiced) reasons.push('it was invoiced');
  return reasons.length ? reasons.join(' and ') : null;
}

/** Cancels without Odoo's interactive wizard (17/18 return it unless `disable_cancel_warning`; 19 cancels directly). */
async function cancelSaleOrder(conn: OrderConnection, saleOrderId: number, signal?: AbortSignal): Promise<void> {
  const result = await conn.odoo.call('sale.order', 'action_cancel', [[saleOrderId]], {}, { signal, context: { disable_cancel_warning: true } });
  if (result && typeof result === 'object' && (result as { res_model?: string }).res_model === 'sale.order.cancel') {
    const wizard = await conn.odoo.create('sale.order.cancel', { order_id: saleOrderId }, { signal, context: { default_order_id: saleOrderId } });
    await conn.odoo.call('sale.order.cancel', 'action_cancel', [[wizard]], {}, { signal });
  }
  const [after] = await conn.odoo.read('sale.order', [saleOrderId], ['state'], { signal });
  if (after?.state !== 'cancel') throw new OdooValidationError({ odooMessage: `sale order ${saleOrderId} is still ${String(after?.state)} after action_cancel`, model: 'sale.order', method: 'action_cancel' });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** What the pricing of the lines has to say: flags always shown, rounding gaps only with a total that differs. */
interface OrderNotes {
  flags: string[];
  gaps: string[];
}

