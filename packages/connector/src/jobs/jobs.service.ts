/**
 * JobService: the scheduled jobs (jobs.definitions.ts) — their schedules, runs, and the task kind that runs them.
 * The CLI, the console and the Scheduler all go through it.
 *
 *   const jobs = new JobService({ db, clock, queue: tasks, registry: taskRegistry, logger, metrics });  // AppContext.jobs
 *   jobs.setHandler('poll-product-batches', async (ctx) => ({ polled: 3 }));   // modules plug their handlers in
 *   jobs.setMinInterval('poll-product-batches', { minIntervalMs: async () => …, explain: (ms) => '…' });
 *   await jobs.runNow('Poll Product Batches');
 *
 * How a run happens: a tick (Scheduler) or "run now" inserts a `job_runs` row and enqueues a `job.run` task in lane
 * `jobs`, in one transaction; a worker runs it like any task (visible, retried with backoff, dead-lettered), and the
 * run row mirrors the task: queued → running → done | failed | not_configured.
 * - Once per tick cluster-wide: `job_runs` is unique on (job_name, tick_at) and ticks are aligned to interval
 *   boundaries, so every scheduler computes the same tick and only one insert wins; the losers do nothing.
 * - No overlap: while a run's task is pending or running, a new tick is recorded as a `skipped` run (with the run it
 *   waited for) and nothing is enqueued; "run now" answers with the active run instead of queueing another. As a
 *   backstop, the task's dedupe key (one pending run per job) and serial key (one running run per job) hold even if
 *   two processes raced past the check.
 * - A job whose handler has not arrived yet completes its run as `not_configured` with an honest message; so does a
 *   handler that throws NotConfiguredError (e.g. no connection configured yet). Neither is a failure.
 * - Enabling a job or changing its interval re-aligns it: the next run is at the next boundary, no catch-up run.
 *   After downtime, a scheduler runs a missed tick once (not once per missed tick).
 */
import { z } from 'zod';
import type { Db } from '../storage/db.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { silentLogger } from '../shared/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { NotConfiguredError, PermanentError, ValidationError } from '../shared/errors.ts';
import type { TaskQueue } from '../tasks/task.queue.ts';
import type { TaskContext, TaskKind, TaskRegistry } from '../tasks/task.registry.ts';
import type { TaskRow } from '../tasks/task.types.ts';
import type { JobRunStatus } from '../storage/schema.ts';
import { alignTick, findJobDefinition, JOB_DEFINITIONS, type JobDefinition } from './jobs.definitions.ts';
import { JobsRepo, type JobRunWithTask } from './jobs.repo.ts';
import { JobSettings } from './jobs.settings.ts';
import { formatDuration } from './jobs.format.ts';

export const JOB_RUN_KIND = 'job.run';
export const JOBS_LANE = 'jobs';
/** No job may tick more often than this (a guard against typos such as "5s" for "5m"). */
export const MIN_JOB_INTERVAL_MS = 10_000;

export interface JobContext {
  job: JobDefinition;
  runId: number;
  trigger: 'schedule' | 'manual';
  /** The tick this run belongs to (the scheduled boundary, or the moment "run now" was asked). */
  tickAt: number;
  attempt: number;
  signal: AbortSignal;
  logger: Logger;
  heartbeat(): Promise<void>;
  /** See TaskContext.yield: call between chunks of CPU work. */
  yield(): Promise<void>;
}

/** A job's work; its return value (a small summary) is stored as the run's result. Throw typed errors. */
export type JobHandler = (ctx: JobContext) => Promise<unknown>;

export interface MinInterval {
  minIntervalMs(): Promise<number>;
  /** Why, for the refusal message (given the floor). */
  explain(floorMs: number): string;
}

export type RunView = {
  id: number;
  jobName: string;
  trigger: 'schedule' | 'manual';
  /** The run's status, corrected from its task when the task died without the run hearing of it. */
  status: JobRunStatus;
  tickAt: number;
  taskId: number | null;
  taskStatus: string | null;
  attempts: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  result: unknown;
  error: string | null;
  createdAt: number;
};

