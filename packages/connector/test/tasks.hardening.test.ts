import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { createLogger, type Logger } from '../src/shared/logger.ts';
import { RetryableError } from '../src/shared/errors.ts';
import { TaskQueue } from '../src/tasks/task.queue.ts';
import { TaskRegistry } from '../src/tasks/task.registry.ts';
import { Worker, type SettledTask } from '../src/tasks/task.worker.ts';

/**
 * The worker as a boundary that never gives way: a database refusing an outcome, a handler that ignores its timeout,
 * and failures kept with their stack and causes (in the log and on the task row).
 */

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

function watch(worker: Worker) {
  const settled: SettledTask[] = [];
  const waiters: { test: () => boolean; resolve: () => void }[] = [];
  worker.onTaskSettled((s) => {
    settled.push(s);
    for (const w of waiters.filter((w) => w.test())) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const until = (test: () => boolean) => new Promise<void>((resolve) => (test() ? resolve() : waiters.push({ test, resolve })));
  return { settled, count: (n: number) => until(() => settled.length >= n), of: (id: number, n = 1) => until(() => settled.filter((s) => s.task.id === id).length >= n) };
}

/** A pino logger writing JSON lines into an array, and a way to wait for a line. */
function capturingLogger(): { logger: Logger; lines: Record<string, any>[]; line(test: (l: Record<string, any>) => boolean): Promise<Record<string, any>> } {
  const lines: Record<string, any>[] = [];
  const waiters: { test: (l: Record<string, any>) => boolean; resolve: (l: Record<string, any>) => void }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const text of String(chunk).split('\n').filter(Boolean)) {
        const l = JSON.parse(text) as Record<string, any>;
        lines.push(l);
        for (const w of waiters.filter((w) => w.test(l))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(l);
        }
      }
      done();
    },
  });
  return {
    logger: createLogger('debug', stream),
    lines,
    line: (test) => new Promise((resolve) => {
      const found = lines.find(test);
      if (found) resolve(found);
      else waiters.push({ test, resolve });
    }),
  };
}

/** A real database error: a trigger refuses to write the given task status (as a full disk or a broken constraint would). */
async function refuseStatus(db: TestDb, status: 'dead' | 'done'): Promise<void> {
  if (db.dialect === 'sqlite') {
    await sql.raw(`CREATE TRIGGER refuse_${status} BEFORE UPDATE ON tasks WHEN NEW.status = '${status}' BEGIN SELECT RAISE(ABORT, 'database refused the ${status} write (test)'); END`).execute(db.kysely);
  } else {
    await sql.raw(`CREATE FUNCTION refuse_${status}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'database refused the ${status} write (test)'; END $$ LANGUAGE plpgsql`).execute(db.kysely);
    await sql.raw(`CREATE TRIGGER refuse_${status} BEFORE UPDATE ON tasks FOR EACH ROW WHEN (NEW.status = '${status}') EXECUTE FUNCTION refuse_${status}()`).execute(db.kysely);
  }
}

async function allowStatus(db: TestDb, status: 'dead' | 'done'): Promise<void> {
  await sql.raw(db.dialect === 'sqlite' ? `DROP TRIGGER refuse_${status}` : `DROP TRIGGER refuse_${status} ON tasks`).execute(db.kysely);
}

