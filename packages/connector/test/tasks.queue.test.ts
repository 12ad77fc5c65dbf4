import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { openDatabase, type Db } from '../src/storage/db.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { ValidationError } from '../src/shared/errors.ts';
import { TaskQueue } from '../src/tasks/task.queue.ts';
import { TaskRegistry } from '../src/tasks/task.registry.ts';
import { backoffDelay, DEFAULT_BACKOFF, nominalDelay } from '../src/tasks/task.backoff.ts';

const LEASE = 30_000;

describe('backoff schedule', () => {
  it('doubles from 10 s per attempt and is capped at 1 h (the documented schedule)', () => {
    const schedule = Array.from({ length: 12 }, (_, i) => nominalDelay(i + 1));
    expect(schedule).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 1_280_000, 2_560_000, 3_600_000, 3_600_000, 3_600_000]);
    expect(nominalDelay(1000)).toBe(3_600_000);
  });

  it('jitters within ±25 % of the nominal delay, at the cap too', () => {
    for (const attempt of [1, 4, 10, 50]) {
      const nominal = nominalDelay(attempt);
      expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 0)).toBe(Math.round(nominal * 0.75));
      expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.5)).toBe(nominal);
      expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.999999)).toBeLessThanOrEqual(Math.round(nominal * 1.25));
    }
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(3)));
    expect(spread.size).toBeGreaterThan(10);
  });
});