export interface JobView {
  name: string;
  displayName: string;
  description: string;
  enabled: boolean;
  /** null = manual only. */
  intervalMs: number | null;
  minIntervalMs: number;
  /** False while the module that brings the handler has not arrived (runs end as not_configured). */
  handlerConfigured: boolean;
  /** The latest finished run (done, failed or not_configured), with its result or error. */
  lastRun: RunView | null;
  /** The run that is queued or running now, if any. */
  activeRun: RunView | null;
  /** When the scheduler will next enqueue it (null: disabled or manual only). */
  nextRunAt: number | null;
}

export type TickOutcome =
  | { job: string; tickAt: number; status: 'queued'; runId: number; taskId: number }
  | { job: string; tickAt: number; status: 'skipped'; runId: number; reason: string }
  | { job: string; tickAt: number; status: 'claimed_elsewhere' };

export interface RunNowResult {
  run: RunView;
  /** True when a run was already queued or running: nothing new was queued, `run` is that one. */
  alreadyActive: boolean;
}

export interface JobServiceOptions {
  db: Db;
  clock: Clock;
  queue: TaskQueue;
  registry: TaskRegistry;
  logger?: Logger;
  metrics?: Metrics;
  /** How many times a failing run is tried before it is dead-lettered (default 3). */
  maxAttempts?: number;
}

const jobRunPayload = z.object({ job: z.string(), runId: z.number().int() });

export class JobService {
  readonly settings: JobSettings;
  readonly repo: JobsRepo;
  private readonly clock: Clock;
  private readonly queue: TaskQueue;
  private readonly logger: Logger;
  private readonly metrics?: Metrics;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly minIntervals = new Map<string, MinInterval>();
  private readonly runKind: TaskKind<z.infer<typeof jobRunPayload>>;
  private ensured = false;

  constructor(options: JobServiceOptions) {
    this.clock = options.clock;
    this.queue = options.queue;
    this.logger = (options.logger ?? silentLogger).child({ component: 'jobs' });
    this.metrics = options.metrics;
    this.repo = new JobsRepo(options.db);
    this.settings = new JobSettings(options.db, options.clock);
    this.runKind = options.registry.define({
      kind: JOB_RUN_KIND,
      lane: JOBS_LANE,
      payload: jobRunPayload,
      maxAttempts: options.maxAttempts ?? 3,
      handler: (payload, ctx) => this.execute(payload, ctx),
      onDead: (task, reason) => this.onRunDead(task, reason),
    });
    this.minIntervals.set('poll-product-batches', {
      minIntervalMs: () => this.settings.get('products.batch_poll_window_ms'),
      explain: (floor) => `its rate-limit window is ${formatDuration(floor)} (Poleepo allows 5 requests per window on the batch results endpoint), and polling more often would only hit the limit`,
    });
  }

  // ---------------------------------------------------------------- plug-in points for modules

  setHandler(name: string, handler: JobHandler): void {
    this.definition(name);
    this.handlers.set(name, handler);
  }

  setMinInterval(name: string, rule: MinInterval): void {
    this.definition(name);
    this.minIntervals.set(name, rule);
  }

  // ---------------------------------------------------------------- reading

  definitions(): readonly JobDefinition[] {
    return JOB_DEFINITIONS;
  }

  /** Resolves a machine or display name, or throws ValidationError listing the names. */
  resolve(nameOrDisplayName: string): JobDefinition {
    const def = findJobDefinition(nameOrDisplayName);
    if (!def) throw new ValidationError(`Unknown job "${nameOrDisplayName}". Jobs: ${JOB_DEFINITIONS.map((j) => j.name).join(', ')}`);
    return def;
  }

  async list(): Promise<JobView[]> {
    await this.ensureSchedules();
    const [schedules, latest] = await Promise.all([this.repo.schedules(), this.repo.latestRuns()]);
    const byName = new Map(schedules.map((s) => [s.name, s]));
    const views: JobView[] = [];
    for (const def of JOB_DEFINITIONS) {
      const s = byName.get(def.name)!;
      const last = latest.get(def.name);
      const active = await this.repo.activeRun(def.name);
      views.push({
        name: def.name,
        displayName: def.displayName,
        description: def.description,
        enabled: s.enabled === 1,
        intervalMs: s.interval_ms,
        minIntervalMs: await this.minIntervalOf(def.name),
        handlerConfigured: this.handlers.has(def.name),
        lastRun: last ? toRunView(last) : null,
        activeRun: active ? toRunView(active) : null,
        nextRunAt: this.nextRunAt(def, s.enabled === 1, s.interval_ms, s.last_tick_at, this.clock.now()),
      });
    }
    return views;
  }

