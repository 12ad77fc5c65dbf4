/**
 * account.move (journal entries: customer invoices and credit notes) and account.move.line, as flows/d_invoice.json
 * shows them: a draft named "/" (17) or false (18/19) until `action_post` gives it the journal's next number
 * (INV/2026/00005; credit notes RINV/...), amounts from the product lines through the tax engine (account.amounts.ts:
 * the same computation as the sale order's), one tax line per tax and one receivable ("payment term") line kept in
 * step with the product lines while the move is a draft, `invoice_date` and `payment_reference` set on posting,
 * `payment_state` from the reconciliation of the receivable lines (a posted credit note reconciles with the invoice it
 * reverses: "reversed" / "paid"), `button_draft` (None), `button_cancel`, and the refusals Odoo gives (posting twice,
 * deleting a posted entry). The business steps are in account.move.ops.ts. Only administrators reach these models
 * (others get the recorded AccessError).
 */
import { Model, NOT_COMPUTED, type MethodCall } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import { userError } from '../errors/odoo.errors.ts';
import { registerMailThread } from './mail.thread.ts';
import type { AccountJournal } from './account.journal.model.ts';
import {
  INVOICE_TYPES, buttonCancel, buttonDraft, copyMove, isInvoiceType, moveAmounts, movePaymentState, postMoves, syncDynamicLines,
} from './account.move.ops.ts';

export class AccountMove extends Model {
  readonly name = 'account.move';
  description = 'Journal Entry';
  order = 'date desc, name desc, invoice_date desc, id desc';
  override companyRule = true;
  override mailThread = true;
  override cascade = ['line_ids'];
  override computedStored: ReadonlySet<string> = new Set(['payment_state', 'status_in_payment', 'commercial_partner_id', 'invoice_partner_display_name', 'direction_sign', 'type_name', 'sale_order_count', 'company_currency_id']);
  protected override aclDenied = { read: true, write: true, create: true, unlink: true };

