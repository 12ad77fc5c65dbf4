import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { openDatabase, type Db } from '../src/storage/db.ts';
import { ManualClock, systemClock, type Clock } from '../src/shared/clock.ts';
import { NotConfiguredError, PermanentError, RateLimitedError, RetryableError } from '../src/shared/errors.ts';
import { Metrics } from '../src/observability/metrics.ts';
import { TaskQueue } from '../src/tasks/task.queue.ts';
import { TaskRegistry, type TaskContext } from '../src/tasks/task.registry.ts';
import { Worker, type SettledTask } from '../src/tasks/task.worker.ts';
import { taskGaugeCollector } from '../src/tasks/task.metrics.ts';
import type { TaskRow } from '../src/tasks/task.types.ts';

/** A promise with its resolve exposed: handlers wait on it, the test opens it. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Collects a worker's settled executions and lets a test await the n-th one. */
function watch(worker: Worker) {
  const settled: SettledTask[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  worker.onTaskSettled((s) => {
    settled.push(s);
    for (const w of waiters.filter((w) => settled.length >= w.n)) w.resolve();
  });
  return {
    settled,
    count: (n: number) => new Promise<void>((resolve) => (settled.length >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

describe.each(dialects)('task worker on %s', (dialect) => {
  let db: TestDb;
  const extraDbs: Db[] = [];
  const workers: Worker[] = [];
  let clock: ManualClock;
  let registry: TaskRegistry;
  let queue: TaskQueue;

  async function setup() {
    db = await createTestDb(dialect);
    clock = new ManualClock('2026-03-01T10:00:00Z');
    registry = new TaskRegistry();
    queue = new TaskQueue(db, clock, { registry, random: () => 0.5 });
  }

  function worker(options: { q?: TaskQueue; id?: string; lanes?: Record<string, number>; metrics?: Metrics; clockOverride?: Clock; pollIntervalMs?: number } = {}): Worker {
    const w = new Worker({
      queue: options.q ?? queue, registry, clock: options.clockOverride ?? clock, workerId: options.id ?? `w${workers.length + 1}`,
      lanes: options.lanes ?? { orders: 2, products: 2 }, metrics: options.metrics, pollIntervalMs: options.pollIntervalMs ?? 1000,
      leaseMs: 30_000, heartbeatMs: 10_000, reapIntervalMs: 15_000,
    });
    workers.push(w);
    return w;
  }

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop({ timeoutMs: 0 });
    for (const d of extraDbs.splice(0)) await d.close();
    await db?.cleanup();
  });

  const row = async (id: number) => (await queue.get(id))!;

  it('starts an enqueued task at once (in-process wake-up, no poll), stores the result', async () => {
    await setup();
    registry.define({ kind: 'test.echo', lane: 'orders', payload: z.object({ n: z.number() }), handler: async (p) => ({ doubled: p.n * 2 }) });
    const w = worker({ pollIntervalMs: 3_600_000 });
    const seen = watch(w);
    w.start();
    const { id } = await queue.enqueue('test.echo', { n: 21 });
    await seen.count(1);
    expect(seen.settled[0]).toMatchObject({ outcome: 'done', result: { doubled: 42 } });
    expect(await row(id)).toMatchObject({ status: 'done', result: '{"doubled":42}', attempts: 1 });
  });

  it('dead-letters a payload that fails its schema with a clear reason, and keeps working', async () => {
    await setup();
    const onDead = vi.fn();
    registry.define({ kind: 'test.echo', lane: 'orders', payload: z.object({ n: z.number() }), handler: async (p) => p.n, onDead });
    const raw = new TaskQueue(db, clock); // no registry: no enqueue-time validation, as data written by an older version
    const bad = await raw.enqueue('test.echo', { n: 'seven' }, { lane: 'orders' });
    const good = await queue.enqueue('test.echo', { n: 7 });
    const w = worker();
    const seen = watch(w);
    w.start();
    await seen.count(2);
    expect(await row(bad.id)).toMatchObject({ status: 'dead', attempts: 1, last_error: expect.stringMatching(/^Invalid payload for "test.echo": n: /) });
    expect(onDead).toHaveBeenCalledWith(expect.objectContaining({ id: bad.id, status: 'dead' }), expect.stringContaining('Invalid payload'));
    expect(await row(good.id)).toMatchObject({ status: 'done', result: '7' });
  });

  it('retries a failure after its backoff, then succeeds', async () => {
    await setup();
    let calls = 0;
    registry.define({
      kind: 'test.flaky', lane: 'orders', payload: z.object({}),
      handler: async () => {
        calls++;
        if (calls === 1) throw new RetryableError('Odoo is restarting');
        return 'ok';
      },
    });
    const w = worker();
    const seen = watch(w);
    w.start();
    const { id } = await queue.enqueue('test.flaky', {});
    await seen.count(1);
    expect(seen.settled[0]).toMatchObject({ outcome: 'retry', error: 'RetryableError: Odoo is restarting' });
    expect(await row(id)).toMatchObject({ status: 'pending', run_at: clock.now() + 10_000, last_error: 'RetryableError: Odoo is restarting' });
    clock.advance(10_000);
    await seen.count(2);
    expect(await row(id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('dead-letters after max attempts with the last error and calls onDead; permanent errors at once', async () => {
    await setup();
    const dead: [TaskRow, string][] = [];
    registry.define({
      kind: 'test.failing', lane: 'orders', payload: z.object({ n: z.number() }), maxAttempts: 2,
      handler: async (p) => {
        throw new Error(`attempt failed for ${p.n}`);
      },
      onDead: (task, reason) => void dead.push([task, reason]),
    });
    registry.define({ kind: 'test.permanent', lane: 'orders', payload: z.object({}), handler: async () => { throw new PermanentError('SKU ABC unknown in Odoo'); } });
    registry.define({ kind: 'test.unconfigured', lane: 'orders', payload: z.object({}), handler: async () => { throw new NotConfiguredError('No Poleepo credentials'); } });
    const w = worker();
    const seen = watch(w);
    w.start();
    const failing = await queue.enqueue('test.failing', { n: 1 });
    const permanent = await queue.enqueue('test.permanent', {});
    const unconfigured = await queue.enqueue('test.unconfigured', {});
    await seen.count(3);
    clock.advance(10_000);
    await seen.count(4);
    expect(await row(failing.id)).toMatchObject({ status: 'dead', attempts: 2, last_error: 'Error: attempt failed for 1 (gave up after 2 attempts)' });
    expect(dead.map(([t, r]) => [t.id, r])).toContainEqual([failing.id, 'Error: attempt failed for 1 (gave up after 2 attempts)']);
    expect(await row(permanent.id)).toMatchObject({ status: 'dead', attempts: 1, last_error: 'PermanentError: SKU ABC unknown in Odoo' });
    expect(await row(unconfigured.id)).toMatchObject({ status: 'dead', attempts: 1, last_error: 'NotConfiguredError: No Poleepo credentials' });
  });

  it('reschedules a rate-limited task at retryAfter without spending an attempt', async () => {
    await setup();
    let calls = 0;
    registry.define({
      kind: 'test.limited', lane: 'products', payload: z.object({}), maxAttempts: 1,
      handler: async () => {
        if (++calls <= 3) throw new RateLimitedError('5 requests per 10 minutes reached', 7_000);
        return 'polled';
      },
    });
    const w = worker();
    const seen = watch(w);
    w.start();
    const { id } = await queue.enqueue('test.limited', {});
    for (let i = 1; i <= 3; i++) {
      await seen.count(i);
      expect(seen.settled[i - 1].outcome).toBe('rate_limited');
      expect(await row(id)).toMatchObject({ status: 'pending', attempts: 0, run_at: clock.now() + 7_000 });
      clock.advance(7_000);
    }
    await seen.count(4);
    // maxAttempts 1 and three rate limits: still done, because a rate limit spends no attempt.
    expect(await row(id)).toMatchObject({ status: 'done', attempts: 1, result: '"polled"' });
  });

  it('keeps a lane free while another lane is flooded', async () => {
    await setup();
    const productsGate = gate();
    registry.define({ kind: 'test.export', lane: 'products', payload: z.object({ i: z.number() }), handler: async () => productsGate.promise });
    registry.define({ kind: 'test.import', lane: 'orders', payload: z.object({}), handler: async () => 'imported' });
    for (let i = 0; i < 200; i++) await queue.enqueue('test.export', { i });
    const w = worker({ lanes: { orders: 2, products: 2 } });
    const seen = watch(w);
    w.start();
    const order = await queue.enqueue('test.import', {});
    await seen.count(1);
    expect(seen.settled[0].task.id).toBe(order.id);
    await vi.waitFor(() => expect(w.activeCount('products')).toBe(2), { timeout: 30_000 });
    expect((await queue.list({ lane: 'products', status: 'running' })).total).toBe(2);
    productsGate.open();
  });

  it('lets an instant flood not delay another lane either', async () => {
    await setup();
    const started: string[] = [];
    registry.define({ kind: 'test.export', lane: 'products', payload: z.object({ i: z.number() }), handler: async () => void started.push('export') });
    registry.define({ kind: 'test.import', lane: 'orders', payload: z.object({}), handler: async () => void started.push('import') });
    for (let i = 0; i < 300; i++) await queue.enqueue('test.export', { i });
    await queue.enqueue('test.import', {});
    const w = worker({ lanes: { orders: 2, products: 2 } });
    const seen = watch(w);
    w.start();
    await seen.count(301);
    // Enqueued after 300 exports, it started in the first claim round (at most one batch of 2 exports before it).
    expect(started.indexOf('import')).toBeGreaterThanOrEqual(0);
    expect(started.indexOf('import')).toBeLessThanOrEqual(2);
  });

  it('keeps extending the lease of a long handler (heartbeats), so the reaper leaves it alone', async () => {
    await setup();
    const g = gate();
    const started = gate();
    registry.define({ kind: 'test.long', lane: 'orders', payload: z.object({}), handler: async () => { started.open(); return g.promise; } });
    const w = worker();
    const seen = watch(w);
    w.start();
    const { id } = await queue.enqueue('test.long', {});
    // Wait for the handler itself (not the row): the worker's timers are set before it is called.
    await started.promise;
    for (let i = 0; i < 6; i++) {
      clock.advance(10_000);
      await vi.waitFor(async () => expect((await row(id)).locked_until).toBe(clock.now() + 30_000), { timeout: 30_000 });
    }
    expect(await queue.reap()).toEqual({ requeued: [], dead: [] });
    g.open();
    await seen.count(1);
    expect(await row(id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('runs again a task whose worker died holding it, once its lease expired (reaper)', async () => {
    await setup();
    registry.define({ kind: 'test.echo', lane: 'orders', payload: z.object({ n: z.number() }), handler: async (p) => p.n });
    const { id } = await queue.enqueue('test.echo', { n: 5 });
    // A worker that claimed the task and died: it holds the lease and never heartbeats nor releases it.
    expect(await queue.claim({ lane: 'orders', kinds: ['test.echo'], workerId: 'crashed-worker', leaseMs: 30_000 })).not.toBeNull();
    const w = worker();
    const seen = watch(w);
    w.start();
    clock.advance(29_000);
    expect((await row(id)).status).toBe('running');
    clock.advance(16_000); // past the lease, and past the survivor's reap interval
    await seen.count(1);
    expect(await row(id)).toMatchObject({ status: 'done', attempts: 2, result: '5', last_error: expect.stringContaining('crashed-worker') });
    expect(await queue.complete(id, 'crashed-worker', 'late')).toBe(false);
  });

  it('aborts a handler whose lease was lost, and records nothing for it', async () => {
    await setup();
    let aborted: unknown = null;
    const started = gate();
    registry.define({
      kind: 'test.long', lane: 'orders', payload: z.object({}),
      handler: async (_p, ctx: TaskContext) => {
        started.open();
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        aborted = ctx.signal.reason;
        throw new Error('stopped');
      },
    });
    const w = worker();
    const seen = watch(w);
    w.start();
    const { id } = await queue.enqueue('test.long', {});
    await started.promise;
    // Another process reaped and re-claimed it (as if this worker had been paused past its lease).
    await db.kysely.updateTable('tasks').set({ locked_until: clock.now() - 1 }).where('id', '=', id).execute();
    await queue.reap();
    await queue.claim({ lane: 'orders', kinds: ['test.long'], workerId: 'other', leaseMs: 30_000 });
    clock.advance(10_000);
    await seen.count(1);
    expect(seen.settled[0].outcome).toBe('lost');
    expect(String(aborted)).toContain('Lease lost');
    expect(await row(id)).toMatchObject({ status: 'running', locked_by: 'other', attempts: 2 });
  });

  it('aborts a handler at its timeout and retries it', async () => {
    await setup();
    const started = gate();
    registry.define({
      kind: 'test.stuck', lane: 'orders', payload: z.object({}), timeoutMs: 5_000,
      handler: (_p, ctx) => {
        started.open();
        return new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted by signal'))));
      },
    });
    const w = worker();
    const seen = watch(w);
    w.start();
    const { id } = await queue.enqueue('test.stuck', {});
    await started.promise;
    clock.advance(5_000);
    await seen.count(1);
    expect(seen.settled[0]).toMatchObject({ outcome: 'retry', error: 'Timed out after 5000 ms: aborted by signal' });
    expect((await row(id)).status).toBe('pending');
  });

  it('stops gracefully: finishes what completes within the timeout, releases the rest (pending at once, attempt given back)', async () => {
    await setup();
    const quick = gate();
    let stuckSignal: AbortSignal | null = null;
    registry.define({ kind: 'test.quick', lane: 'orders', payload: z.object({}), handler: async () => quick.promise.then(() => 'finished') });
    registry.define({
      kind: 'test.stuck', lane: 'products', payload: z.object({}),
      handler: (_p, ctx) => {
        stuckSignal = ctx.signal;
        return new Promise(() => undefined); // ignores its signal: only the timeout ends the wait
      },
    });
    const a = await queue.enqueue('test.quick', {});
    const b = await queue.enqueue('test.stuck', {});
    const w = worker();
    w.start();
    await vi.waitFor(async () => expect(w.activeCount()).toBe(2), { timeout: 30_000 });
    let result: { released: number } | null = null;
    const stopAt = clock.now();
    const stopping = w.stop({ timeoutMs: 10_000 }).then((r) => (result = r));
    // No new claims once stopping.
    const c = await queue.enqueue('test.quick', {});
    quick.open();
    await vi.waitFor(async () => expect((await row(a.id)).status).toBe('done'), { timeout: 30_000 });
    clock.advance(9_000);
    expect(result).toBeNull();
    await vi.waitFor(() => {
      clock.advance(1_000);
      expect(result).not.toBeNull();
    }, { timeout: 30_000 });
    await stopping;
    expect(result).toEqual({ released: 1 });
    const released = await row(b.id);
    expect(released).toMatchObject({ status: 'pending', attempts: 0, locked_by: null, locked_until: null });
    expect(released.run_at).toBeGreaterThanOrEqual(stopAt + 10_000);
    expect(released.run_at).toBeLessThanOrEqual(clock.now());
    expect(stuckSignal!.aborted).toBe(true);
    expect((await row(c.id)).status).toBe('pending');
  });

  it('never runs two tasks with the same serial key at once across two workers', async () => {
    await setup();
    const active = new Map<string, number>();
    let maxPerKey = 0;
    const runs = new Map<number, number>();
    registry.define({
      kind: 'test.serial', lane: 'orders', payload: z.object({ key: z.string(), i: z.number() }),
      handler: async (p, ctx) => {
        runs.set(ctx.task.id, (runs.get(ctx.task.id) ?? 0) + 1);
        active.set(p.key, (active.get(p.key) ?? 0) + 1);
        maxPerKey = Math.max(maxPerKey, active.get(p.key)!);
        for (let i = 0; i < 3; i++) await ctx.yield();
        await db.kysely.selectFrom('tasks').select('id').limit(1).execute();
        active.set(p.key, active.get(p.key)! - 1);
        return null;
      },
    });
    for (let i = 0; i < 30; i++) await queue.enqueue('test.serial', { key: `order:${i % 3}`, i }, { serialKey: `order:${i % 3}` });
    const otherDb = await openDatabase(db.url, { schema: db.schema });
    extraDbs.push(otherDb);
    // Real time with a short poll: each worker only hears its own enqueues, so it polls for the other's.
    const w1 = worker({ id: 'a', q: new TaskQueue(db, systemClock, { registry }), lanes: { orders: 4 }, clockOverride: systemClock, pollIntervalMs: 5 });
    const w2 = worker({ id: 'b', q: new TaskQueue(otherDb, systemClock, { registry }), lanes: { orders: 4 }, clockOverride: systemClock, pollIntervalMs: 5 });
    const s1 = watch(w1);
    const s2 = watch(w2);
    w1.start();
    w2.start();
    await vi.waitFor(() => expect(s1.settled.length + s2.settled.length).toBe(30), { timeout: 20_000 });
    expect(maxPerKey).toBe(1);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(runs.size).toBe(30);
  });

  it('records task runs and durations, and the tasks gauge by status and lane', async () => {
    await setup();
    const metrics = new Metrics();
    metrics.addCollector(taskGaugeCollector(queue));
    registry.define({ kind: 'test.echo', lane: 'orders', payload: z.object({}), handler: async () => null });
    registry.define({ kind: 'test.bad', lane: 'orders', payload: z.object({}), handler: async () => { throw new PermanentError('no'); } });
    const w = worker({ metrics });
    const seen = watch(w);
    w.start();
    await queue.enqueue('test.echo', {});
    await queue.enqueue('test.bad', {});
    await queue.enqueue('test.unknown', {}, { lane: 'webhooks' });
    await seen.count(2);
    const text = await metrics.render();
    expect(text).toContain('poleepo_odoo_task_runs_total{kind="test.echo",lane="orders",outcome="done"} 1');
    expect(text).toContain('poleepo_odoo_task_runs_total{kind="test.bad",lane="orders",outcome="dead"} 1');
    expect(text).toContain('poleepo_odoo_task_duration_seconds_count{kind="test.echo"} 1');
    expect(text).toContain('# TYPE poleepo_odoo_tasks gauge');
    expect(text).toContain('poleepo_odoo_tasks{lane="orders",status="done"} 1');
    expect(text).toContain('poleepo_odoo_tasks{lane="orders",status="dead"} 1');
    expect(text).toContain('poleepo_odoo_tasks{lane="webhooks",status="pending"} 1');
  });
});