  async get(nameOrDisplayName: string): Promise<JobView> {
    const def = this.resolve(nameOrDisplayName);
    return (await this.list()).find((v) => v.name === def.name)!;
  }

  async runs(nameOrDisplayName: string, options: { limit?: number; includeSkipped?: boolean } = {}): Promise<RunView[]> {
    const def = this.resolve(nameOrDisplayName);
    return (await this.repo.runs(def.name, options)).map(toRunView);
  }

  async run(id: number): Promise<RunView | undefined> {
    const row = await this.repo.run(id);
    return row ? toRunView(row) : undefined;
  }

  // ---------------------------------------------------------------- changing schedules

  /** Enables a job; its next run is at the next interval boundary (no catch-up run for the time it was off). */
  async enable(nameOrDisplayName: string): Promise<JobView> {
    const def = this.resolve(nameOrDisplayName);
    await this.ensureSchedules();
    const s = (await this.repo.schedule(def.name))!;
    const now = this.clock.now();
    await this.repo.updateSchedule(def.name, { enabled: 1, last_tick_at: s.interval_ms ? alignTick(now, s.interval_ms, def.offsetMs) : s.last_tick_at }, now);
    return this.get(def.name);
  }

  async disable(nameOrDisplayName: string): Promise<JobView> {
    const def = this.resolve(nameOrDisplayName);
    await this.ensureSchedules();
    await this.repo.updateSchedule(def.name, { enabled: 0 }, this.clock.now());
    return this.get(def.name);
  }

  /**
   * Changes how often a job runs (null = manual only). Refused below MIN_JOB_INTERVAL_MS, and below the job's own
   * floor (Poll Product Batches: the rate-limit window), with the reason.
   */
  async setInterval(nameOrDisplayName: string, intervalMs: number | null): Promise<JobView> {
    const def = this.resolve(nameOrDisplayName);
    await this.ensureSchedules();
    if (intervalMs !== null) {
      if (!Number.isInteger(intervalMs) || intervalMs < MIN_JOB_INTERVAL_MS) {
        throw new ValidationError(`The interval of ${def.displayName} must be at least ${formatDuration(MIN_JOB_INTERVAL_MS)} (got ${formatDuration(intervalMs)})`);
      }
      const rule = this.minIntervals.get(def.name);
      if (rule) {
        const floor = await rule.minIntervalMs();
        if (intervalMs < floor) {
          throw new ValidationError(`${def.displayName} cannot run every ${formatDuration(intervalMs)}: ${rule.explain(floor)}. Choose ${formatDuration(floor)} or more.`);
        }
      }
    }
    const now = this.clock.now();
    await this.repo.updateSchedule(def.name, { interval_ms: intervalMs, last_tick_at: intervalMs ? alignTick(now, intervalMs, def.offsetMs) : null }, now);
    return this.get(def.name);
  }

  // ---------------------------------------------------------------- running

  /** Queues a run now (enabled or not, scheduled or manual-only), unless one is already queued or running. */
  async runNow(nameOrDisplayName: string): Promise<RunNowResult> {
    const def = this.resolve(nameOrDisplayName);
    await this.ensureSchedules();
    const now = this.clock.now();
    for (let tickAt = now; tickAt < now + 10; tickAt++) {
      const outcome = await this.claim(def, tickAt, 'manual');
      if (outcome.status === 'active') return { run: toRunView(outcome.run), alreadyActive: true };
      if (outcome.status === 'queued') return { run: (await this.run(outcome.runId))!, alreadyActive: false };
      if (outcome.status === 'skipped') return { run: (await this.run(outcome.runId))!, alreadyActive: true };
      // The same millisecond already has a run of this job (a scheduled tick): take the next one.
    }
    throw new Error(`Could not queue a run of ${def.displayName}`);
  }

