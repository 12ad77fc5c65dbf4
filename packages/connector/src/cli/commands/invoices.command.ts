import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { resolveConnectionOption } from '../connection-option.ts';
import { Worker } from '../../tasks/task.worker.ts';
import { AppError, ValidationError } from '../../shared/errors.ts';
import { INVOICE_STEPS, type InvoiceRow, type InvoiceStep } from '../../invoices/invoices.tables.ts';
import { cents } from '../../invoices/invoices.runner.ts';
import type { AppContext } from '../../app/context.ts';

/**
 * `invoices list [--status STEP] | send POLEEPO_ORDER_ID`, each with `--json` and `--connection NAME` (DESIGN §4.8).
 * `send` invoices the order now (the `manual` policy's way; also the way to retry a stopped invoice, or to send again a
 * document missing on Poleepo): it queues the order's task, as the console's button does, and runs it in this process;
 * one a running service already holds is left to it (and said so).
 */
export function register(program: Command, runtime: CliRuntime): void {
  const invoices = program.command('invoices').description('invoices and credit notes sent from Odoo to Poleepo: list, send');

  invoices.command('list')
    .description('invoices and credit notes of imported orders and where each stands')
    .option('--status <step>', `a step: ${INVOICE_STEPS.join(', ')}`)
    .option('--order <id>', 'only this Poleepo order')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print as JSON')
    .action(async (opts: { status?: string; order?: string; connection?: string; json?: boolean }) => {
      const step = stepFilter(opts.status);
      const services = await runtime.services();
      const ctx = await runtime.context();
      const target = await resolveConnectionOption(ctx, opts.connection);
      const { rows, total } = await services.invoices.list({ connectionId: target.id, ...(step ? { step } : {}), ...(opts.order ? { poleepoOrderId: opts.order.trim() } : {}), limit: 500 });
      if (opts.json) return runtime.json({ connection: target.name, total, invoices: rows.map(invoiceJson) });
      if (rows.length === 0) return runtime.out(`No invoices${opts.status ? ` with status ${opts.status}` : ''} on connection ${target.name}.`);
      runtime.table(rows.map((r) => ({
        id: r.id, type: r.kind === 'CREDIT_NOTE' ? 'credit note' : 'invoice', number: r.move_name ?? '', order: r.sale_order_name ?? '', poleepo: r.poleepo_order_id,
        date: r.invoice_date ?? '', total: r.amount_total === null ? '' : `${cents(r.amount_total).toFixed(2)}${r.currency ? ` ${r.currency}` : ''}`,
        status: r.step, made: r.origin === 'odoo' ? 'in Odoo' : 'connector', updated: new Date(r.updated_at).toISOString().slice(0, 16).replace('T', ' '),
      })));
      for (const r of rows.filter((x) => x.step === 'failed' && x.error)) runtime.out(`  #${r.id} ${r.move_name ?? r.sale_order_name ?? r.poleepo_order_id}: ${r.error}`);
      if (total > rows.length) runtime.out(`(${rows.length} of ${total} shown)`);
    });

  invoices.command('send')
    .description('invoice a Poleepo order in Odoo now and send the invoice to Poleepo; retries a stopped one, resends one missing on Poleepo')
    .argument('<poleepoOrderId>', 'the Poleepo order id')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print the outcome as JSON')
    .action(async (poleepoOrderId: string, opts: { connection?: string; json?: boolean }) => {
      const services = await runtime.services();
      const ctx = await runtime.context();
      const target = await resolveConnectionOption(ctx, opts.connection);
      const { taskId } = await services.invoices.send(target.id, poleepoOrderId, 'cli');
      const settled = await runHere(ctx, taskId);
      const rows = await services.invoices.ofOrder(target.id, poleepoOrderId.trim());
      if (opts.json) return runtime.json({ connection: target.name, ranHere: settled !== null, outcome: settled?.outcome ?? 'queued', error: settled?.error ?? null, invoices: rows.map(invoiceJson) });
      if (!settled) {
        runtime.out(`Order ${poleepoOrderId}: queued for the running service; follow it with "poleepo-odoo invoices list --order ${poleepoOrderId}".`);
        return;
      }
      for (const r of rows) runtime.out(describe(r));
      if (rows.length === 0) runtime.out(`Order ${poleepoOrderId}: no invoice.`);
      if (settled.outcome !== 'done') throw new AppError('invoice_failed', `Order ${poleepoOrderId}: not finished, the connector tries again: ${settled.error ?? 'see "poleepo-odoo tasks list"'}`);
      const failed = rows.filter((r) => r.step === 'failed');
      if (failed.length) throw new AppError('invoice_failed', failed.map((r) => r.error ?? `invoice #${r.id} stopped`).join('; '));
    });
}

/** Runs a queued task in this process; null when a running service holds it (or its retry time is later). */
async function runHere(ctx: AppContext, taskId: number) {
  const worker = new Worker({ queue: ctx.tasks, registry: ctx.taskRegistry, clock: ctx.clock, logger: ctx.logger, workerId: `${ctx.processId}-cli` });
  return worker.runOne(taskId);
}

function stepFilter(status: string | undefined): InvoiceStep | undefined {
  if (status === undefined) return undefined;
  const lower = status.toLowerCase();
  if ((INVOICE_STEPS as readonly string[]).includes(lower)) return lower as InvoiceStep;
  throw new ValidationError(`--status must be one of ${INVOICE_STEPS.join(', ')} (got "${status}")`);
}

function describe(r: InvoiceRow): string {
  const what = `${r.kind === 'CREDIT_NOTE' ? 'Credit note' : 'Invoice'} ${r.move_name ?? `(${r.sale_order_name ?? r.poleepo_order_id})`}`;
  const total = r.amount_total === null ? '' : `, ${cents(r.amount_total).toFixed(2)}${r.currency ? ` ${r.currency}` : ''}`;
  if (r.step === 'sent') return `${what}${r.invoice_date ? ` of ${r.invoice_date}` : ''}${total}: on Poleepo (document ${r.poleepo_document_id}).`;
  if (r.step === 'failed') return `${what}: stopped — ${r.error ?? ''}`;
  return `${what}${total}: ${r.step}${r.error ? ` (${r.error})` : ''}`;
}

function invoiceJson(r: InvoiceRow) {
  return {
    id: r.id, connectionId: r.connection_id, poleepoOrderId: r.poleepo_order_id, saleOrderId: r.sale_order_id, saleOrder: r.sale_order_name,
    type: r.kind, madeBy: r.origin, trigger: r.trigger, status: r.step, moveId: r.move_id, number: r.move_name, date: r.invoice_date, currency: r.currency,
    amountUntaxed: r.amount_untaxed === null ? null : cents(r.amount_untaxed), amountTax: r.amount_tax === null ? null : cents(r.amount_tax),
    amountTotal: r.amount_total === null ? null : cents(r.amount_total), reverses: r.reversed_move_id, fileName: r.file_name,
    poleepoDocumentId: r.poleepo_document_id, error: r.error, errorCode: r.error_code, stoppedAt: r.failed_step,
    retryAt: r.retry_at ? new Date(r.retry_at).toISOString() : null, createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(), sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
  };
}
