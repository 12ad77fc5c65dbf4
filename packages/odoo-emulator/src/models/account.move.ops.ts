/**
 * What account.move does (account/models/account_move.py of 17/18/19), for customer invoices and credit notes:
 *
 * - `syncDynamicLines`: while a move is a draft, its tax lines (one per tax) and its receivable line ("payment term")
 *   follow the product lines, amounts through the tax engine (account.amounts.ts). Signs as Odoo's: an invoice
 *   credits income and tax and debits the receivable; a credit note the reverse.
 * - `postMoves` (`_post`): the refusals ("The entry … must be in draft.", a negative total, no customer, no line),
 *   `invoice_date` set to today when empty (and the accounting date with it), the journal's next number (yearly
 *   sequence `INV/2026/00005`, credit notes `RINV/…`, continuing the numbers a draft reset kept), `payment_reference`
 *   of a customer invoice, and the reconciliation of a credit note with the posted invoice it reverses.
 * - `buttonDraft` / `buttonCancel`: back to draft (the reconciliation undone, the number kept), cancelled.
 * - `reverseMoves` (`_reverse_moves`): a copy of the move of the opposite type pointing to it (`reversed_entry_id`),
 *   the product lines with their sales order lines, posted and reconciled at once when `cancel`.
 * - `moveAmounts` / `movePaymentState`: the amounts and `payment_state` (not_paid, partial, paid, reversed).
 */
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import { roundTo } from '../orm/model.ts';
import { userError } from '../errors/odoo.errors.ts';
import { computeLineAmounts, documentAmounts } from './account.amounts.ts';
import { postMessage, postTracking } from './mail.thread.ts';
import type { AccountAccount } from './account.journal.model.ts';
import type { AccountMove } from './account.move.model.ts';

export const INVOICE_TYPES = new Set(['out_invoice', 'out_refund', 'in_invoice', 'in_refund', 'out_receipt', 'in_receipt']);
export const REVERSE_TYPE: Record<string, string> = {
  entry: 'entry', out_invoice: 'out_refund', out_refund: 'entry', in_invoice: 'in_refund', in_refund: 'entry', out_receipt: 'out_refund', in_receipt: 'in_refund',
};

export const isInvoiceType = (t: unknown): boolean => typeof t === 'string' && INVOICE_TYPES.has(t);
const isSaleDocument = (t: unknown): boolean => t === 'out_invoice' || t === 'out_refund' || t === 'out_receipt';
const isRefundType = (t: unknown): boolean => t === 'out_refund' || t === 'in_refund';
/** `direction_sign`: -1 when the move's product lines are credits (customer invoices, vendor refunds). */
export const directionSign = (t: unknown): number => (t === 'out_invoice' || t === 'in_refund' || t === 'out_receipt' ? -1 : 1);
const isZero = (n: number) => Math.abs(n) < 0.005;

interface Partial {
  line: number;
  amount: number;
}

function linesOf(env: Env, moveId: number): Rec[] {
  const table = env.model('account.move.line').table;
  return [...table.lookup('move_id', moveId)].sort((a, b) => a - b).map((id) => table.get(id)!);
}

function today(env: Env): string {
  return env.now.slice(0, 10);
}

// ---------------------------------------------------------------- dynamic lines

