import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { PermanentError, RateLimitedError, RetryableError, errorMessage } from '../shared/errors.ts';
import { OdooServerError, OdooTransportError, OdooValidationError, isOdooError } from '../odoo/odoo.errors.ts';
import type { OrderConnection } from '../orders/orders.connections.ts';
import { PoleepoNotFoundError, PoleepoValidationError } from '../poleepo/poleepo.errors.ts';
import type { PoleepoDocument } from '../poleepo/poleepo.types.ts';
import { invoiceFileName, InvoicesOdoo, type OrderMove } from './invoices.odoo.ts';
import type { InvoicePatch, InvoicesRepo } from './invoices.repo.ts';
import { WORKING_STEPS, type InvoiceRow } from './invoices.tables.ts';
import { InvoiceStopped, kindWord, noPdfEngine, notProvisioned, nothingToInvoice, odooRefused, pdfFailed, poleepoRefused, stepWord } from './invoices.words.ts';

/** Waiting this much beyond Odoo's request time limit leaves room for clock skew and the commit itself. */
const SETTLE_MARGIN_MS = 10_000;

export interface InvoiceRunnerDeps {
  repo: InvoicesRepo;
  clock: Clock;
  logger: Logger;
}

/** What Poleepo receives (docs/poleepo-api.md §4.6; the amounts are Odoo's, to the cent). */
export interface InvoiceUpload {
  type: 'INVOICE' | 'CREDIT_NOTE';
  number: string;
  date: string;
  file_name: string;
  content_base64: string;
  currency: string | null;
  amount_untaxed: number;
  amount_tax: number;
  amount_total: number;
}

