import { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { ValidationError } from '../../shared/errors.ts';
import { DEFAULT_SANDBOX_PORT, sandboxBanner, sandboxOptions, SandboxUsageError, startPoleepoSandbox, stopSandboxOnSignal, type SandboxCliOptions } from '@poleepo-odoo/poleepo-sandbox';

/** `sandbox poleepo`: the Poleepo sandbox alone, until Ctrl-C (DESIGN §3.1, §5). */
export function register(program: Command, runtime: CliRuntime): void {
  // `sandbox odoo` lives in another module: share the parent command whichever registers first.
  const parent = (program.commands.find((c) => c.name() === 'sandbox') as Command | undefined) ?? program.command('sandbox').description('run a sandbox alone');
  parent.command('poleepo')
    .description('run the Poleepo sandbox alone (Poleepo API + /__sandbox control API) until Ctrl-C')
    .option('--port <n>', `listen on this port (default ${DEFAULT_SANDBOX_PORT}; 0 = any free port)`)
    .option('--client-id <id>', 'accept this API key (default: a generated one)')
    .option('--client-secret <secret>', 'the API key\'s secret (with --client-id)')
    .option('--rate-limit-window <duration>', 'window of the batch status limit of 5 requests (default 10m; e.g. 30s for demos)')
    .option('--batch-delay <duration>', 'time a product batch takes to process (default 2s)')
    .option('--token-ttl <duration>', 'access token lifetime (default 1h)')
    .option('--shipping-progress <duration>', 'a shipping handed to the courier goes IN_TRANSIT, then DELIVERED, after this long each (default off)')
    .option('--seed-products', 'start with a few products and publications')
    .action(async (opts: SandboxCliOptions) => {
      let options: ReturnType<typeof sandboxOptions>;
      try {
        options = sandboxOptions(opts);
      } catch (error) {
        if (error instanceof SandboxUsageError) throw new ValidationError(error.message);
        throw error;
      }
      const sandbox = await startPoleepoSandbox(options);
      runtime.out(sandboxBanner(sandbox, options.clients[0]!));
      await stopSandboxOnSignal(sandbox, (line) => runtime.out(line));
    });
}
