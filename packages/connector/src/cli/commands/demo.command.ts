import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { parseIntOption } from '../runtime.ts';
import { startDemo } from '../../demo/demo.ts';
import { guardProcess } from '../../app/service.ts';

export function register(program: Command, runtime: CliRuntime): void {
  program.command('demo')
    .description('run the connector with the built-in Odoo emulator and Poleepo sandbox, seeded and connected, every flow running')
    .option('--port <n>', 'console and webhook port (default 8080)', '8080')
    .option('--data-dir <dir>', 'where the demo keeps its SQLite database', './data/demo')
    .action(async (opts: { port: string; dataDir: string }) => {
      const port = parseIntOption('--port', opts.port);
      runtime.out('Starting the demo: Odoo emulator, Poleepo sandbox and the connector…');
      const demo = await startDemo({ port, dataDir: opts.dataDir });
      const unguard = guardProcess(demo.service.ctx.logger);
      runtime.out('');
      runtime.out(`  Console:        ${demo.consoleUrl}/`);
      runtime.out(demo.admin.password ? `  Log in as:      ${demo.admin.login} / ${demo.admin.password}   (shown once)` : `  Log in as:      ${demo.admin.login} (created by an earlier demo run; its password was shown then)`);
      runtime.out(`  Odoo emulator:  ${demo.odoo.url}  (db ${demo.odoo.db}, login ${demo.odoo.login}, API key ${demo.odoo.apiKey})`);
      runtime.out(`  Poleepo sandbox: ${demo.poleepo.url}  (GET /__sandbox/stats)`);
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