  /**
   * One scheduler pass: for every enabled job with an interval whose current tick has not been handled, claims the
   * tick (once cluster-wide) and queues a run or records a skip. Returns what happened and when the next tick is due.
   */
  async tick(): Promise<{ outcomes: TickOutcome[]; nextDueAt: number | null }> {
    await this.ensureSchedules();
    const now = this.clock.now();
    const schedules = new Map((await this.repo.schedules()).map((s) => [s.name, s]));
    const outcomes: TickOutcome[] = [];
    let nextDueAt: number | null = null;
    for (const def of JOB_DEFINITIONS) {
      const s = schedules.get(def.name);
      if (!s || s.enabled !== 1 || s.interval_ms === null) continue;
      const tickAt = alignTick(now, s.interval_ms, def.offsetMs);
      const next = tickAt + s.interval_ms;
      nextDueAt = nextDueAt === null ? next : Math.min(nextDueAt, next);
      if (s.last_tick_at !== null && s.last_tick_at >= tickAt) continue;
      if (s.last_tick_at === null) {
        // First sight of this schedule: start counting from here; the first run is at the next boundary.
        await this.repo.advanceLastTick(def.name, tickAt, now);
        continue;
      }
      const outcome = await this.claim(def, tickAt, 'schedule');
      if (outcome.status === 'queued') outcomes.push({ job: def.name, tickAt, status: 'queued', runId: outcome.runId, taskId: outcome.taskId });
      else if (outcome.status === 'skipped') outcomes.push({ job: def.name, tickAt, status: 'skipped', runId: outcome.runId, reason: outcome.reason });
      else outcomes.push({ job: def.name, tickAt, status: 'claimed_elsewhere' });
      if (outcome.status === 'skipped') this.metrics?.jobRuns.inc({ job: def.name, outcome: 'skipped' });
      await this.repo.advanceLastTick(def.name, tickAt, now);
    }
    for (const o of outcomes) {
      if (o.status === 'queued') this.logger.info({ job: o.job, runId: o.runId, taskId: o.taskId }, 'job run queued');
      else if (o.status === 'skipped') this.logger.info({ job: o.job, runId: o.runId }, o.reason);
    }
    return { outcomes, nextDueAt };
  }

  /** Inserts the default schedules once per process (cheap, idempotent, safe under concurrency). */
  async ensureSchedules(): Promise<void> {
    if (this.ensured) return;
    await this.repo.ensureSchedules(JOB_DEFINITIONS, this.clock.now());
    this.ensured = true;
  }

  private async claim(def: JobDefinition, tickAt: number, trigger: 'schedule' | 'manual'): Promise<
    | { status: 'queued'; runId: number; taskId: number }
    | { status: 'skipped'; runId: number; reason: string }
    | { status: 'active'; run: JobRunWithTask }
    | { status: 'taken' }
  > {
    const now = this.clock.now();
    return this.queue.transaction(async (tx) => {
      const active = await this.repo.activeRun(def.name, tx.db);
      if (active) {
        if (trigger === 'manual') return { status: 'active' as const, run: active };
        const reason = `Skipped: run #${active.id} is still ${active.task_status === 'running' ? 'running' : 'queued'}`;
        const runId = await this.repo.insertRun(tx.db, { job_name: def.name, tick_at: tickAt, trigger, status: 'skipped', task_id: null, started_at: null, finished_at: now, result: null, error: reason, created_at: now });
        return runId === null ? { status: 'taken' as const } : { status: 'skipped' as const, runId, reason };
      }
      const runId = await this.repo.insertRun(tx.db, { job_name: def.name, tick_at: tickAt, trigger, status: 'queued', task_id: null, started_at: null, finished_at: null, result: null, error: null, created_at: now });
      if (runId === null) return { status: 'taken' as const };
      const task = await tx.enqueue(this.runKind, { job: def.name, runId }, { dedupeKey: `job:${def.name}`, serialKey: `job:${def.name}` });
      if (task.deduped) {
        // Another process queued a run between our check and our insert: this tick rides on that run.
        const reason = `Skipped: coalesced into the pending task #${task.id}`;
        await this.repo.updateRun(runId, { status: 'skipped', task_id: task.id, finished_at: now, error: reason }, tx.db);
        return { status: 'skipped' as const, runId, reason };
      }
      await this.repo.updateRun(runId, { task_id: task.id }, tx.db);
      return { status: 'queued' as const, runId, taskId: task.id };
    });
  }