/** Brings a draft invoice's tax and receivable lines in step with its product lines. */
export function syncDynamicLines(env: Env, moveId: number): void {
  const moves = env.model('account.move') as AccountMove;
  const move = moves.table.get(moveId);
  if (!move || !isInvoiceType(move.move_type) || move.state !== 'draft') return;
  const lineModel = env.model('account.move.line');
  const table = lineModel.table;
  const quiet = env.withContext({ skip_invoice_sync: true });
  const all = linesOf(env, moveId);
  const sign = directionSign(move.move_type);
  const companyId = move.company_id as number;
  const partner = moves.commercialPartner(env, move);
  const products = all.filter((l) => l.display_type === 'product');
  const amounts = products.map((l) => computeLineAmounts(env, {
    priceUnit: Number(l.price_unit) || 0, discount: Number(l.discount) || 0, quantity: Number(l.quantity) || 0, taxIds: (l.tax_ids as number[]) ?? [],
  }, companyId, isRefundType(move.move_type)));
  const doc = products.length ? documentAmounts(env, amounts, companyId) : undefined;
  products.forEach((l, i) => {
    const a = amounts[i];
    // The global rounding's delta (18/19 round_globally) goes to the base lines, so that the entry balances.
    const balance = roundTo(sign * (a.subtotal + (doc?.lineDeltas[i] ?? 0)), 2) || 0;
    table.update(l.id, { price_subtotal: a.subtotal, price_total: a.total, balance, amount_currency: balance, partner_id: partner, amount_residual: 0 });
  });
  const stale = new Set(all.filter((l) => l.display_type === 'tax' || l.display_type === 'payment_term').map((l) => l.id));
  if (doc) {
    const accounts = env.model('account.account') as AccountAccount;
    const taxes = env.model('account.tax').table;
    const common = { move_id: moveId, partner_id: partner, company_id: companyId, tax_ids: [[6, 0, []]], quantity: 1, price_unit: 0, discount: 0 };
    for (const [taxId, t] of doc.perTax) {
      if (isZero(t.amount)) continue;
      const balance = roundTo(sign * t.amount, 2);
      const existing = all.find((l) => l.display_type === 'tax' && l.tax_line_id === taxId && stale.has(l.id));
      const vals = {
        display_type: 'tax', name: taxes.get(taxId)?.name ?? '', tax_line_id: taxId, tax_base_amount: t.base, balance, amount_currency: balance,
        account_id: t.accountId || accounts.ofType(companyId, 'liability_current')?.id || false, partner_id: partner, price_subtotal: 0, price_total: 0,
      };
      if (existing) {
        stale.delete(existing.id);
        table.update(existing.id, vals);
      } else lineModel.createInternal(quiet, { ...common, ...vals });
    }
    const total = roundTo(-sign * doc.total, 2) || 0;
    const due = move.invoice_date_due || move.invoice_date || move.date || false;
    const vals = {
      display_type: 'payment_term', name: typeof move.payment_reference === 'string' ? move.payment_reference : '', balance: total, amount_currency: total,
      amount_residual: total, reconciled: false, __partials: [], date_maturity: due, partner_id: partner, price_subtotal: 0, price_total: 0,
      account_id: accounts.ofType(companyId, isSaleDocument(move.move_type) ? 'asset_receivable' : 'liability_payable')?.id || false,
    };
    const existing = all.find((l) => l.display_type === 'payment_term' && stale.has(l.id));
    if (existing) {
      stale.delete(existing.id);
      table.update(existing.id, vals);
    } else {
      const id = lineModel.createInternal(quiet, { ...common, ...vals });
      table.update(id, { __partials: [] });
    }
  }
  for (const id of stale) table.delete(id);
  touchMoves(env, [moveId]);
}

// ---------------------------------------------------------------- amounts and payment state

export function moveAmounts(env: Env, rec: Rec): { amount_untaxed: number; amount_tax: number; amount_total: number; amount_residual: number } {
  const key = `move-amounts:${rec.id}:${env.registry.store.table('account.move.line').version}:${env.registry.store.table('account.move').version}`;
  const cached = env.cache.get(key) as ReturnType<typeof moveAmounts> | undefined;
  if (cached) return cached;
  const lines = linesOf(env, rec.id);
  let out: ReturnType<typeof moveAmounts>;
  if (isInvoiceType(rec.move_type)) {
    const sign = directionSign(rec.move_type);
    const untaxed = roundTo(lines.filter((l) => l.display_type === 'product').reduce((s, l) => s + (Number(l.price_subtotal) || 0), 0), 2);
    const tax = roundTo(lines.filter((l) => l.display_type === 'tax').reduce((s, l) => s + sign * (Number(l.balance) || 0), 0), 2);
    const residual = roundTo(lines.filter((l) => l.display_type === 'payment_term').reduce((s, l) => s - sign * (Number(l.amount_residual) || 0), 0), 2);
    out = { amount_untaxed: untaxed, amount_tax: tax, amount_total: roundTo(untaxed + tax, 2), amount_residual: residual };
  } else {
    const total = roundTo(lines.reduce((s, l) => s + Math.max(0, Number(l.balance) || 0), 0), 2);
    out = { amount_untaxed: 0, amount_tax: 0, amount_total: total, amount_residual: 0 };
  }
  env.cache.set(key, out);
  return out;
}

