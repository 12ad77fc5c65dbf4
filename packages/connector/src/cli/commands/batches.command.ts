import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { parseIntOption } from '../runtime.ts';
import { resolveConnectionOption } from '../connection-option.ts';
import { ValidationError } from '../../shared/errors.ts';
import { BATCH_STATUSES, type BatchStatus } from '../../products/products.tables.ts';

/** `batches list [--json]`, `batches show ID [--json]`: the product batches and their items (DESIGN §4.4). */
export function register(program: Command, runtime: CliRuntime): void {
  const batches = program.command('batches').description('product batches sent to Poleepo: their items, statuses and errors');

  batches.command('list')
    .description('list product batches, newest first')
    .option('--connection <name>', 'only this connection')
    .option('--status <status>', `only batches in this status (${BATCH_STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print as JSON')
    .action(async (opts: { connection?: string; status?: string; limit: string; json?: boolean }) => {
      if (opts.status && !(BATCH_STATUSES as readonly string[]).includes(opts.status)) throw new ValidationError(`--status must be one of ${BATCH_STATUSES.join(', ')}`);
      const limit = parseIntOption('--limit', opts.limit);
      if (limit < 1 || limit > 1000) throw new ValidationError('--limit must be between 1 and 1000');
      const ctx = await runtime.context();
      const connectionId = opts.connection ? (await resolveConnectionOption(ctx, opts.connection)).id : undefined;
      const { products } = await runtime.services();
      const { rows } = await products.batches.list({ connectionId, status: opts.status as BatchStatus | undefined }, { limit, offset: 0 });
      runtime.table(rows.map((b) => ({
        id: b.id, connection: b.connection_name, status: b.status, items: b.items, completed: b.completed_items, errors: b.error_items,
        poleepo_batch: b.poleepo_batch_id ?? '', created: iso(b.created_at), completed_at: iso(b.completed_at), error: b.error ?? '',
      })), { json: opts.json, empty: 'No product batches yet: they are built by "poleepo-odoo products sync" or the Generate Product Batches job.' });
    });

  batches.command('show <id>')
    .description('show one product batch with each item: SKU, operation, status, Poleepo id, error')
    .option('--json', 'print as JSON (with each item\'s payload)')
    .action(async (id: string, opts: { json?: boolean }) => {
      const batchId = parseIntOption('ID', id);
      const { products } = await runtime.services();
      const batch = await products.batches.get(batchId);
      if (!batch) throw new ValidationError(`No product batch #${batchId}`);
      const items = await products.batches.items(batchId);
      if (opts.json) return runtime.json({ ...batch, items: items.map((i) => ({ ...i, payload: JSON.parse(i.payload) })) });
      runtime.out(`Batch #${batch.id} (connection ${batch.connection_name ?? batch.connection_id}): ${batch.status}${batch.poleepo_status ? ` (Poleepo: ${batch.poleepo_status})` : ''}`);
      runtime.out(`  Poleepo batch: ${batch.poleepo_batch_id ?? '—'}; items ${batch.items}, completed ${batch.completed_items}, errors ${batch.error_items}; polled ${batch.polls} time${batch.polls === 1 ? '' : 's'}`);
      runtime.out(`  Created ${iso(batch.created_at)}, sent ${iso(batch.submitted_at) || '—'}, finished ${iso(batch.completed_at) || '—'}`);
      if (batch.error) runtime.out(`  Error: ${batch.error}`);
      runtime.table(items.map((i) => ({
        '#': i.position + 1, sku: i.sku, kind: i.kind, odoo_id: i.odoo_id, operation: i.operation, status: i.status,
        poleepo_id: i.poleepo_product_id ?? '', error: i.error_code ? `${i.error_code}: ${i.error_message ?? ''}` : '',
      })));
    });
}

function iso(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString().replace('.000Z', 'Z');
}
