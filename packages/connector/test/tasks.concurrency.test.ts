import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { openDatabase, type Db } from '../src/storage/db.ts';
import { ManualClock, systemClock } from '../src/shared/clock.ts';
import { TaskQueue } from '../src/tasks/task.queue.ts';
import { TaskRegistry } from '../src/tasks/task.registry.ts';
import { Worker, type SettledTask } from '../src/tasks/task.worker.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = join(ROOT, 'test', 'helpers', 'tasks-worker-process.ts');

function spawnWorker(db: TestDb, workerId: string, mode: 'drain' | 'hang'): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: { ...process.env, TASKS_DB_URL: db.url, TASKS_DB_SCHEMA: db.schema ?? '', TASKS_WORKER_ID: workerId, TASKS_MODE: mode },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

async function enqueueMany(queue: TaskQueue, n: number): Promise<void> {
  // In one transaction: fast, and all visible at once.
  await queue.transaction(async (tx) => {
    for (let i = 0; i < n; i++) await tx.enqueue('test.exec', { i }, { lane: 'orders' });
  });
}

describe.each(dialects)('task concurrency on %s', (dialect) => {
  let db: TestDb;
  const extra: Db[] = [];
  const workers: Worker[] = [];
  const children: ChildProcess[] = [];

  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const w of workers.splice(0)) await w.stop({ timeoutMs: 0 });
    for (const d of extra.splice(0)) await d.close();
    await db?.cleanup();
  });

  it('runs 2,000 tasks exactly once with 4 concurrent workers, each on its own database pool', { timeout: 120_000 }, async () => {
    db = await createTestDb(dialect);
    await enqueueMany(new TaskQueue(db, systemClock), 2000);
    const executions = new Map<number, string[]>();
    let settled = 0;
    let resolveAll!: () => void;
    const allDone = new Promise<void>((resolve) => (resolveAll = resolve));
    for (let w = 0; w < 4; w++) {
      const handle = await openDatabase(db.url, { schema: db.schema, poolSize: 4 });
      extra.push(handle);
      const registry = new TaskRegistry();
      const workerId = `in-process-${w}`;
      registry.define({
        kind: 'test.exec', lane: 'orders', payload: z.object({ i: z.number() }),
        handler: async (_p, ctx) => {
          executions.set(ctx.task.id, [...(executions.get(ctx.task.id) ?? []), workerId]);
          return null;
        },
      });
      const worker = new Worker({ queue: new TaskQueue(handle, systemClock, { registry }), registry, clock: systemClock, workerId, lanes: { orders: 4 }, pollIntervalMs: 20 });
      worker.onTaskSettled(() => {
        if (++settled === 2000) resolveAll();
      });
      workers.push(worker);
    }
    for (const w of workers) w.start();
    await allDone;
    expect(executions.size).toBe(2000);
    expect([...executions.values()].filter((runs) => runs.length !== 1)).toEqual([]);
    const page = await new TaskQueue(db, systemClock).list({}, { limit: 1 });
    expect(page.byStatus).toEqual({ pending: 0, running: 0, done: 2000, dead: 0 });
    const perWorker = new Map<string, number>();
    for (const [worker] of executions.values()) perWorker.set(worker, (perWorker.get(worker) ?? 0) + 1);
    expect(perWorker.size).toBe(4);
  });

  it('runs again a task whose worker process was killed (kill -9) once its lease expired', { timeout: 60_000 }, async () => {
    db = await createTestDb(dialect);
    const registry = new TaskRegistry();
    registry.define({ kind: 'test.exec', lane: 'orders', payload: z.object({ i: z.number() }), handler: async (p) => ({ ranAgain: p.i }) });
    const queue = new TaskQueue(db, systemClock, { registry });
    const { id } = await queue.enqueue('test.exec', { i: 7 });
    const child = spawnWorker(db, 'doomed', 'hang');
    children.push(child);
    const claimed = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk) => {
        out += chunk;
        const m = /claimed (\d+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    expect(Number(claimed)).toBe(id);
    child.kill('SIGKILL');
    await exited(child);
    expect(await queue.get(id)).toMatchObject({ status: 'running', locked_by: 'doomed', attempts: 1 });

    // A surviving (or restarted) worker whose clock is past the dead worker's lease reaps and runs it.
    const clock = new ManualClock(Date.now() + 31_000);
    const survivor = new Worker({ queue: new TaskQueue(db, clock, { registry }), registry, clock, workerId: 'survivor', lanes: { orders: 1 } });
    workers.push(survivor);
    const done = new Promise((resolve) => survivor.onTaskSettled(resolve));
    survivor.start();
    await done;
    expect(await queue.get(id)).toMatchObject({ status: 'done', attempts: 2, result: '{"ranAgain":7}', last_error: expect.stringContaining('worker doomed stopped heartbeating') });
  });
});