  override defaults(env: Env): Record<string, unknown> {
    const company = env.model('res.company').table.get(env.companyId);
    return {
      move_type: 'entry',
      state: 'draft',
      name: this.registry.profile.invoicing.draftName,
      date: env.now.slice(0, 10),
      company_id: env.companyId,
      currency_id: company?.currency_id ?? 1,
      payment_state: 'not_paid',
      auto_post: 'no',
      posted_before: false,
      is_move_sent: false,
      invoice_date: false,
      journal_id: (e: Env, vals: Record<string, unknown>) => {
        const journals = e.model('account.journal') as AccountJournal;
        const companyId = Number(vals.company_id ?? e.companyId);
        if (isInvoiceType(vals.move_type)) return journals.salesJournal(e, companyId)?.id ?? false;
        return [...journals.table.rows.values()].find((j) => j.company_id === companyId && j.active !== false)?.id ?? false;
      },
      invoice_user_id: (e: Env, vals: Record<string, unknown>) => (isInvoiceType(vals.move_type) ? e.uid : false),
    };
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'line_ids':
        return this.lineIds(rec.id);
      case 'invoice_line_ids': {
        const lines = env.model('account.move.line').table;
        return this.lineIds(rec.id).filter((id) => ['product', 'line_section', 'line_note'].includes(lines.get(id)?.display_type as string));
      }
      case 'amount_untaxed':
      case 'amount_tax':
      case 'amount_total':
      case 'amount_residual':
        return moveAmounts(env, rec)[field];
      case 'amount_untaxed_signed':
      case 'amount_untaxed_in_currency_signed':
        return moveAmounts(env, rec).amount_untaxed * this.sign(rec);
      case 'amount_tax_signed':
        return moveAmounts(env, rec).amount_tax * this.sign(rec);
      case 'amount_total_signed':
      case 'amount_total_in_currency_signed':
        return moveAmounts(env, rec).amount_total * this.sign(rec);
      case 'amount_residual_signed':
        return moveAmounts(env, rec).amount_residual * this.sign(rec);
      case 'payment_state':
        return movePaymentState(env, rec);
      case 'status_in_payment':
        return rec.state === 'draft' || rec.state === 'cancel' ? rec.state : movePaymentState(env, rec);
      case 'invoice_date_due':
        return rec.invoice_date_due || rec.invoice_date || rec.date || false;
      case 'commercial_partner_id':
        return this.commercialPartner(env, rec);
      case 'invoice_partner_display_name':
        return rec.partner_id ? env.model('res.partner').displayNameOfId(rec.partner_id as number, env) : false;
      case 'reversal_move_id':
      case 'reversal_move_ids':
        return [...this.table.lookup('reversed_entry_id', rec.id)].sort((a, b) => a - b);
      case 'direction_sign':
        return ['out_invoice', 'in_refund', 'out_receipt'].includes(rec.move_type as string) ? -1 : 1;
      case 'type_name':
        return ({ out_invoice: 'Invoice', out_refund: 'Credit Note' } as Record<string, string>)[rec.move_type as string] ?? this.fields.get('move_type')?.selection?.find((s) => s[0] === rec.move_type)?.[1] ?? false;
      case 'invoice_pdf_report_id':
        return false;
      case 'sale_order_count': {
        const lines = env.model('account.move.line').table;
        const orders = new Set(this.lineIds(rec.id).flatMap((id) => ((lines.get(id)?.sale_line_ids as number[]) ?? []).map((l) => env.model('sale.order.line').table.get(l)?.order_id)));
        orders.delete(undefined);
        return orders.size;
      }
      case 'has_reconciled_entries':
        return this.lineIds(rec.id).some((id) => ((env.model('account.move.line').table.get(id)?.__partials as unknown[]) ?? []).length > 0);
      case 'show_reset_to_draft_button':
        return rec.state === 'posted' || rec.state === 'cancel';
      case 'company_currency_id':
        return env.model('res.company').table.get(rec.company_id as number)?.currency_id ?? false;
      default:
        return NOT_COMPUTED;
    }
  }

  /** amount_*_signed: positive for what customers owe (invoices), negative for credit notes. */
  private sign(rec: Rec): number {
    return ['out_refund', 'in_invoice', 'in_receipt'].includes(rec.move_type as string) ? -1 : 1;
  }

  lineIds(moveId: number): number[] {
    return [...this.registry.model('account.move.line').table.lookup('move_id', moveId)].sort((a, b) => a - b);
  }

  commercialPartner(env: Env, rec: Rec): number | false {
    if (!rec.partner_id) return false;
    const partners = env.model('res.partner');
    const p = partners.table.get(rec.partner_id as number);
    if (!p) return false;
    const v = partners.getter('commercial_partner_id')(p, env);
    return typeof v === 'number' ? v : (p.id as number);
  }

  /** `_get_move_display_name(show_ref=True)`: "Draft Invoice", "INV/2026/00005", then the reference in brackets. */
  override displayName(rec: Rec): string {
    if (typeof rec.__display_name === 'string') return rec.__display_name;
    let name = '';
    if (rec.state === 'draft') {
      name = ({ out_invoice: 'Draft Invoice', out_refund: 'Draft Credit Note', in_invoice: 'Draft Bill', in_refund: 'Draft Vendor Credit Note', out_receipt: 'Draft Sales Receipt', in_receipt: 'Draft Purchase Receipt', entry: 'Draft Entry' } as Record<string, string>)[rec.move_type as string] ?? '';
    }
    if (rec.name && rec.name !== '/') name = `${name} ${String(rec.name)}`.trim();
    const ref = typeof rec.ref === 'string' && rec.ref ? rec.ref : '';
    return name + (ref ? ` (${ref.length > 50 ? `${ref.slice(0, 45)} [...]` : ref})` : '');
  }

  override displayDepends(): string[] {
    return ['name', 'state', 'move_type', 'ref'];
  }

  /** The invoice's lines are created with the move; the tax and receivable lines follow them (account.move.ops.ts). */
  override createOne(env: Env, input: Record<string, unknown>, opts: { fromChild?: string } = {}): number {
    const id = super.createOne(env.withContext({ skip_invoice_sync: true }), input, opts);
    syncDynamicLines(env, id);
    return id;
  }

  override afterWrite(env: Env, ids: number[], vals: Record<string, unknown>): void {
    if (env.context.skip_invoice_sync) return;
    if (['invoice_line_ids', 'line_ids', 'partner_id', 'invoice_date', 'date', 'move_type', 'currency_id'].some((k) => k in vals)) {
      for (const id of ids) syncDynamicLines(env, id);
    }
  }

  /** Lines of a posted entry cannot be deleted (the lines' `_unlink_except_posted`, raised first by `unlink`). */
  override beforeUnlink(_env: Env, ids: number[]): void {
    if (ids.some((id) => this.table.get(id)?.state === 'posted')) {
      throw userError("You can't delete a posted journal item. Don’t play games with your accounting records; reset the journal entry to draft before deleting it.");
    }
  }

  override copy(env: Env, id: number, defaults: Record<string, unknown> = {}): number {
    if (!this.table.get(id)) throw this.missingRecords(env, [id]);
    return copyMove(env, id, defaults);
  }

  protected override registerMethods(): void {
    const records = (name: string, impl: (c: MethodCall) => unknown) =>
      this.method(name, { api: 'records', params: [], qualname: `AccountMove.${name}`, impl: (c) => { this.ensureExisting(c.env, c.ids); return impl(c); } });
    records('action_post', (c) => {
      if (c.ids.length) postMoves(c.env, c.ids, { soft: false });
      return false;
    });
    records('button_draft', (c) => {
      buttonDraft(c.env, c.ids);
      return null;
    });
    records('button_cancel', (c) => {
      buttonCancel(c.env, c.ids);
      return null;
    });
    registerMailThread(this);
  }
}

