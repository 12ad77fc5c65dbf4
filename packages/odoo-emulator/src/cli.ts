/**
 * `odoo-emulator`: the emulator on its own, for any Odoo integration to test against (no connector needed).
 * Options are the connector's `sandbox odoo` ones; both print the same banner.
 */
import { parseArgs } from 'node:util';
import { startOdooEmulator, type OdooEmulator, type OdooEmulatorOptions } from './emulator.ts';
import type { OdooVersion } from './versions/version.profile.ts';

export const DEFAULT_EMULATOR_PORT = 8069;

const HELP = `Usage: odoo-emulator [options]

Runs an emulated Odoo 17, 18 or 19 (JSON-RPC; JSON-2 too as Odoo 19) on 127.0.0.1 until Ctrl-C.

Options:
  --port <n>                 listen on this port (default ${DEFAULT_EMULATOR_PORT}; 0 = any free port)
  --api-key <key>            the admin's API key (default: 40 random hex characters)
  --odoo-version <v>         17, 18 or 19 (default 18)
  --catalog <T>x<V>          add a generated catalog of T templates and V variants, e.g. 20000x100000
  --service-time <preset>    none (default) or calibrated (real Odoo service times)
  -h, --help                 this help
`;

/** Raw option strings, as a command line gives them; validated by {@link emulatorOptions}. */
export interface EmulatorCliOptions {
  port?: string;
  apiKey?: string;
  odooVersion?: string;
  catalog?: string;
  serviceTime?: string;
}

export class EmulatorUsageError extends Error {
  override readonly name = 'EmulatorUsageError';
}

function wholeNumber(name: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new EmulatorUsageError(`${name} must be a whole number (got "${raw}")`);
  return Number(raw);
}

/** Checks the options and turns them into the emulator's; a bad one throws with one plain sentence. */
export function emulatorOptions(opts: EmulatorCliOptions): OdooEmulatorOptions & { port: number; version: OdooVersion } {
  const port = opts.port === undefined ? DEFAULT_EMULATOR_PORT : wholeNumber('--port', opts.port);
  if (port > 65535) throw new EmulatorUsageError(`--port must be between 0 and 65535 (got ${port})`);
  const version = opts.odooVersion === undefined ? 18 : wholeNumber('--odoo-version', opts.odooVersion);
  if (version !== 17 && version !== 18 && version !== 19) throw new EmulatorUsageError(`--odoo-version must be 17, 18 or 19 (got ${version})`);
  if (opts.apiKey !== undefined && opts.apiKey.trim().length < 8) throw new EmulatorUsageError('--api-key must be at least 8 characters');
  let catalog: { templates: number; variants: number } | undefined;
  if (opts.catalog !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(opts.catalog);
    if (!m || Number(m[2]) < Number(m[1]) || Number(m[1]) < 1) throw new EmulatorUsageError(`--catalog must look like 20000x100000 (templates x variants, variants >= templates; got "${opts.catalog}")`);
    catalog = { templates: Number(m[1]), variants: Number(m[2]) };
  }
  const serviceTime = opts.serviceTime ?? 'none';
  if (serviceTime !== 'none' && serviceTime !== 'calibrated') throw new EmulatorUsageError(`--service-time must be none or calibrated (got "${serviceTime}")`);
  return { version, port, apiKey: opts.apiKey?.trim(), catalog, serviceTime };
}

/** What a person needs to point a client at a running emulator. */
export function emulatorBanner(emulator: OdooEmulator, version: OdooVersion, generatedCatalog: boolean): string {
  const url = emulator.url;
  return [
    `Odoo ${version} emulator listening on ${url}`,
    `  URL       ${url}`,
    `  database  ${emulator.db}`,
    `  login     ${emulator.login}`,
    `  API key   ${emulator.apiKey}`,
    `  transport ${version === 19 ? `JSON-2 (POST ${url}/json/2/<model>/<method>, Authorization: bearer <key>) and /jsonrpc` : `JSON-RPC (POST ${url}/jsonrpc)`}`,
    generatedCatalog ? `  catalog   ${emulator.inspect().records['product.product']} variants` : '  catalog   demo data of the recordings',
    'Control API:',
    `  curl ${url}/__emulator/stats`,
    `  curl -X POST ${url}/__emulator/faults -d '{"kind":"error","preset":"concurrency","model":"sale.order","method":"create"}'`,
    `  curl -X POST ${url}/__emulator/service-time -d '{"preset":"calibrated"}'`,
    'Press Ctrl-C to stop.',
  ].join('\n');
}

/** Resolves once SIGINT or SIGTERM has stopped the emulator. */
export function stopOnSignal(emulator: OdooEmulator, say: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      say(`Received ${signal}: stopping the Odoo emulator.`);
      emulator.stop().then(resolve, (error: unknown) => {
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
        port: { type: 'string' }, 'api-key': { type: 'string' }, 'odoo-version': { type: 'string' },
        catalog: { type: 'string' }, 'service-time': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const options = emulatorOptions({
      port: values.port, apiKey: values['api-key'], odooVersion: values['odoo-version'], catalog: values.catalog, serviceTime: values['service-time'],
    });
    const emulator = await startOdooEmulator(options);
    process.stdout.write(`${emulatorBanner(emulator, options.version, options.catalog !== undefined)}\n`);
    await stopOnSignal(emulator, (line) => process.stdout.write(`${line}\n`));
    return 0;
  } catch (error) {
    // A wrong option is the user's to fix: one line, exit 1. Anything else is a bug and keeps its stack.
    const code = (error as { code?: unknown }).code;
    if (error instanceof EmulatorUsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`odoo-emulator: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}