describe.each(dialects)('task queue on %s', (dialect) => {
  let db: TestDb;
  const extra: Db[] = [];
  let clock: ManualClock;
  let registry: TaskRegistry;
  let queue: TaskQueue;

  async function setup(options: { random?: () => number } = {}) {
    db = await createTestDb(dialect);
    clock = new ManualClock('2026-03-01T10:00:00Z');
    registry = new TaskRegistry();
    registry.define({ kind: 'test.echo', lane: 'orders', payload: z.object({ n: z.number() }), handler: async (p) => p });
    registry.define({ kind: 'test.other', lane: 'products', payload: z.object({}).passthrough(), maxAttempts: 3, handler: async () => null });
    queue = new TaskQueue(db, clock, { registry, random: options.random ?? (() => 0.5) });
  }

  /** A second pool/connection on the same database, as another process would have. */
  async function second(): Promise<TaskQueue> {
    const other = await openDatabase(db.url, { schema: db.schema });
    extra.push(other);
    return new TaskQueue(other, clock, { registry });
  }

  afterEach(async () => {
    for (const d of extra.splice(0)) await d.close();
    await db?.cleanup();
  });

  const claimOrders = (q: TaskQueue, workerId = 'w1') => q.claim({ lane: 'orders', kinds: ['test.echo'], workerId, leaseMs: LEASE });

  it('enqueues with the definition defaults, claims with a lease and completes with a result', async () => {
    await setup();
    const { id, deduped, lane } = await queue.enqueue('test.echo', { n: 1 });
    expect(deduped).toBe(false);
    expect(lane).toBe('orders');
    const pending = await queue.get(id);
    expect(pending).toMatchObject({ status: 'pending', lane: 'orders', attempts: 0, max_attempts: 10, connection_id: null, run_at: clock.now() });

    const claimed = await claimOrders(queue);
    expect(claimed).toMatchObject({ id, status: 'running', attempts: 1, locked_by: 'w1', locked_until: clock.now() + LEASE });
    expect(await claimOrders(queue)).toBeNull();

    expect(await queue.complete(id, 'w1', { ok: true })).toBe(true);
    const done = await queue.get(id);
    expect(done).toMatchObject({ status: 'done', locked_by: null, locked_until: null, finished_at: clock.now() });
    expect(JSON.parse(done!.result!)).toEqual({ ok: true });
  });

  it('refuses an unknown kind without a lane and a payload that fails its schema, at enqueue time', async () => {
    await setup();
    await expect(queue.enqueue('nope', {})).rejects.toThrow(/Unknown task kind "nope"/);
    await expect(queue.enqueue('test.echo', { n: 'x' } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(queue.enqueue('test.echo', { n: 1 }, { maxAttempts: 0 })).rejects.toThrow(/maxAttempts/);
  });

  it('does not claim tasks before run_at, of other lanes or of kinds the worker does not know', async () => {
    await setup();
    await queue.enqueue('test.echo', { n: 1 }, { runAt: clock.now() + 60_000 });
    await queue.enqueue('test.other', {});
    await queue.enqueue('unknown.kind', {}, { lane: 'orders' });
    expect(await claimOrders(queue)).toBeNull();
    clock.advance(60_000);
    expect((await claimOrders(queue))?.kind).toBe('test.echo');
  });

  it('claims by priority, then due time, then age', async () => {
    await setup();
    const low = await queue.enqueue('test.echo', { n: 1 });
    const high = await queue.enqueue('test.echo', { n: 2 }, { priority: 5 });
    const early = await queue.enqueue('test.echo', { n: 3 }, { runAt: clock.now() - 1000 });
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await claimOrders(queue))!.id);
    expect(order).toEqual([high.id, early.id, low.id]);
  });

  it('dedupes: at most one pending task per key; a running one does not block a new pending one', async () => {
    await setup();
    const a = await queue.enqueue('test.echo', { n: 1 }, { dedupeKey: 'k' });
    const b = await queue.enqueue('test.echo', { n: 2 }, { dedupeKey: 'k' });
    expect(b).toEqual({ id: a.id, deduped: true, lane: 'orders' });
    expect(JSON.parse((await queue.get(a.id))!.payload)).toEqual({ n: 1 });
    await claimOrders(queue);
    const c = await queue.enqueue('test.echo', { n: 3 }, { dedupeKey: 'k' });
    expect(c.deduped).toBe(false);
    expect(c.id).not.toBe(a.id);

    // The running one fails while the new one is pending: it goes back to pending without its key (no work lost).
    const outcome = await queue.fail({ id: a.id, attempts: 1, max_attempts: 10 }, 'w1', 'boom');
    expect(outcome.status).toBe('pending');
    const back = await queue.get(a.id);
    expect(back).toMatchObject({ status: 'pending', dedupe_key: null });
    expect((await queue.get(c.id))?.dedupe_key).toBe('k');
  });

  it('dedupes concurrent enqueues from two processes into one task', async () => {
    await setup();
    const other = await second();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? queue : other).enqueue('test.echo', { n: i }, { dedupeKey: 'same' })));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.deduped)).toHaveLength(1);
    expect((await queue.list({ status: 'pending' })).total).toBe(1);
  });

  it('enqueues inside a transaction: invisible and silent until commit, gone on rollback', async () => {
    await setup();
    const woken: string[] = [];
    queue.onEnqueued((lane) => woken.push(lane));
    await queue.transaction(async (tx) => {
      await tx.enqueue('test.echo', { n: 1 });
      expect(woken).toEqual([]);
    });
    expect(woken).toEqual(['orders']);
    await expect(queue.transaction(async (tx) => {
      await tx.enqueue('test.other', {});
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    expect(woken).toEqual(['orders']);
    expect((await queue.list()).total).toBe(1);
  });

  it('claims a batch of exactly the requested size, in claim order', async () => {
    await setup();
    for (let i = 0; i < 30; i++) await queue.enqueue('test.echo', { n: i });
    const batch = await queue.claimMany({ lane: 'orders', kinds: ['test.echo'], workerId: 'w', leaseMs: LEASE, limit: 4 });
    expect(batch.map((t) => JSON.parse(t.payload).n)).toEqual([0, 1, 2, 3]);
    expect(batch.every((t) => t.status === 'running' && t.locked_by === 'w')).toBe(true);
    expect((await queue.list({ status: 'running' })).total).toBe(4);
    const rest = await queue.claimMany({ lane: 'orders', kinds: ['test.echo'], workerId: 'w', leaseMs: LEASE, limit: 100 });
    expect(rest).toHaveLength(26);
  });

  it('claims a batch holding two tasks of one serial key without running both', async () => {
    await setup();
    await queue.enqueue('test.echo', { n: 1 }, { serialKey: 'k1' });
    await queue.enqueue('test.echo', { n: 2 }, { serialKey: 'k1' });
    await queue.enqueue('test.echo', { n: 3 }, { serialKey: 'k2' });
    const claimed: number[] = [];
    for (let i = 0; i < 3; i++) {
      const batch = await queue.claimMany({ lane: 'orders', kinds: ['test.echo'], workerId: 'w', leaseMs: LEASE, limit: 5 });
      claimed.push(...batch.map((t) => JSON.parse(t.payload).n));
    }
    expect(claimed.sort()).toEqual([1, 3]);
    const running = await queue.list({ status: 'running' });
    expect(running.rows.map((r) => r.serial_key).sort()).toEqual(['k1', 'k2']);
  });

  it('never runs two tasks with the same serial key at once; other keys are not held up', async () => {
    await setup();
    const first = await queue.enqueue('test.echo', { n: 1 }, { serialKey: 'order:1' });
    const second = await queue.enqueue('test.echo', { n: 2 }, { serialKey: 'order:1' });
    const free = await queue.enqueue('test.echo', { n: 3 }, { serialKey: 'order:2' });
    expect((await claimOrders(queue))?.id).toBe(first.id);
    expect((await claimOrders(queue, 'w2'))?.id).toBe(free.id);
    expect(await claimOrders(queue, 'w3')).toBeNull();
    await queue.complete(first.id, 'w1', null);
    expect((await claimOrders(queue, 'w3'))?.id).toBe(second.id);
  });

  it('holds serial keys under concurrent claims from two processes (the unique index is the guarantee)', async () => {
    await setup();
    const other = await second();
    for (let i = 0; i < 40; i++) await queue.enqueue('test.echo', { n: i }, { serialKey: `k${i % 4}` });
    const claims = await Promise.all(Array.from({ length: 16 }, (_, i) => claimOrders(i % 2 ? queue : other, `w${i}`)));
    const keys = claims.filter((c) => c !== null).map((c) => c!.serial_key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeLessThanOrEqual(4);
    const running = await queue.list({ status: 'running' });
    expect(new Set(running.rows.map((r) => r.serial_key)).size).toBe(running.total);
  });

  it('retries a failure after the backoff of its attempt, keeps the last error, and dead-letters after max attempts', async () => {
    await setup();
    const { id } = await queue.enqueue('test.other', {});
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const task = await queue.claim({ lane: 'products', kinds: ['test.other'], workerId: 'w', leaseMs: LEASE });
      expect(task?.attempts).toBe(attempt);
      const outcome = await queue.fail(task!, 'w', `failure ${attempt}`);
      if (attempt < 3) {
        expect(outcome.status).toBe('pending');
        const row = await queue.get(id);
        delays.push(row!.run_at - clock.now());
        expect(row).toMatchObject({ status: 'pending', last_error: `failure ${attempt}`, locked_by: null });
        // Not claimable before its time.
        clock.advance(row!.run_at - clock.now() - 1);
        expect(await queue.claim({ lane: 'products', kinds: ['test.other'], workerId: 'w', leaseMs: LEASE })).toBeNull();
        clock.advance(1);
      } else {
        expect(outcome).toEqual({ status: 'dead', reason: 'failure 3 (gave up after 3 attempts)' });
      }
    }
    expect(delays).toEqual([nominalDelay(1), nominalDelay(2)]);
    expect(await queue.get(id)).toMatchObject({ status: 'dead', attempts: 3, last_error: 'failure 3 (gave up after 3 attempts)', finished_at: clock.now() });
  });

  it('dead-letters a permanent failure at once', async () => {
    await setup();
    const { id } = await queue.enqueue('test.echo', { n: 1 });
    const task = await claimOrders(queue);
    expect(await queue.fail(task!, 'w1', 'PermanentError: SKU unknown', { permanent: true })).toEqual({ status: 'dead', reason: 'PermanentError: SKU unknown' });
    expect(await queue.get(id)).toMatchObject({ status: 'dead', attempts: 1, last_error: 'PermanentError: SKU unknown' });
  });

  it('reschedules a rate-limited task at retryAfter without spending an attempt', async () => {
    await setup();
    const { id } = await queue.enqueue('test.other', {});
    for (let i = 0; i < 5; i++) {
      const task = await queue.claim({ lane: 'products', kinds: ['test.other'], workerId: 'w', leaseMs: LEASE });
      expect(task?.attempts).toBe(1);
      expect(await queue.reschedule(id, 'w', 120_000, 'Rate limited')).toBe(true);
      expect(await queue.get(id)).toMatchObject({ status: 'pending', attempts: 0, run_at: clock.now() + 120_000, last_error: 'Rate limited' });
      clock.advance(120_000);
    }
  });

  it('retries a dead task by hand: pending now, attempts reset, last error kept; refuses other statuses', async () => {
    await setup();
    const woken: string[] = [];
    queue.onEnqueued((lane) => woken.push(lane));
    const { id } = await queue.enqueue('test.echo', { n: 1 });
    await expect(queue.retry(id)).rejects.toThrow(`Task #${id} is pending: only dead tasks can be retried`);
    await expect(queue.retry(999_999)).rejects.toThrow('No task #999999');
    const task = await claimOrders(queue);
    await queue.fail(task!, 'w1', 'bad', { permanent: true });
    clock.advance(5000);
    const retried = await queue.retry(id);
    expect(retried).toMatchObject({ status: 'pending', attempts: 0, run_at: clock.now(), last_error: 'bad', finished_at: null });
    expect(woken).toEqual(['orders', 'orders']);
    expect((await claimOrders(queue))?.id).toBe(id);
  });

  it('reaps expired leases: back to pending, and a stale holder can no longer record an outcome', async () => {
    await setup();
    const { id } = await queue.enqueue('test.echo', { n: 1 });
    await claimOrders(queue, 'dying');
    clock.advance(LEASE - 1);
    expect(await queue.reap()).toEqual({ requeued: [], dead: [] });
    expect(await queue.heartbeat(id, 'dying', LEASE)).toBe(true);
    clock.advance(LEASE + 1);
    const reaped = await queue.reap();
    expect(reaped.requeued.map((t) => t.id)).toEqual([id]);
    expect(await queue.get(id)).toMatchObject({ status: 'pending', attempts: 1, locked_by: null, last_error: expect.stringContaining('Lease expired: worker dying') });
    const again = await claimOrders(queue, 'w2');
    expect(again?.attempts).toBe(2);
    expect(await queue.complete(id, 'dying', 'stale')).toBe(false);
    expect(await queue.heartbeat(id, 'dying', LEASE)).toBe(false);
    expect(await queue.complete(id, 'w2', 'fresh')).toBe(true);
    expect((await queue.get(id))?.result).toBe('"fresh"');
  });

  it('dead-letters a task whose lease expired on its last attempt', async () => {
    await setup();
    const { id } = await queue.enqueue('test.echo', { n: 1 }, { maxAttempts: 1 });
    await claimOrders(queue, 'dying');
    clock.advance(LEASE + 1);
    const reaped = await queue.reap();
    expect(reaped.dead.map((t) => t.id)).toEqual([id]);
    expect(await queue.get(id)).toMatchObject({ status: 'dead', last_error: expect.stringMatching(/Lease expired.*no attempts left/) });
  });

  it('releases a lease: pending at once with the attempt given back', async () => {
    await setup();
    const { id } = await queue.enqueue('test.echo', { n: 1 });
    await claimOrders(queue);
    expect(await queue.release(id, 'other-worker')).toBe(false);
    expect(await queue.release(id, 'w1')).toBe(true);
    expect(await queue.get(id)).toMatchObject({ status: 'pending', attempts: 0, locked_by: null, run_at: clock.now() });
  });

  it('lists with filters, totals, per-status counts and paging; counts by status and lane', async () => {
    await setup();
    const now = clock.now();
    const conn = await db.kysely.insertInto('connections').values({
      name: 'shop-a', active: 1, odoo_url: 'http://o', odoo_db: 'd', odoo_login: 'l', odoo_api_key: 'x', poleepo_base_url: 'http://p',
      poleepo_client_id: 'c', poleepo_client_secret: 's', settings: '{}', created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    for (let i = 0; i < 7; i++) await queue.enqueue('test.echo', { n: i }, { connectionId: conn.id });
    for (let i = 0; i < 3; i++) await queue.enqueue('test.other', {});
    await claimOrders(queue);

    const page1 = await queue.list({ connectionName: 'shop-a' }, { limit: 5 });
    expect(page1.total).toBe(7);
    expect(page1.rows).toHaveLength(5);
    expect(page1.rows[0].connection_name).toBe('shop-a');
    expect(page1.byStatus).toEqual({ pending: 6, running: 1, done: 0, dead: 0 });
    const page2 = await queue.list({ connectionName: 'shop-a' }, { limit: 5, offset: 5 });
    expect(page2.rows.map((r) => r.id)).not.toContain(page1.rows[0].id);
    expect(page2.rows).toHaveLength(2);
    expect((await queue.list({ status: 'running' })).total).toBe(1);
    expect((await queue.list({ lane: 'products' })).total).toBe(3);
    expect((await queue.list({ kind: 'test.other', status: 'pending' })).rows.every((r) => r.connection_name === null)).toBe(true);
    expect((await queue.list({ connectionId: conn.id, status: 'pending' })).total).toBe(6);

    const counts = await queue.countsByStatusAndLane();
    expect(counts.sort((a, b) => (a.lane + a.status).localeCompare(b.lane + b.status))).toEqual([
      { status: 'pending', lane: 'orders', count: 6 },
      { status: 'running', lane: 'orders', count: 1 },
      { status: 'pending', lane: 'products', count: 3 },
    ]);
  });

  it('cleans finished tasks older than a cutoff, by status, and nothing unfinished', async () => {
    await setup();
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push((await queue.enqueue('test.echo', { n: i })).id);
    const a = await claimOrders(queue);
    await queue.complete(a!.id, 'w1', null);
    const b = await claimOrders(queue);
    await queue.fail(b!, 'w1', 'x', { permanent: true });
    clock.advance(86_400_000);
    const c = await claimOrders(queue);
    await queue.complete(c!.id, 'w1', null);
    await claimOrders(queue); // running, old enough but unfinished

    expect(await queue.cleanFinished(clock.now() - 1000, ['done'])).toBe(1);
    expect(await queue.get(a!.id)).toBeUndefined();
    expect(await queue.get(b!.id)).toBeDefined();
    expect(await queue.cleanFinished(clock.now() - 1000)).toBe(1);
    expect(await queue.get(b!.id)).toBeUndefined();
    expect((await queue.list()).byStatus).toEqual({ pending: 2, running: 1, done: 1, dead: 0 });
  });
});