describe.each(dialects)('task worker hardening on %s', (dialect) => {
  let db: TestDb;
  let clock: ManualClock;
  let registry: TaskRegistry;
  let queue: TaskQueue;
  const workers: Worker[] = [];

  async function setup() {
    db = await createTestDb(dialect);
    clock = new ManualClock('2026-03-01T10:00:00Z');
    registry = new TaskRegistry();
    queue = new TaskQueue(db, clock, { registry, random: () => 0.5 });
  }

  function worker(options: { logger?: Logger; lanes?: Record<string, number>; timeoutGraceMs?: number } = {}): Worker {
    const w = new Worker({
      queue, registry, clock, workerId: `w${workers.length + 1}`, logger: options.logger, lanes: options.lanes ?? { orders: 2 },
      pollIntervalMs: 1000, leaseMs: 30_000, heartbeatMs: 10_000, reapIntervalMs: 15_000, timeoutGraceMs: options.timeoutGraceMs,
    });
    workers.push(w);
    return w;
  }

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop({ timeoutMs: 0 });
    await db?.cleanup();
  });

  const row = async (id: number) => (await queue.get(id))!;

  it('a database error while dead-lettering is contained: logged with its stack, the task left to the reaper, every lane still working', async () => {
    await setup();
    const log = capturingLogger();
    registry.define({ kind: 'test.echo', lane: 'orders', payload: z.object({ n: z.number() }), handler: async (p) => p.n });
    // Written by an older version: its payload fails the schema, so the worker dead-letters it at once.
    const bad = await new TaskQueue(db, clock).enqueue('test.echo', { n: 'seven' }, { lane: 'orders' });
    await refuseStatus(db, 'dead');
    const w = worker({ logger: log.logger });
    const seen = watch(w);
    w.start();
    await seen.of(bad.id);
    expect(seen.settled[0]).toMatchObject({ outcome: 'lost' });
    const logged = await log.line((l) => l.msg?.startsWith('could not record a task outcome'));
    expect(logged).toMatchObject({ level: 50, taskId: bad.id, kind: 'test.echo' });
    expect(logged.err.stack).toContain('database refused the dead write');
    expect(logged.err.stack).toMatch(/\n\s+at /);
    // Nothing was written: the row is still held, its lease running out.
    expect(await row(bad.id)).toMatchObject({ status: 'running', attempts: 1 });

    // The worker (and the process) carries on.
    const good = await queue.enqueue('test.echo', { n: 7 });
    await seen.of(good.id);
    expect(await row(good.id)).toMatchObject({ status: 'done', result: '7' });

    // The database recovers; the lease expires; the reaper hands the task back and it is dead-lettered properly.
    await allowStatus(db, 'dead');
    clock.advance(30_001);
    await seen.of(bad.id, 2);
    expect(await row(bad.id)).toMatchObject({ status: 'dead', attempts: 2, last_error: expect.stringMatching(/^Invalid payload/) });
  });

  it('a database error while recording a success or a failure is contained too; the reaper runs the task again', async () => {
    await setup();
    const log = capturingLogger();
    let runs = 0;
    registry.define({ kind: 'test.ok', lane: 'orders', payload: z.object({}), handler: async () => ++runs });
    registry.define({ kind: 'test.permanent', lane: 'orders', payload: z.object({}), handler: async () => { throw new RetryableError('always', { cause: new Error('root cause') }); }, maxAttempts: 1 });
    await refuseStatus(db, 'done');
    await refuseStatus(db, 'dead');
    const w = worker({ logger: log.logger });
    const seen = watch(w);
    w.start();
    const ok = await queue.enqueue('test.ok', {});
    const failing = await queue.enqueue('test.permanent', {});
    await seen.of(ok.id);
    await seen.of(failing.id);
    expect(seen.settled.map((s) => s.outcome)).toEqual(['lost', 'lost']);
    expect((await log.line((l) => l.msg?.startsWith('could not record a task success'))).err.stack).toContain('database refused the done write');
    const failure = await log.line((l) => l.msg?.startsWith('could not record a task failure'));
    expect(failure.err.stack).toContain('database refused the dead write');
    await allowStatus(db, 'done');
    await allowStatus(db, 'dead');
    clock.advance(30_001);
    await seen.of(ok.id, 2);
    expect(await row(ok.id)).toMatchObject({ status: 'done', attempts: 2, result: '2' });
  });

  it('a handler that ignores its timeout is abandoned after the grace period: heartbeats stop, its slot is freed, a retry is recorded', async () => {
    await setup();
    const log = capturingLogger();
    const started = gate();
    const aborted = gate();
    const zombie = gate();
    registry.define({
      kind: 'test.stuck', lane: 'orders', payload: z.object({}), timeoutMs: 5_000,
      handler: async (_p, ctx) => {
        started.open();
        ctx.signal.addEventListener('abort', () => aborted.open());
        await zombie.promise; // ignores its signal
        return 'late';
      },
    });
    registry.define({ kind: 'test.quick', lane: 'orders', payload: z.object({}), handler: async () => 'quick' });
    const w = worker({ logger: log.logger, lanes: { orders: 1 }, timeoutGraceMs: 10_000 });
    const seen = watch(w);
    w.start();
    const stuck = await queue.enqueue('test.stuck', {});
    await started.promise;
    const quick = await queue.enqueue('test.quick', {});
    clock.advance(5_000);
    await aborted.promise;
    // Within the grace period the slot stays taken and the lease is still renewed.
    expect(w.activeCount('orders')).toBe(1);
    clock.advance(5_000);
    await (async () => {
      for (;;) {
        const r = await row(stuck.id);
        if (r.locked_until === clock.now() + 30_000) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    clock.advance(5_000);
    await seen.of(stuck.id);
    expect(seen.settled[0]).toMatchObject({ outcome: 'retry', error: expect.stringContaining('abandoned') });
    const retried = await row(stuck.id);
    expect(retried).toMatchObject({ status: 'pending', attempts: 1, locked_by: null, run_at: clock.now() + 10_000, last_error: expect.stringMatching(/^Timed out after 5000 ms and still running 10000 ms/) });
    expect(retried.last_error_stack).toContain('TaskTimeoutError');
    // The freed slot runs the next task of the lane.
    await seen.of(quick.id);
    expect(await row(quick.id)).toMatchObject({ status: 'done' });
    expect(w.activeCount('orders')).toBe(0);
    // When the abandoned handler finally returns, nothing of it is written.
    zombie.open();
    await log.line((l) => l.msg?.startsWith('an abandoned handler'));
    expect(await row(stuck.id)).toMatchObject({ status: 'pending', result: null, attempts: 1 });
  });

  it('keeps a failure\'s stack and causes: on the task row (truncated) and in the log', async () => {
    await setup();
    const log = capturingLogger();
    registry.define({
      kind: 'test.failing', lane: 'orders', payload: z.object({}), maxAttempts: 1,
      handler: async () => {
        throw new RetryableError('Odoo did not answer', { cause: new Error('ECONNRESET at the socket') });
      },
    });
    const w = worker({ logger: log.logger });
    const seen = watch(w);
    w.start();
    const { id } = await queue.enqueue('test.failing', {});
    await seen.of(id);
    const r = await row(id);
    expect(r).toMatchObject({ status: 'dead', last_error: 'RetryableError: Odoo did not answer (gave up after 1 attempt)' });
    expect(r.last_error_stack).toMatch(/^RetryableError: Odoo did not answer\n\s+at /);
    expect(r.last_error_stack).toContain('caused by: Error: ECONNRESET at the socket');
    expect(r.last_error_stack!.length).toBeLessThanOrEqual(4000);
    const logged = await log.line((l) => l.msg === 'task dead-lettered');
    expect(logged.err).toMatchObject({ type: 'RetryableError', code: 'retryable' });
    expect(logged.err.message).toContain('ECONNRESET at the socket');
    expect(logged.err.stack).toContain('caused by: Error: ECONNRESET');
  });
});

describe('the process boundary', () => {
  it('logs an unhandled rejection with its stack and keeps the process running', async () => {
    const service = fileURLToPath(new URL('../src/app/service.ts', import.meta.url));
    const logger = fileURLToPath(new URL('../src/shared/logger.ts', import.meta.url));
    const script = `
      const { guardProcess } = await import(${JSON.stringify(service)});
      const { createLogger } = await import(${JSON.stringify(logger)});
      guardProcess(createLogger('info'));
      Promise.reject(new Error('nobody handles this', { cause: new Error('the root') }));
      // Unhandled rejections are reported once the microtask queue drains, before the next turn.
      setImmediate(() => setImmediate(() => console.log(JSON.stringify({ msg: 'still running' }))));
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
    const logged = lines.find((l) => String(l.msg).startsWith('unhandled promise rejection'));
    expect(logged).toMatchObject({ level: 50, err: { type: 'Error', message: expect.stringContaining('nobody handles this') } });
    expect(logged!.err.stack).toContain('caused by: Error: the root');
    // The logger writes asynchronously, so the two lines may come in either order; what matters is that the
    // process lived on to run its next turn (Node's default would have exited with code 1 before it).
    expect(lines).toContainEqual({ msg: 'still running' });
  });
});
