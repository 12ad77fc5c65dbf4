import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { resolveConnectionOption } from '../connection-option.ts';

/**
 * `package-types sync | list | map ODOO_PACKAGE_TYPE POLEEPO_PACKAGE_TYPE | unmap ODOO_PACKAGE_TYPE`, each with
 * `--connection NAME`, listings with `--json`. Poleepo measures in kilograms and centimetres; Odoo's package types
 * are shown converted from Odoo's own units (millimetres by default), with those units named.
 */
export function register(program: Command, runtime: CliRuntime): void {
  const types = program.command('package-types').description('Poleepo package types and which Odoo package type ships as which');

  types.command('sync')
    .description('read the package types Poleepo offers (name, max weight kg, dimensions cm) into the connector')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print the outcome as JSON')
    .action(async (opts: { connection?: string; json?: boolean }) => {
      const services = await runtime.services();
      const target = await resolveConnectionOption(await runtime.context(), opts.connection);
      const r = await services.shipping.packageTypes.sync(target.id);
      if (opts.json) return runtime.json({ connection: target.name, ...r });
      runtime.out(`${r.total} package type(s) on Poleepo: ${r.added} new, ${r.updated} updated, ${r.gone} no longer offered.`);
    });

  types.command('list')
    .description('Poleepo\'s package types and every Odoo package type with the one it is mapped to')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print as JSON')
    .action(async (opts: { connection?: string; json?: boolean }) => {
      const services = await runtime.services();
      const target = await resolveConnectionOption(await runtime.context(), opts.connection);
      const view = await services.shipping.packageTypes.overview(target.id);
      if (opts.json) return runtime.json({ connection: target.name, units: { poleepo: { weight: 'kg', length: 'cm' }, odoo: 'converted to kg and cm' }, ...view });
      runtime.out('Poleepo package types (kg, cm):');
      if (view.poleepo.length === 0) runtime.out('  none yet: run "poleepo-odoo package-types sync"');
      else runtime.table(view.poleepo.map((t) => ({ id: t.poleepo_id, name: t.name, 'max kg': t.max_weight_kg ?? '', 'w×h×d cm': dims(t.width_cm, t.height_cm, t.depth_cm), offered: t.available ? 'yes' : 'no longer' })));
      runtime.out('Odoo package types (converted to kg and cm from Odoo\'s units):');
      if (view.odoo.length === 0) runtime.out('  none: create package types in Odoo (Inventory → Configuration → Package Types)');
      else runtime.table(view.odoo.map((o) => ({
        id: o.odoo.id, name: o.odoo.name, 'max kg': o.odoo.maxWeightKg ?? '', 'w×h×l cm': dims(o.odoo.widthCm, o.odoo.heightCm, o.odoo.lengthCm),
        'Odoo units': `${o.odoo.lengthUnit}, ${o.odoo.weightUnit}`, 'ships as': o.poleepo ? `${o.poleepo.name} (${o.poleepo.poleepo_id})` : o.mapping ? `Poleepo type ${o.mapping.poleepo_package_type_id} (not offered)` : 'not mapped',
      })));
      if (view.orphans.length) runtime.out(`Mappings of Odoo package types deleted in Odoo: ${view.orphans.map((m) => `${m.odoo_name} (${m.odoo_package_type_id})`).join(', ')}`);
    });

  types.command('map')
    .description('ship an Odoo package type as a Poleepo package type (each by id or name)')
    .argument('<odooPackageType>', 'the Odoo package type: id or name')
    .argument('<poleepoPackageType>', 'the Poleepo package type: id or name')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print the outcome as JSON')
    .action(async (odooRef: string, poleepoRef: string, opts: { connection?: string; json?: boolean }) => {
      const services = await runtime.services();
      const target = await resolveConnectionOption(await runtime.context(), opts.connection);
      const r = await services.shipping.packageTypes.map(target.id, odooRef, poleepoRef);
      if (opts.json) return runtime.json({ connection: target.name, odoo: r.odoo, poleepo: r.poleepo });
      runtime.out(`Odoo package type "${r.odoo.name}" (${r.odoo.id}) now ships as Poleepo package type "${r.poleepo.name}" (${r.poleepo.poleepo_id}${r.poleepo.max_weight_kg !== null ? `, up to ${r.poleepo.max_weight_kg} kg` : ''}).`);
    });

  types.command('unmap')
    .description('remove the mapping of an Odoo package type (its packages can no longer ship with Poleepo)')
    .argument('<odooPackageTypeId>', 'the Odoo package type id')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .action(async (id: string, opts: { connection?: string }) => {
      const services = await runtime.services();
      const target = await resolveConnectionOption(await runtime.context(), opts.connection);
      const removed = /^\d+$/.test(id) ? await services.shipping.packageTypes.unmap(target.id, Number(id)) : false;
      runtime.out(removed ? `Odoo package type ${id} is no longer mapped.` : `Odoo package type ${id} was not mapped.`);
    });
}

function dims(...values: (number | null)[]): string {
  return values.every((v) => v === null) ? '' : values.map((v) => v ?? '?').join('×');
}
