/**
 * Task queue benchmark: throughput (enqueue, claim, complete) and claim latency, on SQLite and on PostgreSQL.
 *
 *   node --import tsx bench/tasks.bench.ts            # SQLite only unless BENCH_DATABASE_URL is set
 *   BENCH_DATABASE_URL=postgres://… node --import tsx bench/tasks.bench.ts
 *   BENCH_TASKS=20000 …                                # tasks per scenario (default 5000)
 *
 * Scenarios, each on a fresh database (a temp SQLite file; a throwaway schema on PostgreSQL):
 *  1. enqueue one by one (the webhook-intake pattern: one task per acknowledged message);
 *  2. claim + complete one at a time against a backlog of N (the raw cost of the claim statement), claim p50/p99;
 *  3. end to end: a producer enqueues while one Worker (8 slots) runs them — tasks/s from the first enqueue to the
 *     last completion and claim p99; then the pickup latency (enqueue → handler start) on an idle worker, one task
 *     at a time, which is what the in-process wake-up buys over the poll interval;
 *  4. (PostgreSQL) 4 Workers × 4 slots, each with its own pool, draining a backlog: contention on SKIP LOCKED.
 * Handlers do nothing, so the figures are the queue's own overhead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { z } from 'zod';
import { openDatabase, type Db } from '../src/storage/db.ts';
import { migrateToLatest } from '../src/storage/migrator.ts';
import { systemClock } from '../src/shared/clock.ts';
import { TaskQueue } from '../src/tasks/task.queue.ts';
import { TaskRegistry } from '../src/tasks/task.registry.ts';
import { Worker } from '../src/tasks/task.worker.ts';
import type { TaskRow } from '../src/tasks/task.types.ts';
import { isQuick, reportSection } from './report.ts';

const N = Number(process.env.BENCH_TASKS ?? (isQuick() ? 500 : 5000));

/** A queue that times its claims (the bench measures; tests never wrap our modules). */
class TimedQueue extends TaskQueue {
  readonly claimMs: number[] = [];
  override async claimMany(params: Parameters<TaskQueue['claimMany']>[0]): Promise<TaskRow[]> {
    const started = performance.now();
    try {
      return await super.claimMany(params);
    } finally {
      this.claimMs.push(performance.now() - started);
    }
  }
}

interface Fresh {
  db: Db;
  open(): Promise<Db>;
  cleanup(): Promise<void>;
}

function registryWith(onRun: (payload: { i: number; t: number }) => void): TaskRegistry {
  const registry = new TaskRegistry();
  registry.define({ kind: 'bench.noop', lane: 'orders', payload: z.object({ i: z.number(), t: z.number() }), handler: async (p) => void onRun(p) });
  return registry;
}

async function scenarioSequential(fresh: Fresh): Promise<string[]> {
  const queue = new TimedQueue(fresh.db, systemClock, { registry: registryWith(() => undefined) });
  let started = performance.now();
  for (let i = 0; i < N; i++) await queue.enqueue('bench.noop', { i, t: 0 });
  const enqueueRate = N / ((performance.now() - started) / 1000);
  started = performance.now();
  for (let i = 0; i < N; i++) {
    const task = await queue.claim({ lane: 'orders', kinds: ['bench.noop'], workerId: 'bench', leaseMs: 30_000 });
    if (!task) throw new Error('backlog ran dry');
    await queue.complete(task.id, 'bench', null);
  }
  const claimRate = N / ((performance.now() - started) / 1000);
  return [
    line('enqueue, one by one', `${fmt(enqueueRate)} tasks/s`),
    line('claim + complete, sequential', `${fmt(claimRate)} tasks/s`, `claim p50 ${ms(pct(queue.claimMs, 50))}  p99 ${ms(pct(queue.claimMs, 99))}  (backlog ${N} → 0)`),
  ];
}