  /** The `job.run` task handler. */
  private async execute(payload: { job: string; runId: number }, ctx: TaskContext): Promise<unknown> {
    const def = findJobDefinition(payload.job);
    if (!def) throw new PermanentError(`Unknown job "${payload.job}" (removed from this version?)`);
    const run = await this.repo.run(payload.runId);
    if (!run) throw new PermanentError(`Job run #${payload.runId} of ${def.displayName} no longer exists`);
    const startedAt = this.clock.now();
    await this.repo.updateRun(payload.runId, { status: 'running', started_at: startedAt, task_id: ctx.task.id });
    const handler = this.handlers.get(def.name);
    try {
      if (!handler) throw new NotConfiguredError(`${def.displayName} has nothing to run yet: its handler arrives with ${def.arrivesWith ?? 'a later module'}.`);
      const result = await handler({
        job: def, runId: payload.runId, trigger: run.trigger, tickAt: run.tick_at, attempt: ctx.task.attempt,
        signal: ctx.signal, logger: ctx.logger.child({ job: def.name, runId: payload.runId }), heartbeat: ctx.heartbeat, yield: ctx.yield,
      });
      await this.repo.updateRun(payload.runId, { status: 'done', finished_at: this.clock.now(), result: JSON.stringify(result ?? null), error: null });
      this.metrics?.jobRuns.inc({ job: def.name, outcome: 'done' });
      return result ?? null;
    } catch (error) {
      if (error instanceof NotConfiguredError) {
        // Not a failure: nothing to do until its capability or configuration exists. The task completes.
        await this.repo.updateRun(payload.runId, { status: 'not_configured', finished_at: this.clock.now(), error: error.message });
        this.metrics?.jobRuns.inc({ job: def.name, outcome: 'not_configured' });
        return { status: 'not_configured', message: error.message };
      }
      // Back to queued with the error: the worker decides (retry later, or dead → onRunDead marks it failed).
      await this.repo.updateRun(payload.runId, { status: 'queued', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      throw error;
    }
  }

  private async onRunDead(task: TaskRow, reason: string): Promise<void> {
    const parsed = jobRunPayload.safeParse(safeJson(task.payload));
    if (!parsed.success) return;
    await this.repo.updateRun(parsed.data.runId, { status: 'failed', finished_at: this.clock.now(), error: reason });
    this.metrics?.jobRuns.inc({ job: parsed.data.job, outcome: 'failed' });
    this.metrics?.jobFailures.inc({ job: parsed.data.job });
  }

  private definition(name: string): JobDefinition {
    const def = JOB_DEFINITIONS.find((d) => d.name === name);
    if (!def) throw new Error(`Unknown job "${name}"`);
    return def;
  }

  private async minIntervalOf(name: string): Promise<number> {
    const rule = this.minIntervals.get(name);
    return Math.max(MIN_JOB_INTERVAL_MS, rule ? await rule.minIntervalMs() : 0);
  }

  private nextRunAt(def: JobDefinition, enabled: boolean, intervalMs: number | null, lastTickAt: number | null, now: number): number | null {
    if (!enabled || intervalMs === null) return null;
    const current = alignTick(now, intervalMs, def.offsetMs);
    // A tick not yet handled (the scheduler is about to) is due now; otherwise the next boundary.
    return lastTickAt !== null && lastTickAt < current ? current : current + intervalMs;
  }
}

function toRunView(r: JobRunWithTask): RunView {
  // A run whose task died without the run hearing of it (e.g. its worker crashed on the last attempt) failed.
  const orphaned = (r.status === 'queued' || r.status === 'running') && r.task_status === 'dead';
  return {
    id: r.id,
    jobName: r.job_name,
    trigger: r.trigger,
    status: orphaned ? 'failed' : r.status,
    tickAt: r.tick_at,
    taskId: r.task_id,
    taskStatus: r.task_status,
    attempts: r.task_attempts,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    result: r.result === null ? null : safeJson(r.result),
    error: orphaned ? r.task_error ?? r.error : r.error,
    createdAt: r.created_at,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
