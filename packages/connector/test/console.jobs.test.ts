import { afterEach, describe, expect, it } from 'vitest';
import { consoleFixture, type ConsoleFixture } from './helpers/console.ts';
import { Worker } from '../src/tasks/task.worker.ts';

describe('console scheduled jobs page', () => {
  let f: ConsoleFixture;
  afterEach(async () => {
    await f?.close();
  });

  it('lists every job with interval, enabled, last and next run, and the Poll Product Batches floor explained', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin', 'anna', 'en');
    const html = await (await admin.get('/jobs')).text();
    for (const title of ['Process Webhook Queue', 'Webhook Queue Cleaning', 'Generate Product Batches', 'Poll Product Batches', 'API Log Cleanup']) expect(html).toContain(title);
    expect(html).toContain('every 2 min');
    expect(html).toContain('every 10 min');
    expect(html).toContain('Manual only');
    expect(html).toContain('Never more often than every 10 min: Poleepo allows only 5 requests per rate-limit window (10 min)');
    // Next run of the 2-minute job: the next boundary after 09:00 UTC (10:00 in Rome), i.e. 10:02.
    expect(html).toContain('2 Mar 2026, 10:02:00');
    const it = await f.loggedIn('admin', 'beppe', 'it');
    const italian = await (await it.get('/jobs')).text();
    expect(italian).toContain('Verifica lotti prodotti');
    expect(italian).toContain('ogni 10 min');
    expect(italian).toContain('Solo manuale');
  });

  it('runs a job now, shows it queued, then done once a worker ran it; a second "run now" does not overlap', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin');
    const res = await admin.post('/jobs/api-log-cleanup/run', {});
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/jobs');
    const queued = await (await admin.get('/jobs')).text();
    expect(queued).toMatch(/API Log Cleanup: run #\d+ queued\./);
    expect(queued).toContain('<span class="badge badge-info">Queued</span>');
    const again = await admin.post('/jobs/api-log-cleanup/run', { from: 'detail' });
    expect(again.headers.get('Location')).toBe('/jobs/api-log-cleanup');
    expect(await (await admin.get('/jobs/api-log-cleanup')).text()).toContain('is already queued or running; no other run was queued.');
    const run = (await f.ctx.jobs.get('api-log-cleanup')).activeRun!;
    const worker = new Worker({ queue: f.ctx.tasks, registry: f.ctx.taskRegistry, clock: f.clock, workerId: 'w1' });
    expect((await worker.runOne(run.taskId!))?.outcome).toBe('done');
    const detail = await (await admin.get('/jobs/api-log-cleanup')).text();
    expect(detail).toContain('<span class="badge badge-ok">Done</span>');
    expect(detail).toContain(`href="/tasks/${run.taskId}"`);
  });

  it('shows a job without its module as not configured, which is not a failure', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin');
    await admin.post('/jobs/order-polling/run', {});
    const run = (await f.ctx.jobs.get('order-polling')).activeRun!;
    const worker = new Worker({ queue: f.ctx.tasks, registry: f.ctx.taskRegistry, clock: f.clock, workerId: 'w1' });
    await worker.runOne(run.taskId!);
    const html = await (await admin.get('/jobs/order-polling')).text();
    expect(html).toContain('This job has nothing to run yet');
    expect(html).toContain('<span class="badge badge-muted">Not configured</span>');
  });

  it('disables and enables a job', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin');
    expect((await admin.post('/jobs/generate-product-batches/disable', {})).status).toBe(303);
    expect((await f.ctx.jobs.get('generate-product-batches')).enabled).toBe(false);
    const html = await (await admin.get('/jobs')).text();
    expect(html).toContain('Generate Product Batches disabled.');
    expect(html).toContain('aria-label="Enable Generate Product Batches"');
    expect((await admin.post('/jobs/generate-product-batches/enable', { from: 'detail' })).headers.get('Location')).toBe('/jobs/generate-product-batches');
    expect((await f.ctx.jobs.get('generate-product-batches')).enabled).toBe(true);
  });

  it('sets an interval, refuses one below the Poll Product Batches floor with the reason, and allows manual only', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin');
    expect((await admin.post('/jobs/generate-product-batches/interval', { every: '5', unit: 'min' })).status).toBe(303);
    expect((await f.ctx.jobs.get('generate-product-batches')).intervalMs).toBe(300_000);
    const refused = await admin.post('/jobs/poll-product-batches/interval', { every: '5', unit: 'min', from: 'detail' });
    expect(refused.status).toBe(422);
    const text = await refused.text();
    expect(text).toContain('Poll Product Batches cannot run more often than every 10 min. Poleepo allows only 5 requests per rate-limit window (10 min)');
    expect((await f.ctx.jobs.get('poll-product-batches')).intervalMs).toBe(600_000);
    expect((await admin.post('/jobs/poll-product-batches/interval', { every: '15', unit: 'min' })).status).toBe(303);
    expect((await f.ctx.jobs.get('poll-product-batches')).intervalMs).toBe(900_000);
    // The floor follows the configured rate-limit window.
    await f.ctx.jobs.settings.set('products.batch_poll_window_ms', 3_600_000);
    const hourly = await (await admin.get('/jobs/poll-product-batches')).text();
    expect(hourly).toContain('Never more often than every 1 h:');
    expect((await admin.post('/jobs/poll-product-batches/interval', { every: '30', unit: 'min' })).status).toBe(422);
    expect((await admin.post('/jobs/webhook-queue-cleaning/interval', { every: '', unit: 'manual' })).status).toBe(303);
    expect((await f.ctx.jobs.get('webhook-queue-cleaning')).intervalMs).toBeNull();
    expect((await admin.post('/jobs/order-polling/interval', { every: 'abc', unit: 'min' })).status).toBe(422);
    expect((await admin.post('/jobs/order-polling/interval', { every: '3', unit: 'weeks' })).status).toBe(422);
    expect((await admin.post('/jobs/no-such-job/interval', { every: '3', unit: 'min' })).status).toBe(404);
    expect((await admin.get('/jobs/no-such-job')).status).toBe(404);
  });
});
