import { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { ValidationError } from '../../shared/errors.ts';
import { emulatorBanner, emulatorOptions, EmulatorUsageError, startOdooEmulator, stopOnSignal, DEFAULT_EMULATOR_PORT, type EmulatorCliOptions } from '@poleepo-odoo/odoo-emulator';

/** `sandbox odoo`: the Odoo emulator alone (database `sandbox`, login `admin`), until Ctrl-C (DESIGN §3.1, §5). */
export function register(program: Command, runtime: CliRuntime): void {
  // `sandbox poleepo` lives in another module: share the parent command whichever registers first.
  const parent = (program.commands.find((c) => c.name() === 'sandbox') as Command | undefined) ?? program.command('sandbox').description('run a sandbox alone');
  parent.command('odoo')
    .description('run the Odoo emulator alone (JSON-RPC, and JSON-2 as Odoo 19; /__emulator control API) until Ctrl-C')
    .option('--port <n>', `listen on this port (default ${DEFAULT_EMULATOR_PORT}; 0 = any free port)`)
    .option('--api-key <key>', 'the admin\'s API key (default: 40 random hex characters)')
    .option('--odoo-version <v>', 'which Odoo to play: 17, 18 or 19 (default 18)')
    .option('--catalog <templates>x<variants>', 'add a generated catalog, e.g. 20000x100000')
    .option('--service-time <preset>', 'none (default) or calibrated (real Odoo service times, docs/odoo-api.md §D)')
    .action(async (opts: EmulatorCliOptions) => {
      let options: ReturnType<typeof emulatorOptions>;
      try {
        options = emulatorOptions(opts);
      } catch (error) {
        if (error instanceof EmulatorUsageError) throw new ValidationError(error.message);
        throw error;
      }
      const emulator = await startOdooEmulator(options);
      runtime.out(emulatorBanner(emulator, options.version, options.catalog !== undefined));
      await stopOnSignal(emulator, (line) => runtime.out(line));
    });
}