describe('task concurrency across processes on postgres', () => {
  let db: TestDb;
  const children: ChildProcess[] = [];

  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await db?.cleanup();
  });

  it('runs 2,000 tasks exactly once with 3 worker processes', { timeout: 180_000 }, async () => {
    db = await createTestDb('postgres');
    const queue = new TaskQueue(db, systemClock);
    await enqueueMany(queue, 2000);
    const stderr: string[] = [];
    for (let p = 0; p < 3; p++) {
      const child = spawnWorker(db, `process-${p}`, 'drain');
      child.stderr!.on('data', (chunk) => stderr.push(String(chunk)));
      children.push(child);
    }
    const codes = await Promise.all(children.map(exited));
    expect(codes, stderr.join('')).toEqual([0, 0, 0]);
    const rows = await db.kysely.selectFrom('kv').select('key').where('key', 'like', 'exec:%').execute();
    const perTask = new Map<string, string[]>();
    for (const { key } of rows) {
      const [, taskId, worker] = key.split(':');
      perTask.set(taskId, [...(perTask.get(taskId) ?? []), worker]);
    }
    expect(perTask.size).toBe(2000);
    expect([...perTask.values()].filter((w) => w.length !== 1)).toEqual([]);
    expect(new Set([...perTask.values()].map((w) => w[0])).size).toBeGreaterThan(1);
    expect((await queue.list({}, { limit: 1 })).byStatus).toEqual({ pending: 0, running: 0, done: 2000, dead: 0 });
  });
});

// SQLite only: every process sharing the file runs on this machine. (On PostgreSQL workers may be on other machines,
// so only the lease decides: the kill -9 test above.)
describe('task concurrency across processes on sqlite', () => {
  let db: TestDb;
  const children: ChildProcess[] = [];
  const workers: Worker[] = [];

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop({ timeoutMs: 0 });
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await db?.cleanup();
  });

  it('takes back at once the task of a worker process that is gone (SQLite: all on this machine); a live one keeps its own', { timeout: 60_000 }, async () => {
    db = await createTestDb('sqlite');
    const registry = new TaskRegistry();
    registry.define({ kind: 'test.exec', lane: 'orders', payload: z.object({ i: z.number() }), handler: async (p) => ({ ranAgain: p.i }) });
    const queue = new TaskQueue(db, systemClock, { registry });
    const first = await queue.enqueue('test.exec', { i: 1 });
    const second = await queue.enqueue('test.exec', { i: 2 });
    const claimedBy = async (child: ChildProcess) => new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk) => {
        out += chunk;
        const m = /claimed (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    const doomed = spawnWorker(db, 'pid', 'hang');
    children.push(doomed);
    const doomedTask = await claimedBy(doomed);
    const alive = spawnWorker(db, 'pid', 'hang');
    children.push(alive);
    const aliveTask = await claimedBy(alive);
    expect(new Set([doomedTask, aliveTask])).toEqual(new Set([first.id, second.id]));
    doomed.kill('SIGKILL');
    await exited(doomed);

    // The survivor's clock is well inside both leases: only the dead holder's task comes back, at once.
    const survivor = new Worker({ queue, registry, clock: systemClock, workerId: `${process.pid}-survivor`, lanes: { orders: 1 } });
    workers.push(survivor);
    const settled = new Promise<SettledTask>((resolve) => survivor.onTaskSettled(resolve));
    survivor.start();
    expect((await settled).task.id).toBe(doomedTask);
    expect(await queue.get(doomedTask)).toMatchObject({ status: 'done', attempts: 2, last_error: expect.stringContaining(`Worker ${doomed.pid}-child is gone`) });
    expect(await queue.get(aliveTask)).toMatchObject({ status: 'running', locked_by: `${alive.pid}-child`, attempts: 1 });
  });
});