/** `_compute_payment_state`: from the reconciliation of the receivable/payable lines of a posted invoice. */
export function movePaymentState(env: Env, rec: Rec): string {
  if (rec.payment_state === 'invoicing_legacy' || rec.payment_state === 'blocked') return rec.payment_state;
  if (rec.state !== 'posted' || !isInvoiceType(rec.move_type)) return 'not_paid';
  const lineTable = env.model('account.move.line').table;
  const moveTable = env.model('account.move').table;
  const partials = linesOf(env, rec.id).filter((l) => l.display_type === 'payment_term').flatMap((l) => (l.__partials as Partial[] | undefined) ?? []);
  if (isZero(moveAmounts(env, rec).amount_residual)) {
    const counterparts = new Set(partials.map((p) => moveTable.get(lineTable.get(p.line)?.move_id as number)?.move_type as string));
    counterparts.delete('entry');
    const only = (t: string) => counterparts.size === 1 && counterparts.has(t);
    if (((rec.move_type === 'out_invoice' || rec.move_type === 'out_receipt') && only('out_refund')) || ((rec.move_type === 'in_invoice' || rec.move_type === 'in_receipt') && only('in_refund'))) return 'reversed';
    return 'paid';
  }
  return partials.length ? 'partial' : 'not_paid';
}

// ---------------------------------------------------------------- reconciliation

function reconcilePair(env: Env, a: Rec, b: Rec): void {
  const table = env.model('account.move.line').table;
  const amount = roundTo(Math.min(Math.abs(Number(a.amount_residual) || 0), Math.abs(Number(b.amount_residual) || 0)), 2);
  if (!amount || Math.sign(Number(a.amount_residual)) === Math.sign(Number(b.amount_residual))) return;
  for (const [line, other] of [[a, b], [b, a]] as const) {
    const residual = roundTo((Number(line.amount_residual) || 0) - Math.sign(Number(line.amount_residual)) * amount, 2) || 0;
    table.update(line.id, { amount_residual: residual, reconciled: isZero(residual), __partials: [...((line.__partials as Partial[] | undefined) ?? []), { line: other.id, amount }] });
  }
  touchMoves(env, [a.move_id as number, b.move_id as number]);
}

/** The stored amounts and payment state of these moves changed: Odoo writes them (`write_date` moves on). */
function touchMoves(env: Env, moveIds: number[]): void {
  const moves = env.model('account.move').table;
  for (const id of new Set(moveIds)) if (moves.get(id)) moves.update(id, { write_date: env.now, write_uid: env.uid });
}

/** `remove_move_reconcile`: the partial reconciliations of these lines are undone on both sides. */
function unreconcile(env: Env, lineIds: number[]): void {
  const table = env.model('account.move.line').table;
  for (const id of lineIds) {
    const line = table.get(id);
    const partials = (line?.__partials as Partial[] | undefined) ?? [];
    if (!line || !partials.length) continue;
    for (const p of partials) {
      const other = table.get(p.line);
      if (!other) continue;
      const rest = ((other.__partials as Partial[] | undefined) ?? []).filter((x) => x.line !== id);
      const restored = roundTo((Number(other.amount_residual) || 0) + Math.sign(Number(other.balance) || 0) * p.amount, 2);
      table.update(other.id, { __partials: rest, amount_residual: restored, reconciled: rest.length > 0 && isZero(restored) });
      touchMoves(env, [other.move_id as number]);
    }
    const total = partials.reduce((s, p) => s + p.amount, 0);
    const restored = roundTo((Number(line.amount_residual) || 0) + Math.sign(Number(line.balance) || 0) * total, 2);
    table.update(id, { __partials: [], amount_residual: restored, reconciled: false });
  }
}

/** `_reconcile_reversed_moves`: the reconcilable lines of a move and its reversal, account by account. */
function reconcileReversed(env: Env, moveId: number, reverseId: number): void {
  const accounts = env.model('account.account').table;
  const open = (l: Rec) => !l.reconciled && accounts.get(l.account_id as number)?.reconcile === true;
  const mine = linesOf(env, moveId).filter(open);
  const theirs = linesOf(env, reverseId).filter(open);
  for (const a of mine) {
    for (const b of theirs) {
      if (a.account_id !== b.account_id) continue;
      const table = env.model('account.move.line').table;
      reconcilePair(env, table.get(a.id)!, table.get(b.id)!);
    }
  }
}

