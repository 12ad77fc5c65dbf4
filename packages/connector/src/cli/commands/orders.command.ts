import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { CliRuntime } from '../runtime.ts';
import { parseIsoOption } from '../runtime.ts';
import { resolveConnectionOption } from '../connection-option.ts';
import { ConnectionsService } from '../../connections/connections.service.ts';
import { orderUrl } from '../../orders/orders.mapper.ts';
import type { ImportTaskResult } from '../../orders/orders.service.ts';
import { Worker } from '../../tasks/task.worker.ts';
import { AppError, ValidationError } from '../../shared/errors.ts';
import { ORDER_BINDING_STATES, type OrderBindingState } from '../../orders/orders.tables.ts';
import { parseIntOption } from '../runtime.ts';

/**
 * `orders import [--since ISO] [--connection NAME]` and `orders show POLEEPO_ID [--json] [--connection NAME]`.
 *
 * `orders import` reads the orders changed on Poleepo since `--since` (default: the Order Polling cursor), queues an
 * import for each order that needs one — the same task, with the same keys, as webhooks and Order Polling, so
 * nothing is imported twice even while a service runs — and runs those imports in this process, with a progress bar
 * on a terminal. An import a running worker already holds is left to it.
 */
export function register(program: Command, runtime: CliRuntime): void {
  const orders = program.command('orders').description('orders imported from Poleepo: list, import now, show one');

  orders.command('list')
    .description('list imported orders, most recently changed first: state, sale order, Poleepo status, channel, total, flag')
    .option('--status <state>', `only orders in this state (${ORDER_BINDING_STATES.join(', ')})`)
    .option('--since <iso>', 'only orders changed at or after this UTC date-time, e.g. 2026-01-31T00:00:00Z')
    .option('--connection <name>', 'only this connection')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print as JSON')
    .action(async (opts: { status?: string; since?: string; connection?: string; limit: string; json?: boolean }) => {
      if (opts.status !== undefined && !(ORDER_BINDING_STATES as readonly string[]).includes(opts.status)) throw new ValidationError(`--status must be one of ${ORDER_BINDING_STATES.join(', ')} (got "${opts.status}")`);
      const since = opts.since !== undefined ? parseIsoOption('--since', opts.since) : undefined;
      const limit = parseIntOption('--limit', opts.limit);
      if (limit < 1 || limit > 1000) throw new ValidationError('--limit must be between 1 and 1000');
      const ctx = await runtime.context();
      const connectionId = opts.connection ? (await resolveConnectionOption(ctx, opts.connection)).id : undefined;
      const services = await runtime.services();
      const { rows, total } = await services.orders.list({ connectionId, state: opts.status as OrderBindingState | undefined, updatedSince: since, limit });
      if (opts.json) return runtime.json({ total, orders: rows });
      runtime.table(rows.map((b) => ({
        poleepo_id: b.poleepo_order_id, connection: b.connection_name, state: b.state, sale_order: b.sale_order_name ?? '', status: b.poleepo_status ?? '',
        channel: b.channel ?? '', total: b.poleepo_total !== null ? `${b.poleepo_total.toFixed(2)} ${b.currency ?? ''}`.trim() : '', flag: b.flag ?? b.parked_reason ?? b.error ?? '',
        updated: new Date(b.updated_at).toISOString().replace('.000Z', 'Z'),
      })), { empty: 'No imported orders match: orders arrive by webhook, Order Polling or "poleepo-odoo orders import".' });
      if (rows.length < total) runtime.out(`(${rows.length} of ${total}; --limit shows more)`);
    });

  orders.command('import')
    .description('import the orders changed on Poleepo (since --since, else since the last poll) and report what became of each')
    .option('--since <iso>', 'orders changed on Poleepo at or after this UTC date-time, e.g. 2026-01-31T00:00:00Z')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print the outcome of each order as JSON')
    .action(async (opts: { since?: string; connection?: string; json?: boolean }) => {
      const since = opts.since !== undefined ? parseIsoOption('--since', opts.since) : undefined;
      const services = await runtime.services();
      const ctx = await runtime.context();
      const target = await resolveConnectionOption(ctx, opts.connection);
      const conn = await services.orders.connections.get(target.id);
      runtime.err(`Reading orders changed on Poleepo${since !== undefined ? ` since ${new Date(since).toISOString()}` : ' since the last poll'} (connection ${target.name})…`);
      const listed = await services.orders.polling.pollPoleepo(conn, { since, trigger: 'cli' });
      const taskIds = [...new Set(listed.taskIds)];
      const worker = new Worker({ queue: ctx.tasks, registry: ctx.taskRegistry, clock: ctx.clock, logger: ctx.logger, workerId: `${ctx.processId}-cli` });
      const tty = Boolean((runtime.stdout as { isTTY?: boolean }).isTTY) && !opts.json;
      const bar = tty ? new cliProgress.SingleBar({ format: 'Importing {bar} {value}/{total} orders  {last}', stream: runtime.stdout, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic) : null;
      bar?.start(taskIds.length, 0, { last: '' });
      const rows: { order: string; outcome: string; saleOrder: string; detail: string }[] = [];
      for (const taskId of taskIds) {
        const settled = await worker.runOne(taskId);
        const task = await ctx.tasks.get(taskId);
        const pid = task ? String((JSON.parse(task.payload) as { poleepoOrderId?: string }).poleepoOrderId ?? '') : '';
        let outcome: string;
        let detail = '';
        let saleOrder = '';
        if (!settled) {
          outcome = 'queued';
          detail = 'held by a running worker, or waiting for its retry time';
        } else if (settled.outcome === 'done') {
          const r = settled.result as ImportTaskResult;
          outcome = r.outcome;
          saleOrder = r.saleOrderName ?? '';
          detail = r.flag ?? r.message ?? '';
        } else if (settled.outcome === 'rate_limited') {
          outcome = 'waiting';
          detail = settled.error ?? '';
        } else {
          outcome = settled.outcome === 'dead' ? 'failed' : 'retrying';
          detail = settled.error ?? '';
        }
        rows.push({ order: pid, outcome, saleOrder, detail });
        bar?.increment(1, { last: `${pid} ${outcome}` });
      }
      bar?.stop();
      if (opts.json) return runtime.json({ connection: target.name, seen: listed.seen, orders: rows });
      const count = (o: string) => rows.filter((r) => r.outcome === o).length;
      const notable = rows.filter((r) => r.outcome !== 'confirmed' && r.outcome !== 'synced' || r.detail);
      if (notable.length) runtime.table(notable, { columns: ['order', 'outcome', 'saleOrder', 'detail'] });
      runtime.out(`${listed.seen} order(s) changed on Poleepo, ${taskIds.length} to import: ${count('confirmed')} confirmed, ${count('synced') + count('cancelled')} updated, `
        + `${count('parked')} parked, ${count('refused')} refused, ${count('waiting') + count('skipped')} waiting or skipped, ${count('failed') + count('retrying')} failed, ${count('queued')} left to the service.`);
      if (count('failed')) throw new AppError('orders_failed', `${count('failed')} order(s) could not be imported (see above); fix the cause and run the import again, or retry them from the console`);
    });

  orders.command('show')
    .description('show one order: its sale order in Odoo, Poleepo status, link, flags, parked reason, tasks and webhook messages')
    .argument('<poleepoId>', 'the Poleepo order id')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print as JSON')
    .action(async (poleepoId: string, opts: { connection?: string; json?: boolean }) => {
      if (!/^[\w-]{1,64}$/.test(poleepoId)) throw new ValidationError(`"${poleepoId}" is not a Poleepo order id`);
      const services = await runtime.services();
      const ctx = await runtime.context();
      const target = await resolveConnectionOption(ctx, opts.connection);
      const shown = await services.orders.show(target.id, poleepoId);
      if (!shown) throw new ValidationError(`Order ${poleepoId} is not known on connection ${target.name}: import it with "poleepo-odoo orders import"`);
      const view = await new ConnectionsService(ctx).get(target.id);
      const link = orderUrl(view.settings.orderUrlPattern, shown.binding.poleepo_order_id);
      if (opts.json) return runtime.json({ connection: target.name, link, ...shown });
      const b = shown.binding;
      const line = (label: string, value: unknown) => {
        if (value !== null && value !== undefined && value !== '') runtime.out(`  ${label.padEnd(13)} ${String(value)}`);
      };
      runtime.out(`Poleepo order ${b.poleepo_order_id} (connection ${target.name})`);
      line('State:', b.state);
      line('Sale order:', b.sale_order_id ? `${b.sale_order_name ?? ''} (id ${b.sale_order_id}), Odoo state ${b.odoo_state ?? '?'}` : 'none yet');
      line('Status:', b.poleepo_status);
      line('Channel:', b.channel);
      line('Reference:', b.reference);
      line('Total:', b.poleepo_total !== null ? `${b.poleepo_total.toFixed(2)} ${b.currency ?? ''} on Poleepo${b.odoo_total !== null ? `, ${b.odoo_total.toFixed(2)} in Odoo` : ''}` : null);
      line('Link:', link);
      line('Flag:', b.flag);
      line('Parked:', b.parked_reason);
      line('Error:', b.error);
      line('Pushed:', b.pushed_status);
      line('Updated:', new Date(b.updated_at).toISOString());
      if (shown.tasks.length) {
        runtime.out('Tasks:');
        runtime.table(shown.tasks.map((t) => ({ id: t.id, status: t.status, attempts: `${t.attempts}/${t.max_attempts}`, created: new Date(t.created_at).toISOString(), 'last error': t.last_error ?? '' })));
      }
      if (shown.messages.length) {
        runtime.out('Webhook messages:');
        runtime.table(shown.messages.map((m) => ({ id: m.id, status: m.status, received: new Date(m.receivedAt).toISOString(), duplicates: m.duplicates, 'last error': m.lastError ?? '' })));
      }
    });
}
