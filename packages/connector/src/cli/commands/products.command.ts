import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { CliRuntime } from '../runtime.ts';
import { parseIntOption } from '../runtime.ts';
import { resolveConnectionOption } from '../connection-option.ts';
import { ValidationError } from '../../shared/errors.ts';
import type { DetectSummary } from '../../products/products.detector.ts';
import type { PublishTarget, SyncResult } from '../../products/products.service.ts';

/**
 * `products sync [--full] [--dry-run]`, `products preview SKU [--json]`, `products publish|unpublish SKU|--template ID|--all`
 * (DESIGN §3.1, §4.2–§4.4). Sync runs in this process, holding the connection's export lease like the scheduled job
 * does, with a progress bar on a terminal.
 */
export function register(program: Command, runtime: CliRuntime): void {
  const products = program.command('products').description('product export to Poleepo: sync now, preview a payload, publish');

  products.command('sync')
    .description('detect product changes, build product batches and send them to Poleepo now')
    .option('--full', 'read every published variant instead of the changes since the last run')
    .option('--dry-run', 'compute and report what would be sent; store, write and send nothing')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print the outcome as JSON')
    .action(async (opts: { full?: boolean; dryRun?: boolean; connection?: string; json?: boolean }) => {
      const ctx = await runtime.context();
      const target = await resolveConnectionOption(ctx, opts.connection);
      const { products: service } = await runtime.services();
      const tty = Boolean((runtime.stderr as { isTTY?: boolean }).isTTY) && !opts.json;
      const bar = tty ? new cliProgress.SingleBar({ format: '{phase} {bar} {value}/{total} variants', stream: runtime.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic) : null;
      let started = false;
      if (!opts.json) runtime.err(`${opts.dryRun ? 'Dry run: ' : ''}reading ${opts.full ? 'every published variant' : 'product changes'} from Odoo (connection ${target.name})…`);
      let result: SyncResult;
      try {
        result = await service.sync(target.id, {
          full: opts.full, dryRun: opts.dryRun, withTotal: Boolean(bar),
          onProgress: (p) => {
            if (!bar) return;
            if (!started) {
              bar.start(p.total ?? 0, 0, { phase: 'Reading ' });
              started = true;
            }
            if (p.total !== null) bar.setTotal(p.total);
            bar.update(p.done, { phase: p.phase === 'sending' ? 'Sending ' : 'Reading ' });
          },
        });
      } finally {
        if (started) bar?.stop();
      }
      if (opts.json) return runtime.json(result);
      printSync(runtime, result);
    });

  products.command('preview <sku>')
    .description('print the exact Poleepo payload of one variant (and of its parent entry), read fresh from Odoo')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print as JSON')
    .action(async (sku: string, opts: { connection?: string; json?: boolean }) => {
      const ctx = await runtime.context();
      const target = await resolveConnectionOption(ctx, opts.connection);
      const { products: service } = await runtime.services();
      const preview = await service.preview(target.id, sku);
      if (opts.json) return runtime.json(preview);
      for (const v of preview.variants) {
        const what = v.operation === 'create' ? 'a new Poleepo product' : v.operation === 'update' ? `an update of Poleepo product ${v.entry?.product_id}` : v.operation === 'deactivate' ? 'sent once as inactive' : 'not sent';
        runtime.out(`SKU ${v.sku ?? '(none)'} — variant ${v.odooId}${v.published ? '' : ', not published'}${v.active ? '' : ', archived'}: ${what}`);
        if (v.problem) runtime.out(`  Not sent: ${v.problem.code} — ${v.problem.message}`);
        for (const w of v.warnings) runtime.out(`  Warning: ${w}`);
        if (v.entry) runtime.out(JSON.stringify(v.entry, null, 2));
      }
      if (preview.parent) {
        runtime.out('Parent entry (sent before its variants):');
        runtime.out(JSON.stringify(preview.parent, null, 2));
      }
    });

  for (const [name, value] of [['publish', true], ['unpublish', false]] as const) {
    products.command(`${name} [sku]`)
      .description(`${value ? 'set' : 'clear'} "Published on Poleepo" on a variant (by SKU), on every variant of a template, or on all products`)
      .option('--template <id>', 'every variant of this product template')
      .option('--all', value ? 'every saleable storable product (services and consumables have no stock to sell)' : 'every product')
      .option('--connection <name>', 'the connection (optional when there is only one)')
      .option('--json', 'print as JSON')
      .action(async (sku: string | undefined, opts: { template?: string; all?: boolean; connection?: string; json?: boolean }) => {
        const given = [sku !== undefined, opts.template !== undefined, Boolean(opts.all)].filter(Boolean).length;
        if (given !== 1) throw new ValidationError(`Name exactly one of: a SKU, --template ID, --all (e.g. "poleepo-odoo products ${name} FURN_0096")`);
        const target: PublishTarget = sku !== undefined ? { sku } : opts.template !== undefined ? { templateId: parseIntOption('--template', opts.template) } : { all: true };
        const ctx = await runtime.context();
        const connection = await resolveConnectionOption(ctx, opts.connection);
        const { products: service } = await runtime.services();
        const { count, ids } = await service.setPublished(connection.id, target, value);
        if (opts.json) return runtime.json({ connection: connection.name, published: value, count, variantIds: ids });
        runtime.out(`${count} variant${count === 1 ? '' : 's'} ${value ? 'published on' : 'unpublished from'} Poleepo (connection ${connection.name}). The next sync ${value ? 'sends them' : 'sends them once as inactive'}.`);
      });
  }
}

function printSync(runtime: CliRuntime, result: SyncResult): void {
  const d = result.detect;
  runtime.out(`Connection ${result.connection.name}: ${d.mode} detection${d.dryRun ? ' (dry run: nothing stored, written or sent)' : ''}, ${d.variantsRead} variant${d.variantsRead === 1 ? '' : 's'} read.`);
  runtime.out(`  Variants: ${describe(d.decisions, d.dryRun)}`);
  runtime.out(`  Parent entries: ${describe(d.parents, d.dryRun)}`);
  if (!d.dryRun) {
    runtime.out(`  Odoo updated: ${result.mirror.written} variant${result.mirror.written === 1 ? '' : 's'} (Needs Update, Poleepo ref, last error)`);
    if (result.batches) {
      const b = result.batches;
      runtime.out(`  Batches sent: ${b.batches} (${b.items} item${b.items === 1 ? '' : 's'})${b.held ? `; ${b.held} waiting for their parent to exist on Poleepo` : ''}${b.recovered ? `; ${b.recovered} unconfirmed batch${b.recovered === 1 ? '' : 'es'} reconciled by SKU` : ''}. Results come with Poll Product Batches.`);
    }
  }
  if (d.problems.length) {
    runtime.out(`Not sent (${d.problemCount}):`);
    for (const p of d.problems) runtime.out(`  ${p.sku ?? '(no SKU)'} (variant ${p.odooId}): ${p.code} — ${p.message}`);
  }
  for (const w of [...new Set(d.warnings)]) runtime.out(`Warning: ${w}`);
}

function describe(decisions: DetectSummary['decisions'], dry: boolean): string {
  const parts: string[] = [];
  const q = dry ? 'to send' : 'queued';
  if (decisions.queued) parts.push(`${decisions.queued} ${q}`);
  if (decisions.inactive) parts.push(`${decisions.inactive} to deactivate`);
  if (decisions.coalesced) parts.push(`${decisions.coalesced} in flight (a later change waits)`);
  if (decisions.unchanged) parts.push(`${decisions.unchanged} unchanged`);
  if (decisions.refused) parts.push(`${decisions.refused} refused before, unchanged since`);
  if (decisions.problem) parts.push(`${decisions.problem} with a problem`);
  if (decisions.ignored) parts.push(`${decisions.ignored} not followed`);
  return parts.length ? parts.join(', ') : 'none';
}