// ---------------------------------------------------------------- posting

/** The journal's next number for this move: yearly for sales journals, "R" before credit notes' (`_get_starting_sequence`). */
function nextName(env: Env, move: Rec): { name: string; prefix: string; number: number } {
  const journal = env.model('account.journal').table.get(move.journal_id as number);
  const date = String(move.date || today(env));
  const year = date.slice(0, 4);
  const refund = isRefundType(move.move_type) && journal?.refund_sequence !== false;
  const code = String(journal?.code ?? 'MISC');
  const prefix = journal?.type === 'sale' || journal?.type === 'bank' || journal?.type === 'cash'
    ? `${refund ? 'R' : ''}${code}/${year}/`
    : `${refund ? 'R' : ''}${code}/${year}/${date.slice(5, 7)}/`;
  let last = (env.registry.peekSequence(`account.move/${move.journal_id}/${prefix}`) ?? 1) - 1;
  const moves = env.model('account.move').table;
  for (const id of moves.lookup('sequence_prefix', prefix)) {
    const m = moves.get(id)!;
    if (m.journal_id === move.journal_id && m.id !== move.id) last = Math.max(last, Number(m.sequence_number) || 0);
  }
  const number = last + 1;
  const digits = prefix.split('/').length > 3 ? 4 : 5;
  return { name: `${prefix}${String(number).padStart(digits, '0')}`, prefix, number };
}

export function postMoves(env: Env, ids: number[], _opts: { soft: boolean }): number[] {
  const moves = env.model('account.move') as AccountMove;
  const table = moves.table;
  const messages = new Set<string>();
  for (const id of ids) {
    const move = table.get(id)!;
    if (!isInvoiceType(move.move_type)) continue;
    if (moveAmounts(env, move).amount_total < -0.005) {
      messages.add('You cannot validate an invoice with a negative total amount. You should create a credit note instead. Use the action menu to transform it into a credit note or refund.');
    }
    if (!move.partner_id) {
      if (isSaleDocument(move.move_type)) messages.add("The field 'Customer' is required, please complete it to validate the Customer Invoice.");
      else messages.add("The field 'Vendor' is required, please complete it to validate the Vendor Bill.");
    }
    if (!move.invoice_date) {
      if (isSaleDocument(move.move_type)) table.update(id, { invoice_date: today(env), date: today(env) });
      else messages.add('The Bill/Refund date is required to validate this document.');
    }
  }
  for (const id of ids) {
    const move = table.get(id)!;
    if (move.state === 'posted' || move.state === 'cancel') messages.add(`The entry ${move.name === false ? 'False' : String(move.name)} (id ${id}) must be in draft.`);
    if (!linesOf(env, id).some((l) => l.display_type !== 'line_section' && l.display_type !== 'line_note')) messages.add('You need to add a line before posting.');
  }
  if (messages.size) throw userError([...messages].join('\n'));

  for (const id of ids) {
    const move = table.get(id)!;
    const vals: Record<string, unknown> = { state: 'posted', posted_before: true, write_date: env.now, write_uid: env.uid };
    if (isInvoiceType(move.move_type) && move.invoice_date) vals.date = move.invoice_date;
    table.update(id, vals);
    if (!move.name || move.name === '/') {
      const { name, prefix, number } = nextName(env, table.get(id)!);
      table.update(id, { name, sequence_prefix: prefix, sequence_number: number });
    }
    const posted = table.get(id)!;
    if (posted.move_type === 'out_invoice' && !posted.payment_reference) table.update(id, { payment_reference: posted.name });
    const lines = env.model('account.move.line').table;
    const partner = moves.commercialPartner(env, posted);
    for (const l of linesOf(env, id)) {
      const update: Record<string, unknown> = {};
      if (l.display_type !== 'line_section' && l.display_type !== 'line_note' && l.partner_id !== partner) update.partner_id = partner;
      if (l.display_type === 'payment_term') {
        update.name = typeof posted.payment_reference === 'string' ? posted.payment_reference : '';
        update.date_maturity = posted.invoice_date_due || posted.invoice_date || posted.date;
      }
      if (Object.keys(update).length) lines.update(l.id, update);
    }
    postTracking(env, 'account.move', id, 'mail.mt_note', 1);
  }
  for (const id of ids) {
    const reversed = table.get(table.get(id)!.reversed_entry_id as number);
    if (reversed && reversed.state === 'posted') reconcileReversed(env, reversed.id, id);
  }
  return ids;
}

