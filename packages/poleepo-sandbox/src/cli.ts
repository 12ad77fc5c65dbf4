/**
 * `poleepo-sandbox`: the Poleepo sandbox on its own. The connector's `sandbox poleepo` command takes the same options
 * and prints the same banner.
 */
import { parseArgs } from 'node:util';
import { newSandboxClient } from './poleepo-sandbox.auth.ts';
import { startPoleepoSandbox, type PoleepoSandbox } from './poleepo-sandbox.server.ts';
import type { PoleepoSandboxOptions, SandboxClient } from './poleepo-sandbox.types.ts';

export const DEFAULT_SANDBOX_PORT = 8091;

const HELP = `Usage: poleepo-sandbox [options]

Runs a Poleepo API sandbox (and its /__sandbox control API) on 127.0.0.1 until Ctrl-C.

Options:
  --port <n>                      listen on this port (default ${DEFAULT_SANDBOX_PORT}; 0 = any free port)
  --client-id <id>                accept this API key (default: a generated one)
  --client-secret <secret>        the API key's secret (with --client-id)
  --rate-limit-window <duration>  window of the batch status limit of 5 requests (default 10m; e.g. 30s)
  --batch-delay <duration>        time a product batch takes to process (default 2s)
  --token-ttl <duration>          access token lifetime (default 1h)
  --shipping-progress <duration>  a shipping handed to the carrier goes IN_TRANSIT, then DELIVERED, after this
                                  long each (default off; e.g. 30s)
  --seed-products                 start with a few products and publications
  -h, --help                      this help
`;

export interface SandboxCliOptions {
  port?: string;
  clientId?: string;
  clientSecret?: string;
  rateLimitWindow?: string;
  batchDelay?: string;
  tokenTtl?: string;
  shippingProgress?: string;
  seedProducts?: boolean;
}

export class SandboxUsageError extends Error {
  override readonly name = 'SandboxUsageError';
}

function duration(name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i.exec(value.trim());
  if (!m) throw new SandboxUsageError(`${name}: "${value}" is not a duration (examples: 90s, 2m, 10m, 1h)`);
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms').toLowerCase() as 'ms'];
  return Math.round(Number(m[1]) * factor);
}

/** Checks the options and turns them into the sandbox's; a bad one throws with one plain sentence. */
export function sandboxOptions(opts: SandboxCliOptions): PoleepoSandboxOptions & { port: number; clients: SandboxClient[] } {
  if (opts.port !== undefined && !/^\d+$/.test(opts.port.trim())) throw new SandboxUsageError(`--port must be a whole number (got "${opts.port}")`);
  const port = opts.port === undefined ? DEFAULT_SANDBOX_PORT : Number(opts.port);
  if (port > 65535) throw new SandboxUsageError(`--port must be between 0 and 65535 (got ${port})`);
  if (Boolean(opts.clientId) !== Boolean(opts.clientSecret)) throw new SandboxUsageError('--client-id and --client-secret go together');
  const client: SandboxClient = opts.clientId && opts.clientSecret
    ? { clientId: opts.clientId, clientSecret: opts.clientSecret, permissions: { orders: 'write', products: 'write', shipping: 'write' } }
    : newSandboxClient();
  const tokenTtl = opts.tokenTtl ? duration('--token-ttl', opts.tokenTtl) : undefined;
  if (tokenTtl !== undefined && tokenTtl < 1000) throw new SandboxUsageError('--token-ttl must be at least 1s');
  return {
    port,
    clients: [client],
    rateLimitWindowMs: opts.rateLimitWindow ? duration('--rate-limit-window', opts.rateLimitWindow) : undefined,
    batchProcessingDelayMs: opts.batchDelay ? duration('--batch-delay', opts.batchDelay) : undefined,
    tokenTtlSeconds: tokenTtl !== undefined ? Math.round(tokenTtl / 1000) : undefined,
    shippingProgressMs: opts.shippingProgress ? duration('--shipping-progress', opts.shippingProgress) : undefined,
    seedProducts: opts.seedProducts === true,
  };
}

export function sandboxBanner(sandbox: PoleepoSandbox, client: SandboxClient): string {
  return [
    `Poleepo sandbox listening on ${sandbox.url}`,
    `  base URL       ${sandbox.url}`,
    `  client id      ${client.clientId}`,
    `  client secret  ${client.clientSecret}`,
    `  batch status limit: 5 requests per ${Math.round(sandbox.knobs.rateLimitWindowMs / 1000)} s`,
    ...(sandbox.knobs.shippingProgressMs > 0 ? [`  shipments move on their own every ${Math.round(sandbox.knobs.shippingProgressMs / 1000)} s (IN_TRANSIT, then DELIVERED)`] : []),
    'Control API (see docs/poleepo-api.md §7):',
    `  curl -X POST ${sandbox.url}/__sandbox/webhooks -d '{"url":"http://127.0.0.1:8080/webhooks/poleepo/NAME?token=…","secret":"…","events":["STATUS_ORDER","STATUS_SHIPMENT"]}'`,
    `  curl -X POST ${sandbox.url}/__sandbox/orders/generate -d '{"count":3}'`,
    `  curl ${sandbox.url}/__sandbox/stats`,
    'Press Ctrl-C to stop.',
  ].join('\n');
}

/** Resolves once SIGINT or SIGTERM has stopped the sandbox. */
export function stopSandboxOnSignal(sandbox: PoleepoSandbox, say: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      say(`Received ${signal}: stopping the Poleepo sandbox.`);
      sandbox.stop().then(resolve, (error: unknown) => {
        say(`Stop failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export async function main(argv: string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' }, 'client-id': { type: 'string' }, 'client-secret': { type: 'string' },
        'rate-limit-window': { type: 'string' }, 'batch-delay': { type: 'string' }, 'token-ttl': { type: 'string' }, 'shipping-progress': { type: 'string' },
        'seed-products': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const options = sandboxOptions({
      port: values.port, clientId: values['client-id'], clientSecret: values['client-secret'], rateLimitWindow: values['rate-limit-window'],
      batchDelay: values['batch-delay'], tokenTtl: values['token-ttl'], shippingProgress: values['shipping-progress'], seedProducts: values['seed-products'],
    });
    const sandbox = await startPoleepoSandbox(options);
    process.stdout.write(`${sandboxBanner(sandbox, options.clients[0]!)}\n`);
    await stopSandboxOnSignal(sandbox, (line) => process.stdout.write(`${line}\n`));
    return 0;
  } catch (error) {
    // A wrong option is the user's to fix: one line, exit 1. Anything else is a bug and keeps its stack.
    const code = (error as { code?: unknown }).code;
    if (error instanceof SandboxUsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`poleepo-sandbox: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}
