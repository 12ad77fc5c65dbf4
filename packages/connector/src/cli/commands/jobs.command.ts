import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { parseDuration } from '../runtime.ts';
import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../shared/errors.ts';
import { Worker } from '../../tasks/task.worker.ts';
import { formatDuration } from '../../jobs/jobs.format.ts';
import type { JobView, RunView } from '../../jobs/jobs.service.ts';

/**
 * `jobs list | run NAME [--inline] | enable NAME | disable NAME | set-interval NAME DURATION`.
 * NAME is the machine name (poll-product-batches) or the display name ("Poll Product Batches").
 *
 * `jobs run` queues the run exactly as the console's "Run now" does (same service, same overlap rules), and a
 * running `start`/`work` process executes it — the CLI process has no worker of its own. With `--inline` the CLI
 * claims that run's task and executes it in this process (same handler, lease, retry and dead-letter rules), which
 * is useful when no worker is running, e.g. on a maintenance window.
 */
export function register(program: Command, runtime: CliRuntime): void {
  const jobs = program.command('jobs').description('scheduled jobs: list, run now, enable, disable, change how often they run');

  jobs.command('list')
    .description('list the scheduled jobs with their interval, last run and next run')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const ctx = await contextWithModules(runtime);
      const list = await ctx.jobs.list();
      if (opts.json) return runtime.json(list);
      runtime.table(list.map((j) => ({
        name: j.name,
        job: j.displayName,
        enabled: j.enabled ? 'yes' : 'no',
        every: every(j),
        'last run': j.lastRun ? `${iso(j.lastRun.finishedAt ?? j.lastRun.createdAt)} ${j.lastRun.status}` : '',
        now: j.activeRun ? `${j.activeRun.status} #${j.activeRun.id}` : '',
        'next run': j.nextRunAt === null ? '' : iso(j.nextRunAt),
        'last result': j.lastRun ? summary(j.lastRun) : j.handlerConfigured ? '' : '(handler arrives later)',
      })));
    });

  jobs.command('run')
    .description('run a job now: queue it for the workers, or run it in this process with --inline')
    .argument('<name>', 'job name, e.g. poll-product-batches or "Poll Product Batches"')
    .option('--inline', 'execute the run in this process instead of leaving it to a running worker')
    .action(async (name: string, opts: { inline?: boolean }) => {
      const ctx = await contextWithModules(runtime);
      const def = ctx.jobs.resolve(name);
      const { run, alreadyActive } = await ctx.jobs.runNow(def.name);
      if (!opts.inline) {
        if (alreadyActive) {
          runtime.out(`${def.displayName} already has run #${run.id} ${run.status}${run.taskId ? ` (task #${run.taskId})` : ''}; nothing new was queued.`);
        } else {
          runtime.out(`Queued run #${run.id} of ${def.displayName} (task #${run.taskId}).`);
          runtime.out('A running worker (poleepo-odoo start or work) executes it; follow it with "poleepo-odoo jobs list", or run it in this process with --inline.');
        }
        return;
      }
      if (run.taskId === null || run.taskStatus === 'running') {
        throw new AppError('job_busy', `${def.displayName} run #${run.id} is already running in a worker; it cannot run here too.`);
      }
      const worker = new Worker({
        queue: ctx.tasks, registry: ctx.taskRegistry, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics,
        workerId: `${ctx.processId}-cli`,
      });
      runtime.out(`Running ${def.displayName} (run #${run.id}, task #${run.taskId}) in this process…`);
      const settled = await worker.runOne(run.taskId);
      if (!settled) throw new AppError('job_busy', `Run #${run.id} was taken by a running worker (or is not due yet); follow it with "poleepo-odoo jobs list".`);
      const after = (await ctx.jobs.run(run.id))!;
      report(runtime, def.displayName, after, settled.outcome);
    });

  jobs.command('enable')
    .description('enable a job (its next run is at the next interval boundary)')
    .argument('<name>', 'job name')
    .action(async (name: string) => {
      const ctx = await contextWithModules(runtime);
      const job = await ctx.jobs.enable(name);
      runtime.out(`${job.displayName} is enabled: ${every(job)}${job.nextRunAt !== null ? `, next run at ${iso(job.nextRunAt)}` : ''}.`);
    });

  jobs.command('disable')
    .description('disable a job (no scheduled runs; "jobs run" still works)')
    .argument('<name>', 'job name')
    .action(async (name: string) => {
      const ctx = await contextWithModules(runtime);
      const job = await ctx.jobs.disable(name);
      runtime.out(`${job.displayName} is disabled.`);
    });

  jobs.command('set-interval')
    .description('change how often a job runs (e.g. 90s, 2m, 10m, 1h, 1d, or "manual" for run-now only)')
    .argument('<name>', 'job name')
    .argument('<duration>', 'interval: 90s, 2m, 10m, 1h, 1d, or manual')
    .action(async (name: string, duration: string) => {
      const intervalMs = /^(manual|none|off)$/i.test(duration.trim()) ? null : parseDuration(duration);
      const ctx = await contextWithModules(runtime);
      const job = await ctx.jobs.setInterval(name, intervalMs);
      runtime.out(`${job.displayName} now runs ${intervalMs === null ? 'only when run by hand' : `every ${formatDuration(intervalMs)}`}${job.enabled ? '' : ' (but it is disabled)'}${job.nextRunAt !== null ? `; next run at ${iso(job.nextRunAt)}` : ''}.`);
    });
}

/** The context with the modules' job handlers plugged in, so the CLI sees and runs the same jobs as a worker. */
async function contextWithModules(runtime: CliRuntime): Promise<AppContext> {
  await runtime.services();
  return runtime.context();
}

function report(runtime: CliRuntime, displayName: string, run: RunView, outcome: string): void {
  if (run.status === 'done') {
    runtime.out(`Run #${run.id} of ${displayName}: done.`);
    if (run.result !== null && run.result !== undefined) runtime.out(JSON.stringify(run.result, null, 2));
    return;
  }
  if (run.status === 'not_configured') {
    runtime.out(`Run #${run.id} of ${displayName}: not configured — ${run.error}`);
    return;
  }
  if (outcome === 'retry' || outcome === 'rate_limited') {
    throw new AppError('job_failed', `Run #${run.id} of ${displayName} did not succeed this time (${run.error}); it stays queued and a worker retries it.`);
  }
  throw new AppError('job_failed', `Run #${run.id} of ${displayName} failed: ${run.error ?? outcome}`);
}

function every(job: JobView): string {
  return job.intervalMs === null ? 'manual' : formatDuration(job.intervalMs);
}

function summary(run: RunView): string {
  if (run.error) return run.error.replace(/\s+/g, ' ');
  return run.result === null || run.result === undefined ? '' : JSON.stringify(run.result);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}