async function scenarioEndToEnd(fresh: Fresh): Promise<string[]> {
  const pickup: number[] = [];
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const registry = registryWith((p) => pickup.push(performance.now() - p.t));
  const queue = new TimedQueue(fresh.db, systemClock, { registry });
  const worker = new Worker({ queue, registry, clock: systemClock, workerId: 'bench-e2e', lanes: { orders: 8 }, pollIntervalMs: 1000 });
  worker.onTaskSettled(() => {
    if (++done === N) finish();
  });
  worker.start();
  const started = performance.now();
  for (let i = 0; i < N; i++) await queue.enqueue('bench.noop', { i, t: performance.now() });
  await finished;
  const rate = N / ((performance.now() - started) / 1000);
  const claimP99 = pct(queue.claimMs, 99);
  // Pickup latency on an idle worker (one task at a time): what the in-process wake-up buys over the 1 s poll.
  pickup.length = 0;
  const quiet = Math.min(300, N);
  for (let i = 0; i < quiet; i++) {
    const settledOne = new Promise<void>((resolve) => {
      const off = worker.onTaskSettled(() => {
        off();
        resolve();
      });
    });
    await queue.enqueue('bench.noop', { i, t: performance.now() });
    await settledOne;
  }
  await worker.stop({ timeoutMs: 1000 });
  return [
    line('end to end, 1 worker × 8 slots', `${fmt(rate)} tasks/s`, `claim p99 ${ms(claimP99)}  (producer and worker together)`),
    line('pickup on an idle worker', `p50 ${ms(pct(pickup, 50))}`, `p99 ${ms(pct(pickup, 99))}  (enqueue → handler start, ${quiet} tasks one at a time)`),
  ];
}

async function scenarioContended(fresh: Fresh): Promise<string[]> {
  const seed = new TaskQueue(fresh.db, systemClock);
  for (let i = 0; i < N; i += 500) {
    await seed.transaction(async (tx) => {
      for (let j = i; j < Math.min(N, i + 500); j++) await tx.enqueue('bench.noop', { i: j, t: 0 }, { lane: 'orders' });
    });
  }
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const queues: TimedQueue[] = [];
  const workers: Worker[] = [];
  const handles: Db[] = [];
  for (let w = 0; w < 4; w++) {
    const handle = await fresh.open();
    handles.push(handle);
    const registry = registryWith(() => undefined);
    const queue = new TimedQueue(handle, systemClock, { registry });
    queues.push(queue);
    const worker = new Worker({ queue, registry, clock: systemClock, workerId: `bench-${w}`, lanes: { orders: 4 }, pollIntervalMs: 20 });
    worker.onTaskSettled(() => {
      if (++done === N) finish();
    });
    workers.push(worker);
  }
  const started = performance.now();
  for (const w of workers) w.start();
  await finished;
  const rate = N / ((performance.now() - started) / 1000);
  for (const w of workers) await w.stop({ timeoutMs: 1000 });
  for (const h of handles) await h.close();
  const claims = queues.flatMap((q) => q.claimMs);
  return [line('drain, 4 workers × 4 slots, own pools', `${fmt(rate)} tasks/s`, `claim p50 ${ms(pct(claims, 50))}  p99 ${ms(pct(claims, 99))}`)];
}

async function freshSqlite(): Promise<Fresh> {
  const dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-bench-'));
  const url = `sqlite:${join(dir, 'bench.db')}`;
  const db = await openDatabase(url);
  await migrateToLatest(db);
  return { db, open: () => openDatabase(url), cleanup: async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); } };
}

async function freshPostgres(url: string): Promise<Fresh> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const db = await openDatabase(url, { schema, poolSize: 10 });
  await migrateToLatest(db);
  return {
    db,
    open: () => openDatabase(url, { schema, poolSize: 4 }),
    cleanup: async () => {
      await db.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

async function run(label: string, fresh: () => Promise<Fresh>, scenarios: ((f: Fresh) => Promise<string[]>)[]): Promise<void> {
  console.log(`${label} (${N} tasks per scenario)`);
  const lines: string[] = [];
  for (const scenario of scenarios) {
    const f = await fresh();
    try {
      for (const l of await scenario(f)) {
        console.log(l);
        lines.push(l.trim().replace(/\s{2,}/g, ': ').replace(/: {0,}$/, ''));
      }
    } finally {
      await f.cleanup();
    }
  }
  // The queue's own overhead (handlers do nothing): no bar of its own; the intake and import figures carry it.
  reportSection(import.meta.url, {
    id: `task-queue-${label.toLowerCase()}`,
    title: `Task queue on ${label}`,
    setup: `${N} tasks per scenario, each on a fresh database; handlers do nothing, so the figures are the queue's own overhead.`,
    figures: [],
    notes: lines,
  });
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(2)} ms`;
const line = (what: string, figure: string, extra = '') => `  ${what.padEnd(40)}${figure.padStart(14)}   ${extra}`.trimEnd();

await run('SQLite', freshSqlite, [scenarioSequential, scenarioEndToEnd]);
const pgUrl = process.env.BENCH_DATABASE_URL;
if (pgUrl) await run('PostgreSQL', () => freshPostgres(pgUrl), [scenarioSequential, scenarioEndToEnd, scenarioContended]);
else console.log('PostgreSQL: skipped (set BENCH_DATABASE_URL=postgres://… to include it; `npm run bench` provides one)');
