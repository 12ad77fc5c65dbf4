import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { openDatabase, type Db, type Dialect } from '../src/storage/db.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { PermanentError, RetryableError, ValidationError } from '../src/shared/errors.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { Metrics } from '../src/observability/metrics.ts';
import { ApiLogRepo } from '../src/apilog/apilog.repo.ts';
import { RateLimitLedger } from '../src/ratelimit/ledger.ts';
import { TaskQueue } from '../src/tasks/task.queue.ts';
import { TaskRegistry } from '../src/tasks/task.registry.ts';
import { Worker, type SettledTask } from '../src/tasks/task.worker.ts';
import { JobService } from '../src/jobs/jobs.service.ts';
import { Scheduler } from '../src/jobs/scheduler.ts';
import { apiLogCleanup } from '../src/jobs/jobs.maintenance.ts';
import { JOB_DEFINITIONS } from '../src/jobs/jobs.definitions.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** One process's view: its own database handle, queue, registry, job service and (optionally) worker. */
interface Node {
  db: Db;
  queue: TaskQueue;
  registry: TaskRegistry;
  jobs: JobService;
  metrics: Metrics;
}

function harness(dialect: Dialect) {
  let db: TestDb;
  let clock: ManualClock;
  const extraDbs: Db[] = [];
  const workers: Worker[] = [];
  const schedulers: Scheduler[] = [];

  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.stop();
    for (const w of workers.splice(0)) await w.stop({ timeoutMs: 0 });
    for (const d of extraDbs.splice(0)) await d.close();
    await db?.cleanup();
  });

  async function setup(start = '2026-03-01T10:00:30Z'): Promise<Node> {
    db = await createTestDb(dialect);
    clock = new ManualClock(start);
    return node(db);
  }

  function node(handle: Db): Node {
    const registry = new TaskRegistry();
    const queue = new TaskQueue(handle, clock, { registry, random: () => 0.5 });
    const metrics = new Metrics();
    const jobs = new JobService({ db: handle, clock, queue, registry, metrics, logger: silentLogger });
    return { db: handle, queue, registry, jobs, metrics };
  }

  async function secondNode(): Promise<Node> {
    const handle = await openDatabase(db.url, { schema: db.schema });
    extraDbs.push(handle);
    return node(handle);
  }

  function workerFor(n: Node) {
    // Long leases: these tests jump the clock by minutes, which the reaper would otherwise read as a frozen worker.
    const w = new Worker({ queue: n.queue, registry: n.registry, clock, workerId: `worker-${workers.length}`, lanes: { jobs: 2 }, leaseMs: 6 * 3_600_000, heartbeatMs: 3_600_000 });
    workers.push(w);
    const settled: SettledTask[] = [];
    const waiters: { n: number; resolve: () => void }[] = [];
    w.onTaskSettled((s) => {
      settled.push(s);
      for (const x of waiters.filter((x) => settled.length >= x.n)) x.resolve();
    });
    w.start();
    return { worker: w, settled, count: (k: number) => new Promise<void>((r) => (settled.length >= k ? r() : waiters.push({ n: k, resolve: r }))) };
  }

  const runsOf = (name: string) => db.kysely.selectFrom('job_runs').selectAll().where('job_name', '=', name).orderBy('id').execute();

  return {
    setup, secondNode, node, workerFor, runsOf,
    get db() { return db; },
    get clock() { return clock; },
    schedulers,
  };
}

