import type { AppContext } from '../app/context.ts';
import { ValidationError } from '../shared/errors.ts';

/**
 * `--connection NAME`, optional when there is exactly one connection (DESIGN §3.1).
 */
export async function resolveConnectionOption(ctx: AppContext, name: string | undefined): Promise<{ id: number; name: string }> {
  const rows = await ctx.db.kysely.selectFrom('connections').select(['id', 'name']).orderBy('name').execute();
  if (name) {
    const found = rows.find((r) => r.name === name);
    if (!found) throw new ValidationError(`No connection named "${name}"${rows.length ? ` (known: ${rows.map((r) => r.name).join(', ')})` : ''}`);
    return found;
  }
  if (rows.length === 1) return rows[0];
  if (rows.length === 0) throw new ValidationError('No connection exists yet: create one with "poleepo-odoo connection add"');
  throw new ValidationError(`Several connections exist (${rows.map((r) => r.name).join(', ')}): choose one with --connection NAME`);
}
