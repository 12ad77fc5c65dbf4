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
 * is useful when no worker is running, e.g. on a maintenance window — and then the work the run queued (a job such
 * as Generate Product Batches queues one task per connection), and the work that work queued, the same way; what
 * cannot run here (not due yet, held by a running worker) is named as left queued, never reported as done.
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
      const before = await newestTaskId(ctx);
      const settled = await worker.runOne(run.taskId);
      if (!settled) throw new AppError('job_busy', `Run #${run.id} was taken by a running worker (or is not due yet); follow it with "poleepo-odoo jobs list".`);
      const after = (await ctx.jobs.run(run.id))!;
      report(runtime, def.displayName, after, settled.outcome);
      if (after.status === 'done') await runQueuedWork(runtime, ctx, worker, Math.max(before, run.taskId));
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

async function newestTaskId(ctx: AppContext): Promise<number> {
  return (await ctx.tasks.list({}, { limit: 1 })).rows[0]?.id ?? 0;
}

/** At most this many rounds of "work queued by work" run inline; deeper chains are left to a worker, and said so. */
const INLINE_ROUNDS = 5;

/**
 * The tasks queued since `after` (by the run, then by those tasks in turn) run here one by one, with the same worker
 * rules. Prints what became of them; a failure exits non-zero; what could not run here is named as left queued.
 */
async function runQueuedWork(runtime: CliRuntime, ctx: AppContext, worker: Worker, after: number): Promise<void> {
  const outcomes: { id: number; kind: string; outcome: string; error: string | null }[] = [];
  let floor = after;
  for (let round = 0; round < INLINE_ROUNDS; round++) {
    const queued = (await ctx.tasks.list({ status: 'pending' }, { limit: 1000 })).rows.filter((t) => t.id > floor).sort((a, b) => a.id - b.id);
    if (queued.length === 0) break;
    floor = await newestTaskId(ctx);
    for (const task of queued) {
      const settled = await worker.runOne(task.id);
      outcomes.push({ id: task.id, kind: task.kind, outcome: settled ? settled.outcome : 'left queued', error: settled?.error ?? null });
    }
  }
  const leftover = (await ctx.tasks.list({ status: 'pending' }, { limit: 1000 })).rows.filter((t) => t.id > after && !outcomes.some((o) => o.id === t.id));
  for (const t of leftover) outcomes.push({ id: t.id, kind: t.kind, outcome: 'left queued', error: null });
  if (outcomes.length === 0) return;
  runtime.out(`The run queued ${outcomes.length} task(s); run here:`);
  runtime.table(outcomes.map((o) => ({ task: o.id, kind: o.kind, outcome: o.outcome, error: o.error ?? '' })));
  const left = outcomes.filter((o) => o.outcome !== 'done');
  const failed = left.filter((o) => o.outcome === 'dead' || o.outcome === 'retry' || o.outcome === 'lost');
  const waiting = left.filter((o) => !failed.includes(o));
  if (waiting.length) runtime.out(`${waiting.length} task(s) are still queued (not due yet, rate-limited or held by a running worker): a worker (poleepo-odoo start or work) runs them; follow them with "poleepo-odoo tasks list".`);
  if (failed.length) throw new AppError('job_failed', `${failed.length} task(s) queued by the run failed here (see above; "poleepo-odoo tasks show ID" for each)`);
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