export class AccountMoveLine extends Model {
  readonly name = 'account.move.line';
  description = 'Journal Item';
  order = 'date desc, move_name desc, id';
  override companyRule = true;
  override computedStored: ReadonlySet<string> = new Set(['parent_state', 'move_name', 'journal_id', 'company_id', 'currency_id', 'move_type', 'ref', 'company_currency_id', 'account_type', 'account_internal_group', 'tax_group_id']);
  protected override aclDenied = { read: true, write: true, create: true, unlink: true };

  override defaults(): Record<string, unknown> {
    return { display_type: 'product', quantity: 1, discount: 0, sequence: 10, is_downpayment: false, balance: 0, amount_currency: 0, amount_residual: 0, reconciled: false };
  }

  private move(env: Env, rec: Rec): Rec | undefined {
    return env.model('account.move').table.get(rec.move_id as number);
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'parent_state':
        return this.move(env, rec)?.state ?? false;
      case 'move_name': {
        const name = this.move(env, rec)?.name;
        return typeof name === 'string' ? name : false;
      }
      case 'date':
      case 'journal_id':
      case 'company_id':
      case 'currency_id':
      case 'invoice_date':
      case 'move_type':
        return this.move(env, rec)?.[field] ?? false;
      case 'ref': {
        const ref = this.move(env, rec)?.ref;
        return typeof ref === 'string' && ref ? ref : false;
      }
      case 'company_currency_id':
        return env.model('res.company').table.get(this.move(env, rec)?.company_id as number)?.currency_id ?? false;
      case 'debit':
        return Math.max(0, Number(rec.balance) || 0);
      case 'credit':
        return Math.max(0, -(Number(rec.balance) || 0));
      case 'amount_residual_currency':
        return rec.amount_residual ?? 0;
      case 'account_type':
      case 'account_internal_group': {
        const type = env.model('account.account').table.get(rec.account_id as number)?.account_type;
        if (field === 'account_type') return type ?? false;
        return typeof type === 'string' ? type.split('_')[0] : false;
      }
      case 'is_refund':
        return ['out_refund', 'in_refund'].includes(this.move(env, rec)?.move_type as string);
      case 'tax_group_id':
        return rec.tax_line_id ? env.model('account.tax').table.get(rec.tax_line_id as number)?.tax_group_id ?? false : false;
      default:
        return NOT_COMPUTED;
    }
  }

  override displayName(rec: Rec, env: Env): string {
    if (typeof rec.__display_name === 'string') return rec.__display_name;
    const move = this.move(env, rec);
    const moveName = move && typeof move.name === 'string' && move.name !== '/' ? move.name : '';
    const name = typeof rec.name === 'string' ? rec.name.split('\n')[0] : '';
    return [moveName, name].filter(Boolean).join(' ') || `${this.name},${rec.id}`;
  }

  /** A product line without a name, price, unit, taxes or account gets the product's, as Odoo's onchanges compute them. */
  override beforeCreate(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    const move = env.model('account.move').table.get(vals.move_id as number);
    if (move) {
      vals.company_id ??= move.company_id;
      vals.currency_id ??= move.currency_id;
      vals.journal_id ??= move.journal_id;
      vals.partner_id ??= (env.model('account.move') as AccountMove).commercialPartner(env, move);
    }
    const products = env.model('product.product');
    const product = typeof vals.product_id === 'number' ? products.table.get(vals.product_id) : undefined;
    if (product && (vals.display_type ?? 'product') === 'product') {
      if (!vals.name) {
        const description = products.getter('description_sale')(product, env);
        vals.name = description ? `${products.displayName(product, env)}\n${description}` : products.displayName(product, env);
      }
      if (!('price_unit' in vals)) vals.price_unit = products.getter('lst_price')(product, env);
      if (!('product_uom_id' in vals)) vals.product_uom_id = products.getter('uom_id')(product, env) || 1;
      if (!('tax_ids' in vals) && move && INVOICE_TYPES.has(move.move_type as string)) {
        const purchase = String(move.move_type).startsWith('in_');
        const taxes = ((products.getter(purchase ? 'supplier_taxes_id' : 'taxes_id')(product, env) as number[]) ?? [])
          .filter((t) => env.model('account.tax').table.get(t)?.company_id === move.company_id);
        vals.tax_ids = [[6, 0, taxes]];
      }
    }
    if (!vals.account_id && (vals.display_type ?? 'product') === 'product' && move) {
      const journal = env.model('account.journal').table.get(move.journal_id as number);
      vals.account_id = journal?.default_account_id ?? false;
    }
    return vals;
  }

  override afterCreate(env: Env, id: number): void {
    if (env.context.skip_invoice_sync) return;
    const moveId = this.table.get(id)?.move_id as number;
    if (moveId) syncDynamicLines(env, moveId);
  }

  override afterWrite(env: Env, ids: number[], vals: Record<string, unknown>): void {
    if (env.context.skip_invoice_sync) return;
    if (!['quantity', 'price_unit', 'discount', 'tax_ids', 'product_id', 'display_type'].some((k) => k in vals)) return;
    for (const moveId of new Set(ids.map((id) => this.table.get(id)?.move_id as number).filter(Boolean))) syncDynamicLines(env, moveId);
  }

  /** Removing a line of a draft invoice updates its tax and receivable lines. */
  override unlink(env: Env, ids: number[]): true {
    const moveIds = new Set(ids.map((id) => this.table.get(id)?.move_id as number).filter(Boolean));
    super.unlink(env, ids);
    if (!env.context.skip_invoice_sync) for (const moveId of moveIds) syncDynamicLines(env, moveId);
    return true;
  }

  override beforeUnlink(env: Env, ids: number[]): void {
    if (env.context.force_delete) return;
    const moves = env.model('account.move').table;
    if (ids.some((id) => moves.get(this.table.get(id)?.move_id as number)?.state === 'posted')) {
      throw userError("You can't delete a posted journal item. Don’t play games with your accounting records; reset the journal entry to draft before deleting it.");
    }
  }

  protected override registerMethods(): void {}
}
