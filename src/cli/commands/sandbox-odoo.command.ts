import { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { parseIntOption } from '../runtime.ts';
import { ValidationError } from '../../shared/errors.ts';
import { startOdooEmulator, type OdooEmulator } from '../../sandbox/odoo/emulator.ts';
import type { OdooVersion } from '../../sandbox/odoo/versions/version.profile.ts';

const DEFAULT_PORT = 8069;

interface Options {
  port?: string;
  apiKey?: string;
  odooVersion?: string;
  catalog?: string;
  serviceTime?: string;
}

/** `sandbox odoo`: the Odoo emulator alone (database `sandbox`, login `admin`), until Ctrl-C (DESIGN §3.1, §5). */
export function register(program: Command, runtime: CliRuntime): void {
  // `sandbox poleepo` lives in another module: share the parent command whichever registers first.
  const parent = (program.commands.find((c) => c.name() === 'sandbox') as Command | undefined) ?? program.command('sandbox').description('run a sandbox alone');
  parent.command('odoo')
    .description('run the Odoo emulator alone (JSON-RPC, and JSON-2 as Odoo 19; /__emulator control API) until Ctrl-C')
    .option('--port <n>', `listen on this port (default ${DEFAULT_PORT}; 0 = any free port)`)
    .option('--api-key <key>', 'the admin\'s API key (default: 40 random hex characters)')
    .option('--odoo-version <v>', 'which Odoo to play: 17, 18 or 19 (default 18)')
    .option('--catalog <templates>x<variants>', 'add a generated catalog, e.g. 20000x100000')
    .option('--service-time <preset>', 'none (default) or calibrated (real Odoo service times, odoo-api-research §D)')
    .action(async (opts: Options) => {
      const port = opts.port === undefined ? DEFAULT_PORT : parseIntOption('--port', opts.port);
      if (port < 0 || port > 65535) throw new ValidationError(`--port must be between 0 and 65535 (got ${port})`);
      const version = opts.odooVersion === undefined ? 18 : parseIntOption('--odoo-version', opts.odooVersion);
      if (![17, 18, 19].includes(version)) throw new ValidationError(`--odoo-version must be 17, 18 or 19 (got ${version})`);
      if (opts.apiKey !== undefined && opts.apiKey.trim().length < 8) throw new ValidationError('--api-key must be at least 8 characters');
      let catalog: { templates: number; variants: number } | undefined;
      if (opts.catalog !== undefined) {
        const m = /^(\d+)x(\d+)$/.exec(opts.catalog);
        if (!m || Number(m[2]) < Number(m[1]) || Number(m[1]) < 1) throw new ValidationError(`--catalog must look like 20000x100000 (templates x variants, variants >= templates; got "${opts.catalog}")`);
        catalog = { templates: Number(m[1]), variants: Number(m[2]) };
      }
      if (opts.serviceTime !== undefined && !['none', 'calibrated'].includes(opts.serviceTime)) throw new ValidationError(`--service-time must be none or calibrated (got "${opts.serviceTime}")`);
      const emulator = await startOdooEmulator({
        version: version as OdooVersion,
        port,
        apiKey: opts.apiKey?.trim(),
        catalog,
        serviceTime: (opts.serviceTime as 'none' | 'calibrated' | undefined) ?? 'none',
      });
      const url = emulator.url;
      runtime.out([
        `Odoo ${version} emulator listening on ${url}`,
        `  URL       ${url}`,
        `  database  ${emulator.db}`,
        `  login     ${emulator.login}`,
        `  API key   ${emulator.apiKey}`,
        `  transport ${version === 19 ? `JSON-2 (POST ${url}/json/2/<model>/<method>, Authorization: bearer <key>) and /jsonrpc` : `JSON-RPC (POST ${url}/jsonrpc)`}`,
        catalog ? `  catalog   ${emulator.inspect().records['product.product']} variants` : '  catalog   demo data of the recordings',
        'Control API:',
        `  curl ${url}/__emulator/stats`,
        `  curl -X POST ${url}/__emulator/faults -d '{"kind":"error","preset":"concurrency","model":"sale.order","method":"create"}'`,
        `  curl -X POST ${url}/__emulator/service-time -d '{"preset":"calibrated"}'`,
        'Press Ctrl-C to stop.',
      ].join('\n'));
      await untilSignalled(emulator, runtime);
    });
}

function untilSignalled(emulator: OdooEmulator, runtime: CliRuntime): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      runtime.out(`Received ${signal}: stopping the Odoo emulator.`);
      emulator.stop().then(resolve, (error) => {
        runtime.err(`Stop failed: ${String(error)}`);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
