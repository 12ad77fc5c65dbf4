import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { resolveConnectionOption } from '../connection-option.ts';

const STATE_WORDS: Record<string, string> = {
  sent: 'sent by the connector', imported: 'imported into Odoo', importing: 'being imported', failed: 'import failed', skipped: 'skipped', new: 'not imported yet',
};

/**
 * `documents list POLEEPO_ORDER_ID [--json]` (DESIGN §4.8): the documents Poleepo holds for an order (waybills,
 * invoices…), read from Poleepo now, each with what the connector did with it (imported into Odoo, or its own upload).
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
}
