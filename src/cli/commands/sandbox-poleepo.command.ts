import { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { parseDuration, parseIntOption } from '../runtime.ts';
import { ValidationError } from '../../shared/errors.ts';
import { newSandboxClient } from '../../sandbox/poleepo/poleepo-sandbox.auth.ts';
import { startPoleepoSandbox, type PoleepoSandbox } from '../../sandbox/poleepo/poleepo-sandbox.server.ts';

const DEFAULT_PORT = 8091;

interface Options {
  port?: string;
  clientId?: string;
  clientSecret?: string;
  rateLimitWindow?: string;
  batchDelay?: string;
  tokenTtl?: string;
  seedProducts?: boolean;
}

/** `sandbox poleepo`: the Poleepo sandbox alone, until Ctrl-C (DESIGN §3.1, §5). */
export function register(program: Command, runtime: CliRuntime): void {
  // `sandbox odoo` lives in another module: share the parent command whichever registers first.
  const parent = (program.commands.find((c) => c.name() === 'sandbox') as Command | undefined) ?? program.command('sandbox').description('run a sandbox alone');
  parent.command('poleepo')
    .description('run the Poleepo sandbox alone (Poleepo API + /__sandbox control API) until Ctrl-C')
    .option('--port <n>', `listen on this port (default ${DEFAULT_PORT}; 0 = any free port)`)
    .option('--client-id <id>', 'accept this API key (default: a generated one)')
    .option('--client-secret <secret>', 'the API key\'s secret (with --client-id)')
    .option('--rate-limit-window <duration>', 'window of the batch status limit of 5 requests (default 10m; e.g. 30s for demos)')
    .option('--batch-delay <duration>', 'time a product batch takes to process (default 2s)')
    .option('--token-ttl <duration>', 'access token lifetime (default 1h)')
    .option('--seed-products', 'start with a few products and publications')
    .action(async (opts: Options) => {
      const port = opts.port === undefined ? DEFAULT_PORT : parseIntOption('--port', opts.port);
      if (port < 0 || port > 65535) throw new ValidationError(`--port must be between 0 and 65535 (got ${port})`);
      if (Boolean(opts.clientId) !== Boolean(opts.clientSecret)) throw new ValidationError('--client-id and --client-secret go together');
      const client = opts.clientId
        ? { clientId: opts.clientId, clientSecret: opts.clientSecret!, permissions: { orders: 'write', products: 'write', shipping: 'write' } as const }
        : newSandboxClient();
      const tokenTtl = opts.tokenTtl ? parseDuration(opts.tokenTtl) : undefined;
      if (tokenTtl !== undefined && tokenTtl < 1000) throw new ValidationError('--token-ttl must be at least 1s');
      const sandbox = await startPoleepoSandbox({
        port,
        clients: [client],
        rateLimitWindowMs: opts.rateLimitWindow ? parseDuration(opts.rateLimitWindow) : undefined,
        batchProcessingDelayMs: opts.batchDelay ? parseDuration(opts.batchDelay) : undefined,
        tokenTtlSeconds: tokenTtl !== undefined ? Math.round(tokenTtl / 1000) : undefined,
        seedProducts: opts.seedProducts === true,
      });
      runtime.out([
        `Poleepo sandbox listening on ${sandbox.url}`,
        `  base URL       ${sandbox.url}`,
        `  client id      ${client.clientId}`,
        `  client secret  ${client.clientSecret}`,
        `  batch status limit: 5 requests per ${Math.round(sandbox.knobs.rateLimitWindowMs / 1000)} s`,
        'Control API (see docs/poleepo-api.md §7):',
        `  curl -X POST ${sandbox.url}/__sandbox/webhooks -d '{"url":"http://127.0.0.1:8080/webhooks/poleepo/NAME?token=…","secret":"…","events":["STATUS_ORDER","STATUS_SHIPMENT"]}'`,
        `  curl -X POST ${sandbox.url}/__sandbox/orders/generate -d '{"count":3}'`,
        `  curl ${sandbox.url}/__sandbox/stats`,
        'Press Ctrl-C to stop.',
      ].join('\n'));
      await untilSignalled(sandbox, runtime);
    });
}

function untilSignalled(sandbox: PoleepoSandbox, runtime: CliRuntime): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      runtime.out(`Received ${signal}: stopping the Poleepo sandbox.`);
      sandbox.stop().then(resolve, (error) => {
        runtime.err(`Stop failed: ${String(error)}`);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