/** Odoo's amounts, rounded to the cent the way Odoo shows them (its floats may carry a tail: 366.00000000000006). */
export function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * One invoice or credit note, from its recorded intent to Poleepo, one step at a time, each recorded before its side
 * effect (the shipments' discipline; DESIGN §4.8):
 * 1. `creating`: `create_sent_at` is written, then Odoo's own path makes the move (the sale order's invoicing wizard,
 *    or the invoice's reversal wizard for a credit note). After a lost answer Odoo is not asked again before its
 *    request time limit has surely passed; then a move of the order that no row knows (by `invoice_origin` /
 *    `invoice_ids`, or `reversed_entry_id`) is adopted instead of making a second one.
 * 2. `posting`: `action_post`; a repeat after a lost answer is recognised by reading the move again.
 * 3. `rendering`: the provisioned server action makes the PDF as an attachment of the move (it finds the one it made
 *    before); the number, date and amounts to send are read from the posted move.
 * 4. `uploading`: Poleepo's documents of the order are read first: one of this type and number is the one already
 *    sent (a lost answer, or a resend); otherwise `upload_sent_at` is written and the document POSTed.
 * A stop a retry cannot fix (no PDF engine, nothing to invoice, a refusal) ends the row in `failed` with plain words.
 */
export class InvoiceRunner {
  constructor(private readonly deps: InvoiceRunnerDeps) {}

  async advance(conn: OrderConnection, invoiceId: number, signal?: AbortSignal): Promise<InvoiceRow> {
    let row = await this.row(invoiceId);
    while ((WORKING_STEPS as readonly string[]).includes(row.step)) {
      signal?.throwIfAborted();
      const before = row.step;
      try {
        if (row.step === 'creating') row = await this.create(conn, row, signal);
        else if (row.step === 'posting') row = await this.post(conn, row, signal);
        else if (row.step === 'rendering') row = await this.render(conn, row, signal);
        else row = await this.upload(conn, row, signal);
      } catch (error) {
        if (error instanceof InvoiceStopped) return this.stop(row, error);
        if (error instanceof Superseded) {
          await this.deps.repo.remove(row.id);
          this.deps.logger.info({ invoiceId: row.id, order: row.poleepo_order_id }, 'credit note already made in Odoo by someone else: nothing to make');
          return row;
        }
        if (error instanceof RateLimitedError) throw error;
        if (error instanceof RetryableError || signal?.aborted) {
          // Odoo or Poleepo did not answer (or this task is being stopped): the task tries again, the step reconciles.
          await this.save(row.id, { error: `While ${stepWord(before)}: ${errorMessage(error)}`.slice(0, 2000) });
          throw error;
        }
        // Refused for good (access, a permission of the Poleepo key, a bug): stopped in words, not a task retried to
        // death; Invoice Sync tries again in an hour, a person's send at once.
        return this.stop(row, new InvoiceStopped('error', `Stopped while ${stepWord(before)}: ${errorMessage(error)}`, 3_600_000, { cause: error }));
      }
      if (row.step === before && row.step !== 'sent') throw new Error(`Invoice ${row.id} did not move on from ${before}`);
    }
    return row;
  }

  // ---------------------------------------------------------------- 1. creating

  private async create(conn: OrderConnection, row: InvoiceRow, signal?: AbortSignal): Promise<InvoiceRow> {
    const now = this.deps.clock.now();
    if (row.recheck_at !== null && now < row.recheck_at) {
      throw new RateLimitedError(`The ${kindWord(row.kind)} of order ${row.poleepo_order_id}: waiting until Odoo's request time limit has passed before looking for it`, row.recheck_at - now);
    }
    const odoo = this.odoo(conn);
    return row.kind === 'CREDIT_NOTE' ? this.createCreditNote(conn, odoo, row, signal) : this.createInvoice(conn, odoo, row, signal);
  }

  private async createInvoice(conn: OrderConnection, odoo: InvoicesOdoo, row: InvoiceRow, signal?: AbortSignal): Promise<InvoiceRow> {
    const order = await odoo.saleOrder(row.sale_order_id, signal);
    if (!order) throw new InvoiceStopped('odoo_missing', `Sale order ${row.sale_order_name ?? `#${row.sale_order_id}`} no longer exists in Odoo: nothing to invoice.`);
    const unknown = async () => {
      const moves = (await odoo.movesOfOrder(order, signal)).filter((m) => m.kind === 'INVOICE' && m.state !== 'cancel');
      const known = await this.deps.repo.knownMoves(row.connection_id, moves.map((m) => m.id));
      return moves.filter((m) => !known.has(m.id));
    };
    if (row.create_sent_at !== null) {
      // The wizard may have run without its answer reaching us: the invoice it made is one no row knows.
      const found = (await unknown()).at(-1);
      if (found) {
        this.deps.logger.warn({ invoiceId: row.id, moveId: found.id, order: order.name }, 'invoice found in Odoo after a lost reply: adopted, not made again');
        return this.adopt(row, found);
      }
    }
    if (order.state !== 'sale' && order.state !== 'done') {
      throw new InvoiceStopped('order_not_confirmed', `${order.name} is ${order.state === 'cancel' ? 'cancelled' : `"${order.state}"`} in Odoo: only a confirmed order is invoiced.`);
    }
    await this.save(row.id, { create_sent_at: this.deps.clock.now(), recheck_at: null });
    let moveId: number | null;
    try {
      moveId = await odoo.createInvoice(order.id, signal);
    } catch (error) {
      await this.whenUnanswered(conn, row, error);
      if (error instanceof OdooValidationError) {
        await this.save(row.id, { create_sent_at: null });
        if (/no items are available to invoice|nothing to invoice/i.test(error.odooMessage)) {
          const drafts = (await unknown()).filter((m) => m.state === 'draft').map((m) => m.name ?? `#${m.id}`);
          throw nothingToInvoice(order.name, drafts, error);
        }
        throw odooRefused(`invoice ${order.name}`, error.odooMessage, error);
      }
      throw error;
    }
    const move = moveId !== null ? await odoo.move(moveId, signal) : (await unknown()).at(-1) ?? null;
    if (!move) throw new RetryableError(`Odoo made the invoice of ${order.name} but it cannot be found by the order yet`);
    return this.adopt(row, move);
  }

  private async createCreditNote(conn: OrderConnection, odoo: InvoicesOdoo, row: InvoiceRow, signal?: AbortSignal): Promise<InvoiceRow> {
    const invoiceId = row.reversed_move_id;
    if (invoiceId === null) throw new PermanentError(`Credit note ${row.id} names no invoice to reverse`);
    const reversals = (await odoo.reversalsOf(invoiceId, signal)).filter((m) => m.state !== 'cancel');
    const known = await this.deps.repo.knownMoves(row.connection_id, reversals.map((m) => m.id));
    // A credit note of this invoice made by anyone (a person, or our own call whose answer was lost) is the one.
    const found = reversals.find((m) => !known.has(m.id));
    if (found) return this.adopt(row, found);
    // Another row follows a credit note of this invoice already (made by hand, picked up): this one has nothing to do.
    if (reversals.length) throw new Superseded();
    const invoice = await odoo.move(invoiceId, signal);
    if (!invoice || invoice.state !== 'posted') {
      throw new InvoiceStopped('invoice_not_posted', `The invoice to credit (${invoice?.name ?? `#${invoiceId}`}) is ${invoice ? invoice.state : 'gone'} in Odoo: only a posted invoice gets a credit note.`);
    }
    await this.save(row.id, { create_sent_at: this.deps.clock.now(), recheck_at: null });
    let moveId: number | null;
    try {
      moveId = await odoo.createCreditNote(invoiceId, `Poleepo: order ${row.poleepo_order_id} cancelled or refunded`, signal);
    } catch (error) {
      await this.whenUnanswered(conn, row, error);
      if (error instanceof OdooValidationError) {
        await this.save(row.id, { create_sent_at: null });
        throw odooRefused(`make the credit note of ${invoice.name ?? `#${invoiceId}`}`, error.odooMessage, error);
      }
      throw error;
    }
    const move = moveId !== null ? await odoo.move(moveId, signal) : (await odoo.reversalsOf(invoiceId, signal)).filter((m) => m.state !== 'cancel').at(-1) ?? null;
    if (!move) throw new RetryableError(`Odoo made the credit note of ${invoice.name ?? `#${invoiceId}`} but it cannot be found yet`);
    return this.adopt(row, move);
  }

  /**
   * A create whose answer was lost may have committed, or may still be running in Odoo: nothing is looked for before
   * Odoo's request time limit has surely passed (the order import's rule), then the move is looked for first.
   */
  private async whenUnanswered(conn: OrderConnection, row: InvoiceRow, error: unknown): Promise<void> {
    if (!(error instanceof OdooTransportError) || !error.ambiguous) return;
    const waitMs = conn.view.settings.orders.odooRequestTimeLimitMs + SETTLE_MARGIN_MS;
    await this.save(row.id, { recheck_at: this.deps.clock.now() + waitMs, error: `No answer from Odoo while making the ${kindWord(row.kind)}: looking for it in ${Math.round(waitMs / 1000)} s, once Odoo's request time limit has surely passed` });
    throw new RateLimitedError(`The ${kindWord(row.kind)} of order ${row.poleepo_order_id}: no answer from Odoo; looking for it after Odoo's request time limit`, waitMs, { cause: error });
  }

  private async adopt(row: InvoiceRow, move: OrderMove): Promise<InvoiceRow> {
    await this.save(row.id, {
      move_id: move.id, open_key: null, recheck_at: null, error: null, error_code: null, ...moveFacts(move),
      step: move.state === 'posted' ? 'rendering' : 'posting',
    });
    this.deps.logger.info({ invoiceId: row.id, moveId: move.id, kind: row.kind, order: row.poleepo_order_id }, `${kindWord(row.kind)} made in Odoo`);
    return this.row(row.id);
  }

  // ---------------------------------------------------------------- 2. posting

  private async post(conn: OrderConnection, row: InvoiceRow, signal?: AbortSignal): Promise<InvoiceRow> {
    const odoo = this.odoo(conn);
    const move = await this.move(odoo, row, signal);
    if (move.state === 'posted') return this.posted(row, move);
    await this.save(row.id, { post_sent_at: this.deps.clock.now() });
    try {
      await odoo.post(move.id, signal);
    } catch (error) {
      // A repeat after a lost answer ("must be in draft"), or a timeout: the move says whether it is posted.
      const again = await this.move(odoo, row, signal);
      if (again.state === 'posted') return this.posted(row, again);
      if (error instanceof OdooValidationError) throw odooRefused(`post ${kindWord(row.kind)} ${move.name ?? `#${move.id}`}`, error.odooMessage, error);
      throw error;
    }
    return this.posted(row, await this.move(odoo, row, signal));
  }

  private async posted(row: InvoiceRow, move: OrderMove): Promise<InvoiceRow> {
    if (move.state !== 'posted') throw new RetryableError(`${kindWord(row.kind)} ${move.name ?? `#${move.id}`} is still ${move.state} after action_post`);
    await this.save(row.id, { ...moveFacts(move), step: 'rendering', error: null, error_code: null });
    return this.row(row.id);
  }

  // ---------------------------------------------------------------- 3. rendering

  private async render(conn: OrderConnection, row: InvoiceRow, signal?: AbortSignal): Promise<InvoiceRow> {
    const odoo = this.odoo(conn);
    const move = await this.move(odoo, row, signal);
    if (move.state === 'draft') {
      // Reset to draft in Odoo since: post it again (its number and amounts may have changed).
      await this.save(row.id, { ...moveFacts(move), step: 'posting' });
      return this.row(row.id);
    }
    if (!move.name) throw new RetryableError(`${kindWord(row.kind)} #${move.id} has no number yet`);
    const fileName = invoiceFileName(move.name);
    // Number, date and amounts as Odoo shows them now, kept before the PDF: a stop there (no wkhtmltopdf) still lists
    // the invoice with its facts (an invoice made by hand arrives here knowing only its id).
    await this.save(row.id, moveFacts(move));
    let attachment = await odoo.findPdf(move.id, fileName, signal);
    if (attachment === null) {
      const actionId = await odoo.pdfActionId(signal);
      if (actionId === null) throw notProvisioned();
      await this.save(row.id, { render_sent_at: this.deps.clock.now() });
      try {
        await odoo.renderPdf(actionId, move.id, signal);
      } catch (error) {
        const text = isOdooError(error) ? error.odooMessage : errorMessage(error);
        if (/wkhtmltopdf/i.test(text)) throw noPdfEngine(`${kindWord(row.kind)} ${move.name}`, error);
        if (error instanceof OdooValidationError || error instanceof OdooServerError) throw pdfFailed(`${kindWord(row.kind)} ${move.name}`, text, error);
        throw error;
      }
      attachment = await odoo.findPdf(move.id, fileName, signal);
      if (attachment === null) throw new RetryableError(`Odoo ran the PDF action for ${move.name} but no ${fileName} is attached to it`);
    }
    await this.save(row.id, { ...moveFacts(move), attachment_id: attachment, file_name: fileName, step: 'uploading', error: null, error_code: null });
    return this.row(row.id);
  }

  // ---------------------------------------------------------------- 4. uploading

  private async upload(conn: OrderConnection, row: InvoiceRow, signal?: AbortSignal): Promise<InvoiceRow> {
    if (!row.move_name || !row.invoice_date || row.attachment_id === null || !row.file_name) {
      await this.save(row.id, { step: 'rendering' });
      return this.row(row.id);
    }
    // Poleepo first: a document of this type and number is this one (sent before its answer was lost, or resent).
    const existing = await this.onPoleepo(conn, row);
    if (existing) return this.sent(row, existing, true);
    const content = await this.odoo(conn).attachmentContent(row.attachment_id, signal);
    const upload: InvoiceUpload = {
      type: row.kind, number: row.move_name, date: row.invoice_date, file_name: row.file_name, content_base64: content.toString('base64'),
      currency: row.currency, amount_untaxed: cents(row.amount_untaxed ?? 0), amount_tax: cents(row.amount_tax ?? 0), amount_total: cents(row.amount_total ?? 0),
    };
    await this.save(row.id, { upload_sent_at: this.deps.clock.now() });
    let document: PoleepoDocument;
    try {
      document = await conn.poleepo.uploadDocument(row.poleepo_order_id, upload);
    } catch (error) {
      if (error instanceof PoleepoValidationError) {
        await this.save(row.id, { upload_sent_at: null });
        const fields = error.fields.map((f) => `${f.field}: ${f.message}`).join('; ');
        throw poleepoRefused(`${kindWord(row.kind)} ${row.move_name}`, `${error.message}${fields ? ` (${fields})` : ''}`, error);
      }
      if (error instanceof PoleepoNotFoundError) {
        await this.save(row.id, { upload_sent_at: null });
        throw new InvoiceStopped('poleepo_order_missing', `Poleepo has no order ${row.poleepo_order_id} any more: ${kindWord(row.kind)} ${row.move_name} cannot be sent.`, null, { cause: error });
      }
      throw error;
    }
    return this.sent(row, document, false);
  }

  /** The document of this type and number on Poleepo, if there is one. */
  async onPoleepo(conn: OrderConnection, row: InvoiceRow): Promise<PoleepoDocument | null> {
    if (!row.move_name) return null;
    const documents = await conn.poleepo.listDocuments(row.poleepo_order_id);
    return documents.find((d) => (row.poleepo_document_id !== null && d.id === row.poleepo_document_id) || (d.type === row.kind && d.number === row.move_name)) ?? null;
  }

  private async sent(row: InvoiceRow, document: PoleepoDocument, found: boolean): Promise<InvoiceRow> {
    const now = this.deps.clock.now();
    await this.save(row.id, { step: 'sent', poleepo_document_id: document.id, sent_at: row.sent_at ?? now, error: null, error_code: null, failed_step: null, retry_at: null });
    if (found && row.upload_sent_at !== null) this.deps.logger.warn({ invoiceId: row.id, documentId: document.id, number: row.move_name }, 'document found on Poleepo after a lost reply: adopted, not sent again');
    else this.deps.logger.info({ invoiceId: row.id, documentId: document.id, number: row.move_name, kind: row.kind }, `${kindWord(row.kind)} sent to Poleepo`);
    return this.row(row.id);
  }

  // ---------------------------------------------------------------- shared

  private async stop(row: InvoiceRow, stop: InvoiceStopped): Promise<InvoiceRow> {
    const current = await this.row(row.id);
    await this.save(row.id, {
      step: 'failed', failed_step: current.step === 'failed' ? current.failed_step : current.step, error: stop.message.slice(0, 2000), error_code: stop.stopCode,
      retry_at: stop.retryAfterMs === null ? null : this.deps.clock.now() + stop.retryAfterMs,
    });
    this.deps.logger.warn({ invoiceId: row.id, order: row.poleepo_order_id, code: stop.stopCode, reason: stop.message }, `${kindWord(row.kind)} stopped`);
    return this.row(row.id);
  }

  private async move(odoo: InvoicesOdoo, row: InvoiceRow, signal?: AbortSignal): Promise<OrderMove> {
    const move = row.move_id === null ? null : await odoo.move(row.move_id, signal);
    if (!move) throw new InvoiceStopped('odoo_missing', `${kindWord(row.kind)} ${row.move_name ?? `#${row.move_id}`} no longer exists in Odoo.`);
    if (move.state === 'cancel') {
      await this.save(row.id, { move_state: 'cancel' });
      throw new InvoiceStopped('odoo_cancelled', `${kindWord(row.kind)} ${move.name ?? `#${move.id}`} was cancelled in Odoo: it is not sent to Poleepo.`);
    }
    return move;
  }

  private odoo(conn: OrderConnection): InvoicesOdoo {
    return new InvoicesOdoo(conn.odoo, conn.view.odoo.companyId);
  }

  private async row(id: number): Promise<InvoiceRow> {
    const row = await this.deps.repo.get(id);
    if (!row) throw new PermanentError(`Invoice ${id} no longer exists`);
    return row;
  }

  private async save(id: number, patch: InvoicePatch): Promise<void> {
    await this.deps.repo.update(id, { ...patch, updated_at: this.deps.clock.now() });
  }
}

/** A credit note to make that another row already follows: the row is removed (it never made anything). */
class Superseded extends Error {}

/** What a row keeps of the move as Odoo last showed it. */
function moveFacts(move: OrderMove): InvoicePatch {
  return {
    move_name: move.name, move_state: move.state, invoice_date: move.invoiceDate, currency: move.currency,
    amount_untaxed: move.amountUntaxed, amount_tax: move.amountTax, amount_total: move.amountTotal,
    ...(move.reversedMoveId !== null ? { reversed_move_id: move.reversedMoveId } : {}),
  };
}
