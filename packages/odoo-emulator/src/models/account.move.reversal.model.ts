/**
 * account.move.reversal, the "Credit Note" / "Reverse" wizard (account/wizard/account_move_reversal.py, the same
 * methods in 17, 18 and 19): created with the posted moves in the context (`active_model: "account.move"`,
 * `active_ids`), optional `reason` and `date` (default today), then
 * - `refund_moves()` (= `reverse_moves()`): a draft credit note per invoice (`move_type` out_refund,
 *   `reversed_entry_id`, `ref` "Reversal of: INV/2026/00005[, reason]", the lines and their sales order lines), which
 *   reconciles with the invoice when posted;
 * - `modify_moves()` (= `reverse_moves(is_modify=True)`): the credit note posted and reconciled at once, and a new draft
 *   copy of the invoice.
 * Both log "This entry has been reversed" on the original and answer the window action on the new move(s).
 * Moves not posted are refused when the wizard is created (17/18 "You can only reverse posted moves.", 19 "To reverse
 * a journal entry, it has to be posted first.").
 * `journal_id` is required and has no default: real Odoo computes it from `move_ids` in the form (an onchange), but
 * `create` over the API inserts before the many2many is written, so a wizard created without a journal is refused
 * with the NOT NULL error (seen on real 18 and 19; 17 takes the journal as well, scripts/real-odoo-invoice-check.ts):
 * the caller gives the invoice's journal, as the form would.
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { FieldSpec } from '../orm/fields.ts';
import { userError } from '../errors/odoo.errors.ts';
import { copyMove, isInvoiceType, logReversed, reverseMoves } from './account.move.ops.ts';

export class AccountMoveReversal extends Model {
  readonly name = 'account.move.reversal';
  description = 'Account Move Reversal';
  override transient = true;

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      move_ids: { type: 'many2many', relation: 'account.move', string: 'Move' },
      new_move_ids: { type: 'many2many', relation: 'account.move', string: 'New Move' },
      date: { type: 'date', string: 'Reversal date' },
      reason: { type: 'char', string: 'Reason displayed on Credit Note' },
      journal_id: { type: 'many2one', relation: 'account.journal', string: 'Journal', required: true },
      company_id: { type: 'many2one', relation: 'res.company', string: 'Company', required: true, readonly: true },
      residual: { type: 'monetary', string: 'Residual', store: false },
      currency_id: { type: 'many2one', relation: 'res.currency', string: 'Currency', store: false },
      move_type: { type: 'char', string: 'Move Type', store: false },
    };
  }

  /** `default_get`: the moves of the context, all posted and of one company. */
  override defaults(env: Env): Record<string, unknown> {
    const ctx = env.context;
    const ids = ctx.active_model === 'account.move' && Array.isArray(ctx.active_ids) ? ctx.active_ids.map(Number) : [];
    const moves = env.model('account.move');
    const recs = ids.map((id) => moves.table.get(id)).filter((m): m is Rec => Boolean(m));
    if (new Set(recs.map((m) => m.company_id)).size > 1) throw userError('All selected moves for reversal must belong to the same company.');
    if (recs.some((m) => m.state !== 'posted')) throw userError(env.profile.invoicing.reverseNotPostedError);
    return {
      date: env.now.slice(0, 10),
      company_id: recs[0]?.company_id ?? env.companyId,
      move_ids: [[6, 0, recs.map((m) => m.id)]],
    };
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    const moveIds = (rec.move_ids as number[] | undefined) ?? [];
    const moves = moveIds.map((id) => env.model('account.move').table.get(id)).filter((m): m is Rec => Boolean(m));
    switch (field) {
      case 'residual':
        return moves.length === 1 ? env.model('account.move').getter('amount_residual')(moves[0], env) : 0;
      case 'currency_id': {
        const currencies = new Set(moves.map((m) => m.currency_id));
        return currencies.size === 1 ? [...currencies][0] : false;
      }
      case 'move_type':
        if (moves.length === 1) return moves[0].move_type;
        return moves.some((m) => m.move_type === 'out_invoice' || m.move_type === 'in_invoice') ? 'some_invoice' : false;
      default:
        return NOT_COMPUTED;
    }
  }

  protected override registerMethods(): void {
    const sig = (name: string, isModify: boolean | null) => this.method(name, {
      api: 'records', params: isModify === null ? ['is_modify'] : [], defaults: isModify === null ? { is_modify: false } : undefined,
      qualname: `AccountMoveReversal.${name}`,
      impl: (c) => {
        this.ensureExisting(c.env, c.ids);
        return this.reverse(c.env, this.ensureOne(c.ids), isModify ?? Boolean(c.p.is_modify));
      },
    });
    sig('reverse_moves', null);
    sig('refund_moves', false);
    sig('modify_moves', true);
  }

  private reverse(env: Env, wizardId: number, isModify: boolean): Record<string, unknown> {
    const wizard = this.table.get(wizardId)!;
    const movesModel = env.model('account.move');
    const moveIds = ((wizard.move_ids as number[] | undefined) ?? []).filter((id) => movesModel.table.get(id));
    const date = String(wizard.date || env.now.slice(0, 10));
    const today = env.now.slice(0, 10);
    const wizardType = this.compute('move_type', wizard, env);
    const batches: { ids: number[]; defaults: Record<string, unknown>[]; cancel: boolean }[] = [{ ids: [], defaults: [], cancel: true }, { ids: [], defaults: [], cancel: false }];
    for (const id of moveIds) {
      const move = movesModel.table.get(id)!;
      const name = typeof move.name === 'string' ? move.name : String(move.name);
      const defaults: Record<string, unknown> = {
        ref: wizard.reason ? `Reversal of: ${name}, ${String(wizard.reason)}` : `Reversal of: ${name}`,
        date,
        invoice_date_due: date,
        invoice_date: isInvoiceType(move.move_type) ? date || move.date : false,
        journal_id: wizard.journal_id || move.journal_id,
        invoice_payment_term_id: false,
        invoice_user_id: move.invoice_user_id || false,
        auto_post: date > today ? 'at_date' : 'no',
      };
      if (env.profile.major >= 19) defaults.invoice_origin = move.invoice_origin ?? false;
      const cancel = defaults.auto_post === 'no' && (isModify || wizardType === 'entry');
      batches[cancel ? 0 : 1].ids.push(id);
      batches[cancel ? 0 : 1].defaults.push(defaults);
    }
    const redirect: number[] = [];
    for (const batch of batches) {
      if (!batch.ids.length) continue;
      let created = reverseMoves(env, batch.ids, batch.defaults, batch.cancel);
      batch.ids.forEach((id, i) => logReversed(env, id, created[i]));
      if (isModify) created = batch.ids.map((id) => copyMove(env, id, { date }));
      redirect.push(...created);
    }
    this.table.update(wizardId, { new_move_ids: redirect });
    const action: Record<string, unknown> = { name: 'Reverse Moves', type: 'ir.actions.act_window', res_model: 'account.move' };
    const types = [...new Set(redirect.map((id) => movesModel.table.get(id)!.move_type as string))];
    if (redirect.length === 1) Object.assign(action, { view_mode: 'form', res_id: redirect[0], context: { default_move_type: types[0] } });
    else {
      Object.assign(action, { view_mode: `${env.profile.invoicing.listViewType},form`, domain: [['id', 'in', redirect]] });
      if (types.length === 1) action.context = { default_move_type: types[0] };
    }
    return action;
  }
}
