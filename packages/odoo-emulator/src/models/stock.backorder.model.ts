/**
 * stock.backorder.confirmation: the wizard `button_validate` answers when goods are missing ("Create Backorder?").
 * It is created with the action's context (`default_pick_ids`, and `button_validate_picking_ids` naming the pickings
 * being validated); `process` validates them making a backorder of what is left, `process_cancel_backorder`
 * validates them cancelling what is left (stock/wizard/stock_backorder_confirmation.py).
 */
import { Model } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { FieldSpec } from '../orm/fields.ts';
import { buttonValidate } from './stock.picking.validate.ts';

export class StockBackorderConfirmation extends Model {
  readonly name = 'stock.backorder.confirmation';
  description = 'Backorder Confirmation';
  override transient = true;

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      pick_ids: { type: 'many2many', relation: 'stock.picking', string: 'Pick' },
      show_transfers: { type: 'boolean', string: 'Show Transfers' },
    };
  }

  protected override registerMethods(): void {
    const validating = (env: Env): number[] => {
      const ids = env.context.button_validate_picking_ids;
      return Array.isArray(ids) ? ids.map(Number).filter((id) => env.model('stock.picking').table.get(id)) : [];
    };
    this.method('process', {
      api: 'records', params: [], qualname: 'StockBackorderConfirmation.process',
      impl: (c) => {
        this.ensureExisting(c.env, c.ids);
        const ids = validating(c.env);
        return ids.length ? buttonValidate(c.env.withContext({ skip_backorder: true }), ids) : true;
      },
    });
    this.method('process_cancel_backorder', {
      api: 'records', params: [], qualname: 'StockBackorderConfirmation.process_cancel_backorder',
      impl: (c) => {
        this.ensureExisting(c.env, c.ids);
        const ids = validating(c.env);
        if (!ids.length) return true;
        const picks = c.ids.flatMap((id) => (this.table.get(id)!.pick_ids as number[]) ?? []);
        return buttonValidate(c.env.withContext({ skip_backorder: true, picking_ids_not_to_backorder: picks }), ids);
      },
    });
  }
}