describe.each(dialects)('scheduled jobs on %s', (dialect) => {
  const h = harness(dialect);
  const { setup, node, workerFor, runsOf, schedulers } = h;
  let db: TestDb;
  let clock: ManualClock;
  const setupLocal = async (start?: string) => {
    const n = await setup(start);
    db = h.db;
    clock = h.clock;
    return n;
  };

  it('does not take a run its handler finished for a running one while its task completion is being committed', async () => {
    const n = await setupLocal();
    await n.jobs.tick();
    clock.set(Date.parse('2026-03-01T10:01:00Z'));
    const first = (await n.jobs.tick()).outcomes.find((o) => o.job === 'process-webhook-queue');
    expect(first?.status).toBe('queued');
    // The handler has run and written its run done; the task row still says running (its completion is in flight).
    const task = await n.queue.claim({ lane: 'jobs', kinds: n.registry.kindsOfLane('jobs'), workerId: 'w', leaseMs: 3_600_000 });
    expect(task?.id).toBe(first?.status === 'queued' ? first.taskId : -1);
    await db.kysely.updateTable('job_runs').set({ status: 'done', finished_at: clock.now() }).where('id', '=', first?.status === 'queued' ? first.runId : -1).execute();
    clock.set(Date.parse('2026-03-01T10:02:00Z'));
    const next = (await n.jobs.tick()).outcomes.find((o) => o.job === 'process-webhook-queue');
    expect(next?.status).toBe('queued');
  });

  it('inserts the seed defaults and lists every job with names, intervals, handler state and next run', async () => {
    const n = await setupLocal();
    const list = await n.jobs.list();
    expect(list.map((j) => [j.name, j.displayName, j.intervalMs, j.enabled])).toEqual([
      ['process-webhook-queue', 'Process Webhook Queue', MINUTE, true],
      ['webhook-queue-cleaning', 'Webhook Queue Cleaning', null, true],
      ['generate-product-batches', 'Generate Product Batches', 2 * MINUTE, true],
      ['poll-product-batches', 'Poll Product Batches', 10 * MINUTE, true],
      ['api-log-cleanup', 'API Log Cleanup', DAY, true],
      ['order-polling', 'Order Polling', 5 * MINUTE, true],
      ['shipment-polling', 'Shipment Polling', 10 * MINUTE, true],
      ['product-reconciliation', 'Product Reconciliation', DAY, true],
      ['invoice-sync', 'Invoice Sync', 5 * MINUTE, true],
    ]);
    const byName = Object.fromEntries(list.map((j) => [j.name, j]));
    expect(byName['process-webhook-queue'].nextRunAt).toBe(Date.parse('2026-03-01T10:01:00Z'));
    expect(byName['webhook-queue-cleaning'].nextRunAt).toBeNull();
    expect(byName['api-log-cleanup'].nextRunAt).toBe(Date.parse('2026-03-02T03:00:00Z'));
    expect(byName['product-reconciliation'].nextRunAt).toBe(Date.parse('2026-03-02T02:00:00Z'));
    expect(byName['poll-product-batches'].minIntervalMs).toBe(10 * MINUTE);
    expect(list.every((j) => !j.handlerConfigured && j.lastRun === null && j.activeRun === null)).toBe(true);
    // Edited rows survive a restart (defaults are only inserted when missing).
    await n.jobs.setInterval('order-polling', 7 * MINUTE);
    const again = node(db);
    expect((await again.jobs.get('Order Polling')).intervalMs).toBe(7 * MINUTE);
    expect(JOB_DEFINITIONS).toHaveLength(9);
  });

  it('resolves machine and display names, and refuses unknown ones with the list', async () => {
    const n = await setupLocal();
    expect(n.jobs.resolve('poll-product-batches').displayName).toBe('Poll Product Batches');
    expect(n.jobs.resolve('poll product batches').name).toBe('poll-product-batches');
    expect(() => n.jobs.resolve('polling')).toThrow(/Unknown job "polling". Jobs: process-webhook-queue, webhook-queue-cleaning/);
  });

  it('ticks on interval boundaries as the scheduler loop follows the clock (no sleeping)', async () => {
    const n = await setupLocal();
    const scheduler = new Scheduler({ jobs: n.jobs, clock });
    schedulers.push(scheduler);
    let passes = 0;
    scheduler.onPass(() => passes++);
    scheduler.start();
    await vi.waitFor(() => expect(passes).toBeGreaterThan(0), { timeout: 30_000 });
    expect(await db.kysely.selectFrom('job_runs').selectAll().execute()).toEqual([]);

    clock.set(Date.parse('2026-03-01T10:01:00Z'));
    await vi.waitFor(async () => expect(await runsOf('process-webhook-queue')).toHaveLength(1), { timeout: 30_000 });
    const [first] = await runsOf('process-webhook-queue');
    expect(first).toMatchObject({ tick_at: Date.parse('2026-03-01T10:01:00Z'), trigger: 'schedule', status: 'queued' });
    expect(await runsOf('generate-product-batches')).toHaveLength(0);

    clock.set(Date.parse('2026-03-01T10:02:00Z'));
    await vi.waitFor(async () => expect(await runsOf('generate-product-batches')).toHaveLength(1), { timeout: 30_000 });
    expect((await runsOf('generate-product-batches'))[0].tick_at).toBe(Date.parse('2026-03-01T10:02:00Z'));
    // The webhook job's first run was never executed (no worker): its next tick is recorded as skipped.
    await vi.waitFor(async () => expect(await runsOf('process-webhook-queue')).toHaveLength(2), { timeout: 30_000 });
    expect((await runsOf('process-webhook-queue'))[1]).toMatchObject({ status: 'skipped', error: `Skipped: run #${first.id} is still queued` });
  });

  it('runs daily jobs at their hour (API Log Cleanup at 03:00 UTC) and a missed tick once after downtime', async () => {
    const n = await setupLocal('2026-03-01T02:59:00Z');
    await n.jobs.tick();
    clock.set(Date.parse('2026-03-01T03:00:00Z'));
    const { outcomes } = await n.jobs.tick();
    expect(outcomes.filter((o) => o.job === 'api-log-cleanup')).toEqual([expect.objectContaining({ status: 'queued', tickAt: Date.parse('2026-03-01T03:00:00Z') })]);
    // Down for 3 days: one catch-up tick, at the latest boundary.
    clock.set(Date.parse('2026-03-04T11:00:00Z'));
    const later = await n.jobs.tick();
    const cleanup = later.outcomes.filter((o) => o.job === 'api-log-cleanup');
    expect(cleanup).toHaveLength(1);
    expect(cleanup[0].tickAt).toBe(Date.parse('2026-03-04T03:00:00Z'));
  });

  it('never overlaps runs of a job: a tick during a run is skipped, run-now returns the active run', async () => {
    const n = await setupLocal();
    const g = gate();
    let calls = 0;
    n.jobs.setHandler('process-webhook-queue', async () => {
      calls++;
      await g.promise;
      return { processed: calls };
    });
    workerFor(n);
    await n.jobs.tick();
    clock.set(Date.parse('2026-03-01T10:01:00Z'));
    await n.jobs.tick();
    await vi.waitFor(async () => expect((await runsOf('process-webhook-queue'))[0]?.status).toBe('running'), { timeout: 30_000 });
    clock.set(Date.parse('2026-03-01T10:02:00Z'));
    const { outcomes } = await n.jobs.tick();
    const first = (await runsOf('process-webhook-queue'))[0];
    expect(outcomes.find((o) => o.job === 'process-webhook-queue')).toMatchObject({ status: 'skipped', reason: `Skipped: run #${first.id} is still running` });
    const now = await n.jobs.runNow('process-webhook-queue');
    expect(now).toMatchObject({ alreadyActive: true, run: { id: first.id, status: 'running' } });
    expect((await n.jobs.get('process-webhook-queue')).activeRun?.id).toBe(first.id);
    g.open();
    await vi.waitFor(async () => expect((await n.jobs.run(first.id))?.status).toBe('done'), { timeout: 30_000 });
    expect(calls).toBe(1);
    clock.set(Date.parse('2026-03-01T10:03:00Z'));
    expect((await n.jobs.get('process-webhook-queue')).lastRun).toMatchObject({ id: first.id, status: 'done', result: { processed: 1 } });
    const next = await n.jobs.tick();
    const queued = next.outcomes.find((o) => o.job === 'process-webhook-queue');
    expect(queued?.status).toBe('queued');
    await vi.waitFor(async () => expect((await n.jobs.get('process-webhook-queue')).lastRun).toMatchObject({ status: 'done', tickAt: Date.parse('2026-03-01T10:03:00Z'), result: { processed: 2 } }), { timeout: 30_000 });
    expect((await n.jobs.get('process-webhook-queue')).activeRun).toBeNull();
  });

  it('refuses a Poll Product Batches interval shorter than its rate-limit window, with the reason', async () => {
    const n = await setupLocal();
    await expect(n.jobs.setInterval('poll-product-batches', 5 * MINUTE)).rejects.toThrow(ValidationError);
    await expect(n.jobs.setInterval('Poll Product Batches', 5 * MINUTE)).rejects.toThrow(
      'Poll Product Batches cannot run every 5m: its rate-limit window is 10m (Poleepo allows 5 requests per window on the batch results endpoint), and polling more often would only hit the limit. Choose 10m or more.',
    );
    expect((await n.jobs.setInterval('poll-product-batches', 20 * MINUTE)).intervalMs).toBe(20 * MINUTE);
    await n.jobs.settings.set('products.batch_poll_window_ms', 30 * MINUTE);
    await expect(n.jobs.setInterval('poll-product-batches', 20 * MINUTE)).rejects.toThrow(/window is 30m/);
    // A module can supply the floor (per connection, later).
    n.jobs.setMinInterval('poll-product-batches', { minIntervalMs: async () => MINUTE, explain: () => 'sandbox window' });
    expect((await n.jobs.setInterval('poll-product-batches', 2 * MINUTE)).intervalMs).toBe(2 * MINUTE);
    // Every job has a general floor; manual-only is allowed.
    await expect(n.jobs.setInterval('generate-product-batches', 5_000)).rejects.toThrow('must be at least 10s');
    expect((await n.jobs.setInterval('generate-product-batches', null)).nextRunAt).toBeNull();
  });

  it('re-aligns on set-interval and enable: the next run is at the next boundary, no catch-up; disabled jobs do not tick', async () => {
    const n = await setupLocal();
    await n.jobs.tick();
    await n.jobs.disable('process-webhook-queue');
    expect((await n.jobs.get('process-webhook-queue')).nextRunAt).toBeNull();
    clock.set(Date.parse('2026-03-01T10:05:30Z'));
    expect((await n.jobs.tick()).outcomes.filter((o) => o.job === 'process-webhook-queue')).toEqual([]);
    const enabled = await n.jobs.enable('process-webhook-queue');
    expect(enabled.nextRunAt).toBe(Date.parse('2026-03-01T10:06:00Z'));
    expect((await n.jobs.tick()).outcomes.filter((o) => o.job === 'process-webhook-queue')).toEqual([]);
    clock.set(Date.parse('2026-03-01T10:06:00Z'));
    expect((await n.jobs.tick()).outcomes.filter((o) => o.job === 'process-webhook-queue')).toHaveLength(1);

    const changed = await n.jobs.setInterval('generate-product-batches', 15 * MINUTE);
    expect(changed.nextRunAt).toBe(Date.parse('2026-03-01T10:15:00Z'));
    clock.set(Date.parse('2026-03-01T10:14:59Z'));
    expect((await n.jobs.tick()).outcomes.filter((o) => o.job === 'generate-product-batches')).toEqual([]);
    clock.set(Date.parse('2026-03-01T10:15:00Z'));
    expect((await n.jobs.tick()).outcomes.filter((o) => o.job === 'generate-product-batches')).toHaveLength(1);
  });

  it('records runs of jobs without a handler yet as not_configured, honestly, without failing the task', async () => {
    const n = await setupLocal();
    const runner = workerFor(n);
    const { run, alreadyActive } = await n.jobs.runNow('Order Polling');
    expect(alreadyActive).toBe(false);
    expect(run).toMatchObject({ trigger: 'manual', jobName: 'order-polling' });
    await runner.count(1);
    const done = await n.jobs.run(run.id);
    expect(done).toMatchObject({ status: 'not_configured', taskStatus: 'done', error: 'Order Polling has nothing to run yet: its handler arrives with the order import.' });
    expect(await n.metrics.render()).toContain('poleepo_odoo_job_runs_total{job="order-polling",outcome="not_configured"} 1');
    // A handler that finds nothing configured (no connection yet) says so the same way.
    n.jobs.setHandler('shipment-polling', async () => {
      throw new (await import('../src/shared/errors.ts')).NotConfiguredError('No connection is configured yet');
    });
    const second = await n.jobs.runNow('shipment-polling');
    await runner.count(2);
    expect(await n.jobs.run(second.run.id)).toMatchObject({ status: 'not_configured', error: 'No connection is configured yet' });
  });

  it('retries a failing run with backoff, then marks it failed when its task is dead-lettered; later ticks are not blocked', async () => {
    const n = await setupLocal();
    n.jobs.setHandler('generate-product-batches', async () => {
      throw new RetryableError('Odoo unreachable');
    });
    n.jobs.setHandler('order-polling', async () => {
      throw new PermanentError('Poleepo key lacks order permissions');
    });
    const runner = workerFor(n);
    const { run } = await n.jobs.runNow('generate-product-batches');
    await runner.count(1);
    expect(await n.jobs.run(run.id)).toMatchObject({ status: 'queued', error: 'RetryableError: Odoo unreachable', attempts: 1 });
    clock.advance(10_000);
    await runner.count(2);
    clock.advance(20_000);
    await runner.count(3);
    expect(await n.jobs.run(run.id)).toMatchObject({ status: 'failed', taskStatus: 'dead', attempts: 3, error: 'RetryableError: Odoo unreachable (gave up after 3 attempts)' });
    expect(await n.metrics.render()).toContain('poleepo_odoo_job_failures_total{job="generate-product-batches"} 1');

    const permanent = await n.jobs.runNow('order-polling');
    await runner.count(4);
    expect(await n.jobs.run(permanent.run.id)).toMatchObject({ status: 'failed', attempts: 1, error: 'PermanentError: Poleepo key lacks order permissions' });

    // A dead run does not block the next one.
    const again = await n.jobs.runNow('generate-product-batches');
    expect(again.alreadyActive).toBe(false);
    // A dead run retried by hand runs again and its run row follows.
    n.jobs.setHandler('order-polling', async () => ({ imported: 2 }));
    await n.queue.retry(permanent.run.taskId!);
    await runner.count(6);
    expect(await n.jobs.run(permanent.run.id)).toMatchObject({ status: 'done', result: { imported: 2 } });
  });

  it('API Log Cleanup deletes old API log entries, ledger entries, finished tasks and job runs past their retention', async () => {
    const n = await setupLocal();
    const apiLogRepo = new ApiLogRepo(db);
    const ledger = new RateLimitLedger(db, clock);
    n.jobs.setHandler('api-log-cleanup', apiLogCleanup({ clock, apiLogRepo, ledger, queue: n.queue, jobs: n.jobs }));
    const now = clock.now();
    const entry = (ageDays: number, path: string) => ({ connection_id: null, system: 'poleepo' as const, direction: 'outbound' as const, method: 'GET', path, status: 200, duration_ms: 5, error: null, request_body: null, response_body: null, created_at: now - ageDays * DAY });
    await apiLogRepo.insertMany([entry(45, '/old'), entry(31, '/older-than-30'), entry(29, '/recent'), entry(0, '/today')]);
    await db.kysely.insertInto('rate_limit_ledger').values([
      { account_key: 'a', endpoint: 'batches', at: now - 2 * DAY },
      { account_key: 'a', endpoint: 'batches', at: now - 60_000 },
    ]).execute();
    const task = (status: 'done' | 'dead', ageDays: number) => ({
      connection_id: null, kind: 'x.y', lane: 'products', payload: '{}', status, priority: 0, run_at: now, attempts: 1, max_attempts: 1,
      dedupe_key: null, serial_key: null, locked_by: null, locked_until: null, last_error: null, result: null,
      created_at: now - ageDays * DAY, updated_at: now, finished_at: now - ageDays * DAY,
    });
    await db.kysely.insertInto('tasks').values([task('done', 8), task('done', 6), task('dead', 31), task('dead', 8)]).execute();
    await db.kysely.insertInto('job_runs').values([
      { job_name: 'order-polling', tick_at: now - 40 * DAY, trigger: 'schedule', status: 'done', task_id: null, started_at: null, finished_at: null, result: null, error: null, created_at: now - 40 * DAY },
      { job_name: 'order-polling', tick_at: now - 2 * DAY, trigger: 'schedule', status: 'done', task_id: null, started_at: null, finished_at: null, result: null, error: null, created_at: now - 2 * DAY },
    ]).execute();

    const runner = workerFor(n);
    const { run } = await n.jobs.runNow('api-log-cleanup');
    await runner.count(1);
    expect(await n.jobs.run(run.id)).toMatchObject({
      status: 'done',
      result: { apiLogDeleted: 2, ledgerPruned: 1, doneTasksDeleted: 1, deadTasksDeleted: 1, jobRunsDeleted: 1 },
    });
    expect((await apiLogRepo.list()).map((r) => r.path).sort()).toEqual(['/recent', '/today']);
    expect(await ledger.used('a', 'batches', DAY)).toBe(1);
    const left = await db.kysely.selectFrom('tasks').select(['status', 'kind']).where('kind', '=', 'x.y').execute();
    expect(left.map((t) => t.status).sort()).toEqual(['dead', 'done']);

    // Retention is a setting.
    await n.jobs.settings.set('jobs.api_log_retention_days', 1);
    const second = await n.jobs.runNow('api-log-cleanup');
    await runner.count(2);
    expect((await n.jobs.run(second.run.id))?.result).toMatchObject({ apiLogDeleted: 1 });
  });
});

