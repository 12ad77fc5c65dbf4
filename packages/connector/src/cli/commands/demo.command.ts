import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { parseIntOption } from '../runtime.ts';
import { resetDemo, startDemo } from '../../demo/demo.ts';
import { guardProcess } from '../../app/service.ts';
import { ValidationError } from '../../shared/errors.ts';

export function register(program: Command, runtime: CliRuntime): void {
  program.command('demo')
    .description('run the connector with the built-in Odoo emulator and Poleepo sandbox, seeded and connected, every flow running')
    .option('--port <n>', 'console and webhook port (default: the PORT variable, else 8080)')
    .option('--data-dir <dir>', 'where the demo keeps its database, key and the Odoo and Poleepo state (kept across runs)', './data/demo')
    .option('--reset', 'delete the demo\'s database, key and Odoo and Poleepo state first, and start over')
    .action(async (opts: { port?: string; dataDir: string; reset?: boolean }) => {
      const portText = opts.port ?? runtime.envVar('PORT') ?? '8080';
      const port = parseIntOption(opts.port !== undefined ? '--port' : 'PORT', portText);
      if (port < 0 || port > 65535) throw new ValidationError(`${opts.port !== undefined ? '--port' : 'PORT'} must be a port number between 0 and 65535 (got ${port})`);
      if (opts.reset) {
        const deleted = resetDemo(opts.dataDir);
        runtime.out(deleted.length ? `Reset: deleted ${deleted.length} file(s) of the earlier demo in ${opts.dataDir}.` : `Reset: no earlier demo in ${opts.dataDir}.`);
      }
      runtime.out('Starting the demo: Odoo emulator, Poleepo sandbox and the connector…');
      const demo = await startDemo({ port, dataDir: opts.dataDir, env: runtime.environment() });
      const unguard = guardProcess(demo.service.ctx.logger);
      runtime.out('');
      runtime.out(demo.restored ? `  Restarted:      the same Odoo, Poleepo and connector as the last run (${demo.dataDir}; --reset starts over)` : `  Data:           ${demo.dataDir} (kept across runs; --reset starts over)`);
      runtime.out(`  Console:        ${demo.consoleUrl}/`);
      runtime.out(demo.admin.password ? `  Log in as:      ${demo.admin.login} / ${demo.admin.password}   (shown once)` : `  Log in as:      ${demo.admin.login} (created by an earlier demo run; its password was shown then)`);
      runtime.out(`  Odoo emulator:  ${demo.odoo.url}  (db ${demo.odoo.db}, login ${demo.odoo.login}, API key ${demo.odoo.apiKey})`);
      runtime.out(`  Poleepo sandbox: ${demo.poleepo.url}  (GET /__sandbox/stats)`);
      runtime.out(`  CLI, in another terminal:  export DATABASE_URL=${demo.databaseUrl}`);
      runtime.out('                  then e.g. poleepo-odoo batches list, orders list, logs');
      runtime.out('');
      runtime.out('Orders arrive every few seconds from Amazon, eBay, Shopify…; prices change in Odoo and flow out. Ctrl-C stops.');
      await new Promise<void>((resolve) => {
        let stopping = false;
        const onSignal = () => {
          if (stopping) process.exit(130);
          stopping = true;
          runtime.out('Stopping the demo (Ctrl-C again to force)…');
          demo.stop().then(() => {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
            runtime.out('Demo stopped.');
            resolve();
          }, () => process.exit(1));
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      });
      unguard();
    });
}