export function buttonDraft(env: Env, ids: number[]): void {
  const table = env.model('account.move').table;
  if (ids.some((id) => !['cancel', 'posted'].includes(table.get(id)!.state as string))) throw userError('Only posted/cancelled journal entries can be reset to draft.');
  unreconcile(env, ids.flatMap((id) => linesOf(env, id).map((l) => l.id)));
  for (const id of ids) {
    table.update(id, { state: 'draft', write_date: env.now, write_uid: env.uid });
    postTracking(env, 'account.move', id, 'mail.mt_note', 1);
  }
}

export function buttonCancel(env: Env, ids: number[]): void {
  const table = env.model('account.move').table;
  const posted = ids.filter((id) => table.get(id)!.state === 'posted');
  if (posted.length) buttonDraft(env, posted);
  if (ids.some((id) => table.get(id)!.state !== 'draft')) throw userError('Only draft journal entries can be cancelled.');
  unreconcile(env, ids.flatMap((id) => linesOf(env, id).map((l) => l.id)));
  for (const id of ids) table.update(id, { state: 'cancel', auto_post: 'no', write_date: env.now, write_uid: env.uid });
}

// ---------------------------------------------------------------- copy and reversal

/** `copy` of a move (with `include_business_fields`: the lines keep their sales order lines): a draft without number. */
export function copyMove(env: Env, id: number, defaults: Record<string, unknown>): number {
  const moves = env.model('account.move');
  const move = moves.table.get(id)!;
  const vals: Record<string, unknown> = {};
  for (const k of ['move_type', 'partner_id', 'partner_shipping_id', 'currency_id', 'company_id', 'journal_id', 'narration', 'invoice_origin', 'fiscal_position_id', 'invoice_payment_term_id', 'team_id', 'campaign_id', 'medium_id', 'source_id']) {
    if (move[k] !== undefined && moves.fields.has(k)) vals[k] = move[k];
  }
  if (moves.registry.version >= 19) delete vals.invoice_origin;
  const lineCommands = linesOf(env, id)
    .filter((l) => ['product', 'line_section', 'line_note'].includes(l.display_type as string) || !isInvoiceType(move.move_type))
    .map((l) => {
      const line: Record<string, unknown> = {};
      for (const k of ['display_type', 'sequence', 'name', 'product_id', 'product_uom_id', 'quantity', 'price_unit', 'discount', 'account_id', 'is_downpayment']) if (l[k] !== undefined) line[k] = l[k];
      line.tax_ids = [[6, 0, (l.tax_ids as number[]) ?? []]];
      line.sale_line_ids = [[6, 0, (l.sale_line_ids as number[]) ?? []]];
      if (!isInvoiceType(move.move_type)) line.balance = l.balance;
      return [0, 0, line];
    });
  const input = { ...vals, ...defaults };
  const key = isInvoiceType(input.move_type) ? 'invoice_line_ids' : 'line_ids';
  if (!(key in defaults)) input[key] = lineCommands;
  return moves.createInternal(env, input);
}

/** `_reverse_moves`: one reversal per move (defaults per move), posted and reconciled with its origin when `cancel`. */
export function reverseMoves(env: Env, ids: number[], defaultsList: Record<string, unknown>[], cancel: boolean): number[] {
  const table = env.model('account.move').table;
  if (cancel) unreconcile(env, ids.flatMap((id) => linesOf(env, id).map((l) => l.id)));
  const created = ids.map((id, i) => {
    const move = table.get(id)!;
    return copyMove(env, id, { ...(defaultsList[i] ?? {}), move_type: REVERSE_TYPE[move.move_type as string], reversed_entry_id: id, partner_id: move.partner_id });
  });
  if (cancel) postMoves(env, created, { soft: false });
  return created;
}

/** The note Odoo logs on a reversed move (`_message_log_batch`). */
export function logReversed(env: Env, moveId: number, reverseId: number): void {
  postMessage(env, 'account.move', moveId, {
    body: `<p>This entry has been <a href="#" data-oe-model="account.move" data-oe-id="${reverseId}">reversed</a></p>`,
    messageType: 'notification', subtypeXmlid: 'mail.mt_note',
  });
}
