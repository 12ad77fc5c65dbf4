import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';

/** The next name of a transfer of this operation type: "<warehouse code>/<sequence prefix>/<5 digits>". */
export function nextPickingName(env: Env, type: Rec): string {
  const warehouse = env.model('stock.warehouse').table.get(type.warehouse_id as number);
  const key = type.code === 'outgoing' ? `stock.picking.out.${warehouse?.id ?? 1}` : `stock.picking.type.${type.id}`;
  const prefix = (type.sequence_code as string | undefined) || (type.code === 'outgoing' ? 'OUT' : type.code === 'incoming' ? 'IN' : 'INT');
  const number = String(env.registry.nextSequence(key, 1)).padStart(5, '0');
  return warehouse ? `${warehouse.code}/${prefix}/${number}` : `${prefix}/${number}`;
}
