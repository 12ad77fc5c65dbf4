import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { resolveConnectionOption } from '../connection-option.ts';
import { AppError } from '../../shared/errors.ts';
import { Worker } from '../../tasks/task.worker.ts';

const STATE_WORDS: Record<string, string> = {
  sent: 'sent by the connector', imported: 'imported into Odoo', importing: 'being imported', failed: 'import failed', skipped: 'skipped', new: 'not imported yet',
};

/**
 * `documents list POLEEPO_ORDER_ID [--json]` (DESIGN §4.8): the documents Poleepo holds for an order (waybills,
 * invoices…), read from Poleepo now, each with what the connector did with it (imported into Odoo, or its own upload).
 * `documents import [POLEEPO_ORDER_ID] [--json]`: imports them now — one order's, or those of every imported order of
 * the document scan's window — each document once (one already in Odoo is not attached or announced again).
 */
export function register(program: Command, runtime: CliRuntime): void {
  const documents = program.command('documents').description('documents Poleepo holds for an order (waybills, invoices) and their import into Odoo');

  documents.command('list')
    .description('the documents of one Poleepo order, read from Poleepo, and whether each is in Odoo')
    .argument('<poleepoOrderId>', 'the Poleepo order id')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print as JSON')
    .action(async (poleepoOrderId: string, opts: { connection?: string; json?: boolean }) => {
      const services = await runtime.services();
      const ctx = await runtime.context();
      const target = await resolveConnectionOption(ctx, opts.connection);
      const docs = await services.invoices.poleepoDocuments(target.id, poleepoOrderId);
      if (opts.json) return runtime.json({ connection: target.name, poleepoOrderId: poleepoOrderId.trim(), documents: docs });
      if (docs.length === 0) return runtime.out(`Poleepo holds no document for order ${poleepoOrderId}.`);
      runtime.table(docs.map((d) => ({ id: d.id, type: d.type, number: d.number ?? '', date: d.date ?? '', file: d.fileName, state: STATE_WORDS[d.state] ?? d.state })));
      for (const d of docs.filter((x) => x.error)) runtime.out(`  ${d.id}: ${d.error}`);
    });

  documents.command('import')
    .description('import now the documents Poleepo holds for an order (or, without one, for every imported order of the last documentScan.days days) into Odoo, once each')
    .argument('[poleepoOrderId]', 'the Poleepo order id (default: every recent imported order)')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print the outcome as JSON')
    .action(async (poleepoOrderId: string | undefined, opts: { connection?: string; json?: boolean }) => {
      const services = await runtime.services();
      const ctx = await runtime.context();
      const target = await resolveConnectionOption(ctx, opts.connection);
      const { orders } = await services.invoices.importDocumentsNow(target.id, poleepoOrderId);
      // Run here, one order after the other; a task a running service holds (or waiting for a retry) stays queued.
      const worker = new Worker({ queue: ctx.tasks, registry: ctx.taskRegistry, clock: ctx.clock, logger: ctx.logger, workerId: `${ctx.processId}-cli` });
      const results = [];
      for (const o of orders) {
        const settled = await worker.runOne(o.taskId);
        const docs = await services.invoices.importedDocuments(target.id, o.poleepoOrderId);
        results.push({
          poleepoOrderId: o.poleepoOrderId, outcome: settled?.outcome ?? 'queued', error: settled?.error ?? null,
          documents: docs.map((d) => ({ id: d.poleepo_document_id, type: d.type, number: d.number, fileName: d.file_name, state: d.step, note: d.note, error: d.step === 'done' ? null : d.error, importedAt: d.imported_at })),
        });
      }
      const failed = results.filter((r) => (r.outcome !== 'done' && r.outcome !== 'queued') || r.documents.some((d) => d.state === 'failed'));
      if (opts.json) {
        runtime.json({ connection: target.name, orders: results });
      } else {
        if (results.length === 0) runtime.out(poleepoOrderId ? `Order ${poleepoOrderId}: nothing to import.` : 'No imported order in the document scan\'s window.');
        for (const r of results) {
          const imported = r.documents.filter((d) => d.state === 'done').length;
          runtime.out(`Order ${r.poleepoOrderId}: ${r.outcome === 'queued' ? 'queued for the running service' : `${imported} of ${r.documents.length} document(s) in Odoo`}`);
          for (const d of r.documents.filter((x) => x.error)) runtime.out(`  ${d.id} (${d.type}): ${d.error}`);
          if (r.error && r.outcome !== 'done') runtime.out(`  ${r.error}`);
        }
      }
      if (failed.length) throw new AppError('documents_failed', `Documents not imported for order(s) ${failed.map((r) => r.poleepoOrderId).join(', ')}: see "poleepo-odoo documents list ORDER"`);
    });
}
