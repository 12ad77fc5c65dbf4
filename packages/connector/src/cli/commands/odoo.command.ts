import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { resolveConnectionOption } from '../connection-option.ts';
import { AppError } from '../../shared/errors.ts';
import { checkOdoo } from '../../provisioning/provisioning.check.ts';
import { OdooProvisioning } from '../../provisioning/provisioning.service.ts';
import type { ConnectionCheckResult } from '../../connections/connections.types.ts';
import type { ItemChange, ItemState, ProvisionReport } from '../../provisioning/provisioning.types.ts';

/** The check found problems: the verdicts were printed, the exit code says so. */
class OdooCheckFailed extends AppError {
  constructor(name: string, failed: number) {
    super('odoo_check_failed', `odoo check "${name}": ${failed} check${failed === 1 ? '' : 's'} failed`);
  }
}

/**
 * `odoo check [--connection N] [--json]` and `odoo provision [--remove] [--connection N] [--json]` (DESIGN §3.1, §4.9).
 * check changes nothing; provision is idempotent (a second run creates nothing) and --remove takes away exactly
 * what it made.
 */
export function register(program: Command, runtime: CliRuntime): void {
  const odoo = program.commands.find((c) => c.name() === 'odoo') ?? program.command('odoo').description('the Odoo side: what the connector needs there, and what it adds');

  odoo.command('check')
    .description('probe Odoo (version, transport, company, rights) and report what is provisioned and what is missing')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print JSON')
    .action(async (opts: { connection?: string; json?: boolean }) => {
      const ctx = await runtime.context();
      const target = await resolveConnectionOption(ctx, opts.connection);
      const report = await checkOdoo(ctx, target.id);
      if (opts.json) runtime.json(report);
      else {
        runtime.out(`Odoo side of connection "${report.connection}":`);
        for (const check of report.checks) runtime.out(`  ${mark(check)} ${check.name}: ${check.detail}`);
        if (report.items.length) {
          runtime.out('Provisioned records:');
          for (const item of report.items) runtime.out(`  ${state(item)} ${item.label}${item.id ? ` (id ${item.id})` : ''}${item.detail ? `: ${item.detail}` : ''}`);
        }
        runtime.out(report.complete ? 'Everything the connector needs in Odoo is in place.' : report.ok ? 'Run "odoo provision" to complete Odoo.' : 'Some checks failed: fix what they say and check again.');
      }
      const failed = report.checks.filter((c) => c.status === 'fail').length;
      if (failed) throw new OdooCheckFailed(report.connection, failed);
    });

  odoo.command('provision')
    .description('create (or --remove) the Poleepo fields, group, views, delivery buttons and automation rules in Odoo')
    .option('--remove', 'remove what provisioning created (views and actions before fields)')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print JSON')
    .action(async (opts: { remove?: boolean; connection?: string; json?: boolean }) => {
      const ctx = await runtime.context();
      const target = await resolveConnectionOption(ctx, opts.connection);
      const service = new OdooProvisioning(ctx);
      const report = opts.remove ? await service.remove(target.id) : await service.provision(target.id);
      if (opts.json) return runtime.json(report);
      printReport(runtime, report);
    });
}

function printReport(runtime: CliRuntime, report: ProvisionReport): void {
  const verb = report.mode === 'remove' ? 'Removing from' : 'Provisioning';
  runtime.out(`${verb} Odoo ${report.odoo.version} at ${report.odoo.url} (database ${report.odoo.db}, ${report.odoo.transport === 'json2' ? 'JSON-2' : 'JSON-RPC'}) for connection "${report.connection}":`);
  for (const item of report.items) runtime.out(`  ${change(item)} ${item.label}${item.id ? ` (id ${item.id})` : ''}${item.detail ? ` — ${item.detail}` : ''}`);
  const c = report.counts;
  const parts = report.mode === 'remove'
    ? [`${c.removed} removed`, c.kept ? `${c.kept} kept` : '', c.unchanged ? `${c.unchanged} already gone` : '', c.updated ? `${c.updated} updated` : '']
    : [`${c.created} created`, c.adopted ? `${c.adopted} adopted` : '', `${c.updated} updated`, `${c.unchanged} unchanged`];
  runtime.out(`Done: ${parts.filter(Boolean).join(', ')}.`);
  for (const note of report.notes) runtime.out(`Note: ${note}`);
}

function change(item: ItemChange): string {
  return { created: '[created]  ', adopted: '[adopted]  ', updated: '[updated]  ', unchanged: '[unchanged]', removed: '[removed]  ', kept: '[kept]     ', skipped: '[skipped]  ' }[item.change];
}

function mark(check: ConnectionCheckResult): string {
  return { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]', skipped: '[skip]' }[check.status];
}

function state(item: ItemState): string {
  return { ok: '[ok]       ', missing: '[MISSING]  ', outdated: '[OUTDATED] ', conflict: '[CONFLICT] ', unavailable: '[n/a]      ' }[item.status];
}
