import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { parseIntOption } from '../runtime.ts';
import { guardProcess, startService, type ProcessRole, type RunningService } from '../../app/service.ts';
import { firstRunHint } from '../../auth/auth.service.ts';

const ROLES: { name: string; role: ProcessRole; summary: string }[] = [
  { name: 'start', role: 'all', summary: 'run everything in one process: HTTP server (webhooks, console, images, health, metrics), workers and scheduler' },
  { name: 'serve', role: 'serve', summary: 'run the HTTP server only (PostgreSQL; run any number of them)' },
  { name: 'work', role: 'work', summary: 'run the workers and the scheduler only (PostgreSQL; run any number of them)' },
];

export function register(program: Command, runtime: CliRuntime): void {
  for (const { name, role, summary } of ROLES) {
    const cmd = program.command(name).description(summary);
    if (role !== 'work') cmd.option('--port <n>', 'listen on this port (default: PORT or 8080)');
    cmd.action(async (opts: { port?: string }) => {
      const config = runtime.config();
      const port = opts.port !== undefined ? parseIntOption('--port', opts.port) : undefined;
      const service = await startService(config, role, { port });
      const unguard = guardProcess(service.ctx.logger);
      service.ctx.logger.info({ role, database: service.ctx.db.location, url: service.url, console: service.consoleUrl }, 'poleepo-odoo started');
      if (service.url) runtime.out(`poleepo-odoo ${name}: listening on ${service.url}${service.consoleUrl && service.consoleUrl !== service.url ? ` (console on ${service.consoleUrl})` : ''}`);
      else runtime.out(`poleepo-odoo ${name}: workers and scheduler running on ${service.ctx.db.location}`);
      for (const line of await startupHints(service)) runtime.out(line);
      await untilSignalled(service, runtime);
      unguard();
    });
  }
}

async function startupHints(service: RunningService): Promise<string[]> {
  if (!service.consoleUrl) return [];
  const hint = await firstRunHint(service.ctx);
  return hint ? [...hint.split('\n'), `then open ${service.consoleUrl}/ and log in.`] : [];
}

/** First SIGINT/SIGTERM: graceful stop (drain up to 10 s); a second one forces the exit. */
function untilSignalled(service: RunningService, runtime: CliRuntime): Promise<void> {
  return new Promise((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        runtime.err(`Received ${signal} again: exiting now.`);
        process.exit(130);
      }
      signalled = true;
      runtime.out(`Received ${signal}: stopping (press Ctrl-C again to force)…`);
      service.stop({ drainMs: 10_000 }).then(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        runtime.out('Stopped.');
        resolve();
      }, (error) => {
        runtime.err(`Stop failed: ${String(error)}`);
        process.exit(1);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