// Several scheduler processes exist only on PostgreSQL (on SQLite the connector is one process by design).
describe('scheduled jobs across processes on postgres', () => {
  const h = harness('postgres');
  const { setup, secondNode, workerFor, runsOf, schedulers } = h;
  let clock: ManualClock;
  const setupLocal = async () => {
    const n = await setup();
    clock = h.clock;
    return n;
  };

  it('enqueues each tick once cluster-wide with two schedulers (separate pools) racing', async () => {
    const a = await setupLocal();
    const b = await secondNode();
    a.jobs.setHandler('process-webhook-queue', async () => ({ processed: 0 }));
    workerFor(a);
    await Promise.all([a.jobs.tick(), b.jobs.tick()]);
    for (let minute = 1; minute <= 6; minute++) {
      clock.set(Date.parse('2026-03-01T10:00:00Z') + minute * MINUTE);
      const [ra, rb] = await Promise.all([a.jobs.tick(), b.jobs.tick()]);
      const mine = [...ra.outcomes, ...rb.outcomes].filter((o) => o.job === 'process-webhook-queue');
      expect(mine.filter((o) => o.status === 'queued'), JSON.stringify(mine)).toHaveLength(1);
      // Another process's enqueue is seen at the worker's next poll; wake it rather than move the clock.
      a.queue.wake('jobs');
      await vi.waitFor(async () => expect((await runsOf('process-webhook-queue')).map((r) => r.status)).toEqual(Array(minute).fill('done')), { timeout: 30_000 });
    }
    const runs = await runsOf('process-webhook-queue');
    expect(runs).toHaveLength(6);
    expect(new Set(runs.map((r) => r.tick_at)).size).toBe(6);
    expect(runs.every((r) => r.trigger === 'schedule' && r.status === 'done')).toBe(true);
    const tasks = await a.queue.list({ kind: 'job.run' }, { limit: 100 });
    expect(tasks.rows.filter((t) => JSON.parse(t.payload).job === 'process-webhook-queue')).toHaveLength(6);
  });

  it('enqueues each tick once with two running scheduler loops on one clock', async () => {
    const a = await setupLocal();
    const b = await secondNode();
    const sa = new Scheduler({ jobs: a.jobs, clock });
    const sb = new Scheduler({ jobs: b.jobs, clock });
    schedulers.push(sa, sb);
    let passesA = 0;
    let passesB = 0;
    sa.onPass(() => passesA++);
    sb.onPass(() => passesB++);
    sa.start();
    sb.start();
    await vi.waitFor(() => expect(passesA > 0 && passesB > 0).toBe(true), { timeout: 30_000 });
    for (let minute = 1; minute <= 4; minute++) {
      const [pa, pb] = [passesA, passesB];
      clock.set(Date.parse('2026-03-01T10:00:00Z') + minute * MINUTE);
      // Both loops wake at the boundary and race for the tick.
      await vi.waitFor(() => expect(passesA > pa && passesB > pb).toBe(true), { timeout: 30_000 });
      await vi.waitFor(async () => expect(await runsOf('process-webhook-queue')).toHaveLength(minute), { timeout: 30_000 });
    }
    const runs = await runsOf('process-webhook-queue');
    expect(runs).toHaveLength(4);
    expect(runs.filter((r) => r.status === 'queued')).toHaveLength(1);
    expect(runs.filter((r) => r.status === 'skipped')).toHaveLength(3);
    expect((await a.queue.list({ kind: 'job.run' }, { limit: 100 })).total).toBe(
      // one run per job with an interval that had a tick in these four minutes: webhook queue (1), product batches (1), order polling (0 before 10:05)
      2,
    );
  });

});
