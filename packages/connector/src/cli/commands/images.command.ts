import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { resolveConnectionOption } from '../connection-option.ts';

/**
 * `images rotate-key [--connection NAME]` (additive to DESIGN §3.1): a new signing key for a connection's product
 * image URLs (DESIGN §4.3.1). Every URL handed out before stops working at once, in every running process; the next
 * export of each product sends its new URLs.
 */
export function register(program: Command, runtime: CliRuntime): void {
  const images = program.commands.find((c) => c.name() === 'images') ?? program.command('images').description('signed product image URLs');

  images.command('rotate-key')
    .description('replace the key that signs product image URLs: every URL given to Poleepo before answers 404 from now on (use it when URLs leaked)')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print as JSON')
    .action(async (opts: { connection?: string; json?: boolean }) => {
      const ctx = await runtime.context();
      const connection = await resolveConnectionOption(ctx, opts.connection);
      const { images: service } = await runtime.services();
      const { deactivated } = await service.keys.rotate(connection.id);
      if (opts.json) return runtime.json({ connection: connection.name, rotated: true, deactivatedKeys: deactivated });
      runtime.out(`New image key for connection "${connection.name}": every image URL signed before now answers 404, in every running process.`);
      runtime.out(`Products carry their new image URLs at their next export; to send them all now: poleepo-odoo products sync --full --connection ${connection.name}`);
    });
}
