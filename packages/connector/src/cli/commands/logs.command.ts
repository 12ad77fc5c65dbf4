import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { parseIntOption, parseIsoOption } from '../runtime.ts';
import { ValidationError } from '../../shared/errors.ts';
import { resolveConnectionOption } from '../connection-option.ts';

const SYSTEMS = ['odoo', 'poleepo', 'webhook', 'console', 'http'] as const;

export function register(program: Command, runtime: CliRuntime): void {
  program.command('logs')
    .description('read the API log (every call made or received, bodies redacted)')
    .option('--system <system>', `only this system (${SYSTEMS.join('|')})`)
    .option('--errors', 'only failed calls (error or status >= 400)')
    .option('--since <iso>', 'only entries at or after this ISO date-time')
    .option('--connection <name>', 'only this connection')
    .option('--limit <n>', 'at most this many entries (default 50)', '50')
    .option('--bodies', 'include the (redacted) request and response bodies')
    .option('--json', 'print as JSON')
    .action(async (opts: { system?: string; errors?: boolean; since?: string; connection?: string; limit: string; bodies?: boolean; json?: boolean }) => {
      if (opts.system && !SYSTEMS.includes(opts.system as never)) throw new ValidationError(`--system must be one of ${SYSTEMS.join(', ')} (got "${opts.system}")`);
      const since = opts.since ? parseIsoOption('--since', opts.since) : undefined;
      const limit = parseIntOption('--limit', opts.limit);
      const ctx = await runtime.context();
      const connectionId = opts.connection ? (await resolveConnectionOption(ctx, opts.connection)).id : undefined;
      const rows = await ctx.apiLogRepo.list({ system: opts.system as (typeof SYSTEMS)[number] | undefined, errorsOnly: opts.errors, since, connectionId, limit });
      const shown = rows.map((r) => ({
        id: r.id,
        at: new Date(r.created_at).toISOString(),
        connection: r.connection_id,
        system: r.system,
        dir: r.direction === 'inbound' ? 'in' : 'out',
        method: r.method,
        path: r.path,
        status: r.status,
        ms: r.duration_ms,
        error: r.error,
        ...(opts.bodies || opts.json ? { request: r.request_body, response: r.response_body } : {}),
      }));
      runtime.table(shown, { json: opts.json, empty: 'No API log entries match.' });
    });
}
