import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { createContext } from '../src/app/context.ts';
import { limiterFor } from '../src/connections/connections.odoo.ts';
import { OdooLimiter, withOdooPriority, type OdooPriority } from '../src/odoo/odoo.limiter.ts';
import { createTestDb } from './helpers/db.ts';
import { testConfig } from './helpers/config.ts';

/**
 * The per-connection Odoo limiter: order and shipping work (interactive) before the product export (bulk), one slot
 * kept for interactive calls, bulk held back while an order's calls come one after another, waits aborted by the
 * task's signal, and the wait reported for the metric. Driven on a ManualClock (as its scheduling clock too); "calls" are
 * promises the test settles.
 */

/** A call the test holds open: `started` once the limiter let it run, `finish()` ends it. */
function call(limiter: OdooLimiter, name: string, log: string[], opts: { priority?: OdooPriority; signal?: AbortSignal } = {}) {
  let finish!: () => void;
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const done = limiter.run(() => {
    log.push(name);
    markStarted();
    return new Promise<string>((resolve) => (finish = () => resolve(name)));
  }, opts);
  done.catch(() => undefined);
  return { started, done, finish: () => finish() };
}

/** Lets every promise continuation that is ready run (the limiter starts calls synchronously or in microtasks). */
async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('Odoo limiter', () => {
  it('keeps a slot for interactive calls: a flood of bulk calls uses maxConcurrent − 1, an order call starts at once', async () => {
    const clock = new ManualClock();
    const limiter = new OdooLimiter(clock, { maxConcurrent: 2 }, { interactiveHoldMs: 250, schedulingClock: clock });
    const log: string[] = [];
    const pages = [1, 2, 3].map((i) => call(limiter, `page${i}`, log, { priority: 'bulk' }));
    await settle();
    expect(log).toEqual(['page1']);
    const order = call(limiter, 'order', log);
    await order.started;
    expect(log).toEqual(['page1', 'order']);
    expect(limiter.queuedOf('bulk')).toBe(2);
    order.finish();
    pages[0].finish();
    await pages[0].done;
    clock.advance(250);
    await pages[1].started;
    await settle();
    expect(log).toEqual(['page1', 'order', 'page2']); // still one bulk call at a time
    pages[1].finish();
    await pages[2].started;
    pages[2].finish();
  });

  it('serves waiting interactive calls before waiting bulk calls, whatever the order they came in', async () => {
    const clock = new ManualClock();
    const limiter = new OdooLimiter(clock, { maxConcurrent: 1 }, { interactiveHoldMs: 0, schedulingClock: clock });
    const log: string[] = [];
    const first = call(limiter, 'page1', log, { priority: 'bulk' });
    await first.started;
    const page2 = call(limiter, 'page2', log, { priority: 'bulk' });
    const order1 = call(limiter, 'order1', log);
    const order2 = call(limiter, 'order2', log);
    first.finish();
    await order1.started;
    order1.finish();
    await order2.started;
    order2.finish();
    await page2.started;
    page2.finish();
    expect(log).toEqual(['page1', 'order1', 'order2', 'page2']);
  });

  it('holds bulk calls back between the calls of an order (interactiveHoldMs), but never longer than maxBulkWaitMs', async () => {
    const clock = new ManualClock();
    const limiter = new OdooLimiter(clock, { maxConcurrent: 2 }, { interactiveHoldMs: 250, maxBulkWaitMs: 2_000, schedulingClock: clock });
    const log: string[] = [];
    const first = call(limiter, 'order.read', log);
    await first.started;
    const page = call(limiter, 'page', log, { priority: 'bulk' });
    await settle();
    expect(log).toEqual(['order.read']); // an interactive call is running: the page waits although a slot is free
    first.finish();
    await first.done;
    clock.advance(100);
    await settle();
    expect(log).toEqual(['order.read']); // within the hold
    const second = call(limiter, 'order.write', log);
    await second.started;
    second.finish();
    await second.done;
    clock.advance(249);
    await settle();
    expect(log).toEqual(['order.read', 'order.write']); // the hold counts from the last interactive call
    clock.advance(1);
    await page.started;
    expect(log).toEqual(['order.read', 'order.write', 'page']);
    page.finish();

    // Orders without a pause: the export still advances, one call every maxBulkWaitMs at least.
    const busy = call(limiter, 'order.long', log);
    await busy.started;
    const starved = call(limiter, 'page.2', log, { priority: 'bulk' });
    clock.advance(1_999);
    await settle();
    expect(log.at(-1)).toBe('order.long');
    clock.advance(1);
    await starved.started;
    busy.finish();
    starved.finish();
  });

  it('tells bulk work whether interactive calls are running, waiting, or ended within a window', async () => {
    const clock = new ManualClock();
    const limiter = new OdooLimiter(clock, { maxConcurrent: 1 }, { schedulingClock: clock });
    const log: string[] = [];
    expect(limiter.interactiveWithin(10_000)).toBe(false);
    const page = call(limiter, 'page', log, { priority: 'bulk' });
    await page.started;
    expect(limiter.interactiveWithin(10_000)).toBe(false);
    const order = call(limiter, 'order', log);
    await settle();
    expect(limiter.interactiveWithin(0)).toBe(true); // waiting
    page.finish();
    await order.started;
    expect(limiter.interactiveWithin(0)).toBe(true); // running
    order.finish();
    await order.done;
    expect(limiter.interactiveWithin(0)).toBe(false);
    clock.advance(9_999);
    expect(limiter.interactiveWithin(10_000)).toBe(true);
    clock.advance(1);
    expect(limiter.interactiveWithin(10_000)).toBe(false);
  });

  it('a waiting call whose signal is aborted leaves the queue at once with the signal\'s reason', async () => {
    const clock = new ManualClock();
    const limiter = new OdooLimiter(clock, { maxConcurrent: 1 }, { schedulingClock: clock });
    const log: string[] = [];
    const holding = call(limiter, 'holding', log);
    await holding.started;
    const controller = new AbortController();
    const waiting = call(limiter, 'waiting', log, { signal: controller.signal });
    const next = call(limiter, 'next', log);
    await settle();
    expect(limiter.queued).toBe(2);
    const reason = new Error('Timed out after 60000 ms');
    controller.abort(reason);
    await expect(waiting.done).rejects.toBe(reason);
    expect(limiter.queued).toBe(1);
    holding.finish();
    await next.started;
    next.finish();
    expect(log).toEqual(['holding', 'next']);
    await expect(limiter.run(async () => 'never', { signal: controller.signal })).rejects.toBe(reason);
  });

  it('reports each call\'s wait with its priority; withOdooPriority sets the priority of every call inside it', async () => {
    const clock = new ManualClock();
    const waits: [OdooPriority, number][] = [];
    const limiter = new OdooLimiter(clock, { maxConcurrent: 2 }, { interactiveHoldMs: 0, onWait: (p, ms) => waits.push([p, ms]), schedulingClock: clock });
    const log: string[] = [];
    const page1 = withOdooPriority('bulk', () => call(limiter, 'page1', log));
    await page1.started;
    const page2 = withOdooPriority('bulk', () => call(limiter, 'page2', log));
    clock.advance(40);
    page1.finish();
    await page2.started;
    page2.finish();
    const order = call(limiter, 'order', log);
    await order.started;
    order.finish();
    expect(waits).toEqual([['bulk', 0], ['bulk', 40], ['interactive', 0]]);
  });

  it('a connection\'s limiter reports its waits as poleepo_odoo_odoo_wait_seconds{connection, priority}', async () => {
    const db = await createTestDb('sqlite');
    const ctx = await createContext(testConfig(), { db, clock: new ManualClock(), logger: silentLogger });
    try {
      const limiter = limiterFor(ctx, 7, { maxConcurrent: 2 });
      expect(limiterFor(ctx, 7, { maxConcurrent: 2 })).toBe(limiter);
      await limiter.run(async () => 1);
      await withOdooPriority('bulk', () => limiter.run(async () => 2));
      const text = await ctx.metrics.render();
      expect(text).toContain('# TYPE poleepo_odoo_odoo_wait_seconds histogram');
      expect(text).toMatch(/poleepo_odoo_odoo_wait_seconds_count\{connection="7",priority="interactive"\} 1/);
      expect(text).toMatch(/poleepo_odoo_odoo_wait_seconds_count\{connection="7",priority="bulk"\} 1/);
    } finally {
      await ctx.close();
      await db.cleanup();
    }
  });
});
