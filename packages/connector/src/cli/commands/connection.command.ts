import type { Command } from 'commander';
import { AppError, ValidationError } from '../../shared/errors.ts';
import { parseIntOption, type CliRuntime } from '../runtime.ts';
import { readStdinLines, warnSecretOnCommandLine } from '../stdin.ts';
import { ConnectionsService } from '../../connections/connections.service.ts';
import type { ConnectionCheckResult, ConnectionView } from '../../connections/connections.types.ts';

interface AddOptions {
  odooUrl: string;
  odooDb: string;
  odooLogin: string;
  odooApiKey?: string;
  odooApiKeyStdin?: boolean;
  companyId?: string;
  poleepoClientId?: string;
  poleepoClientSecret?: string;
  poleepoClientSecretStdin?: boolean;
  poleepoBaseUrl?: string;
}

/** The test found problems: the verdicts were printed, the exit code says so. */
class ConnectionTestFailed extends AppError {
  constructor(name: string, failed: number) {
    super('connection_test_failed', `connection "${name}": ${failed} check${failed === 1 ? '' : 's'} failed`);
  }
}

/**
 * `connection add|list|test|remove` (DESIGN §3.1, §4.1). Secrets are read from standard input with the *-stdin options
 * (one per line, Odoo key first) so they stay out of shell history and the process list; they are never printed. The
 * old argument flags still work, with a warning on stderr.
 */
export function register(program: Command, runtime: CliRuntime): void {
  const connection = program.commands.find((c) => c.name() === 'connection') ?? program.command('connection').description('connections: an Odoo company <-> a Poleepo account');

  connection.command('add')
    .description('connect an Odoo company to a Poleepo account (secrets from standard input: --odoo-api-key-stdin, --poleepo-client-secret-stdin)')
    .argument('<name>', 'a name without spaces (letters, digits, - _ .)')
    .requiredOption('--odoo-url <url>', 'Odoo base URL, e.g. https://mycompany.odoo.com')
    .requiredOption('--odoo-db <db>', 'Odoo database name')
    .requiredOption('--odoo-login <login>', 'login of the Odoo user the API key belongs to')
    .option('--odoo-api-key-stdin', 'read the Odoo API key from standard input (first line)')
    .option('--odoo-api-key <key>', 'deprecated: the Odoo API key as an argument stays in shell history and the process list; use --odoo-api-key-stdin')
    .option('--company-id <id>', 'the Odoo company id (res.company) this connection works for')
    .option('--poleepo-client-id <id>', 'Poleepo API client id')
    .option('--poleepo-client-secret-stdin', 'read the Poleepo client secret from standard input (the line after the Odoo key, if both are read)')
    .option('--poleepo-client-secret <secret>', 'deprecated: the secret as an argument stays in shell history and the process list; use --poleepo-client-secret-stdin')
    .option('--poleepo-base-url <url>', 'Poleepo API base URL (default https://api.poleepo.cloud)')
    .action(async (name: string, opts: AddOptions) => {
      if (opts.odooApiKey && opts.odooApiKeyStdin) throw new ValidationError('give the Odoo API key once: --odoo-api-key or --odoo-api-key-stdin');
      if (opts.poleepoClientSecret && opts.poleepoClientSecretStdin) throw new ValidationError('give the Poleepo client secret once: --poleepo-client-secret or --poleepo-client-secret-stdin');
      if (opts.odooApiKey) warnSecretOnCommandLine(runtime, '--odoo-api-key', '--odoo-api-key-stdin');
      if (opts.poleepoClientSecret) warnSecretOnCommandLine(runtime, '--poleepo-client-secret', '--poleepo-client-secret-stdin');
      const lines = opts.odooApiKeyStdin || opts.poleepoClientSecretStdin ? await readStdinLines(runtime) : [];
      const apiKey = opts.odooApiKeyStdin ? lines.shift() : opts.odooApiKey;
      const clientSecret = opts.poleepoClientSecretStdin ? lines.shift() : opts.poleepoClientSecret;
      if (!apiKey) throw new ValidationError(opts.odooApiKeyStdin ? '--odoo-api-key-stdin: standard input held no key' : 'the Odoo API key is required: --odoo-api-key-stdin (recommended) or --odoo-api-key');
      if (opts.poleepoClientSecretStdin && !clientSecret) throw new ValidationError('--poleepo-client-secret-stdin: standard input held no secret');
      const service = new ConnectionsService(await runtime.context());
      const created = await service.create({
        name,
        odoo: { url: opts.odooUrl, db: opts.odooDb, login: opts.odooLogin, apiKey, companyId: opts.companyId ? parseIntOption('--company-id', opts.companyId) : null },
        poleepo: { baseUrl: opts.poleepoBaseUrl, clientId: opts.poleepoClientId, clientSecret },
      });
      runtime.out(`Created connection "${created.name}" (id ${created.id}): Odoo ${created.odoo.url} database ${created.odoo.db}${created.odoo.companyId ? ` company ${created.odoo.companyId}` : ''}${created.poleepo.clientId ? `, Poleepo client ${created.poleepo.clientId}` : ', Poleepo not configured yet'}.`);
      runtime.out(`Check it with: poleepo-odoo connection test ${created.name}`);
    });

  connection.command('list')
    .description('list connections (secrets are never shown)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const views = await new ConnectionsService(await runtime.context()).list();
      if (opts.json) return runtime.json(views);
      runtime.table(views.map(row), { empty: 'No connection yet: add one with "connection add".' });
    });

  connection.command('test')
    .description('check both sides of a connection (Odoo: version, transport, company, rights, API-key expiry)')
    .argument('[name]', 'the connection (optional when there is only one)')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, opts: { json?: boolean }) => {
      const service = new ConnectionsService(await runtime.context());
      const target = await service.resolve(name);
      const report = await service.test(target.id);
      if (opts.json) runtime.json(report);
      else {
        runtime.out(`Connection "${report.name}":`);
        for (const check of report.checks) runtime.out(`  ${mark(check)} ${check.system} ${check.name}: ${check.detail}`);
        runtime.out(report.ok ? 'All checks passed.' : 'Some checks failed: fix what they say and test again.');
      }
      const failed = report.checks.filter((c) => c.status === 'fail').length;
      if (failed) throw new ConnectionTestFailed(report.name, failed);
    });

  connection.command('remove')
    .description('remove a connection (its pending work is removed with it)')
    .argument('<name>', 'the connection')
    .action(async (name: string) => {
      const service = new ConnectionsService(await runtime.context());
      const target = await service.get(name);
      await service.remove(target.id);
      runtime.out(`Removed connection "${target.name}" (id ${target.id}).`);
    });
}

function row(c: ConnectionView): Record<string, unknown> {
  return {
    name: c.name,
    active: c.active ? 'yes' : 'no',
    odoo: `${c.odoo.url} (${c.odoo.db})`,
    login: c.odoo.login,
    company: c.odoo.companyId ?? '',
    version: c.odoo.version ? `${c.odoo.version} ${c.odoo.transport ?? ''}`.trim() : '',
    'key expires': c.odoo.apiKeyExpiresAt ? new Date(c.odoo.apiKeyExpiresAt).toISOString().slice(0, 10) : '',
    poleepo: c.poleepo.clientId || '(not set)',
    'last test': c.lastTest ? `${c.lastTest.ok ? 'ok' : 'FAILED'} ${new Date(c.lastTest.at).toISOString().slice(0, 16).replace('T', ' ')}` : '',
  };
}

function mark(check: ConnectionCheckResult): string {
  return { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]', skipped: '[skip]' }[check.status];
}

