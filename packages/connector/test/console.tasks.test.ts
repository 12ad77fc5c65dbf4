import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { consoleFixture, type ConsoleFixture } from './helpers/console.ts';
import { Worker } from '../src/tasks/task.worker.ts';
import { PermanentError } from '../src/shared/errors.ts';

describe('console tasks page and dashboard', () => {
  let f: ConsoleFixture;
  afterEach(async () => {
    await f?.close();
  });

  /** A real task kind that fails for good, run by a real worker: its task becomes a dead letter. */
  async function deadLetter(note: string): Promise<number> {
    const { id } = await f.ctx.tasks.enqueue('test.fails', { note, email: 'mario@example.com', api_key: 'SECRET-KEY-42' });
    const worker = new Worker({ queue: f.ctx.tasks, registry: f.ctx.taskRegistry, clock: f.clock, workerId: `w-${id}` });
    const settled = await worker.runOne(id);
    expect(settled?.outcome).toBe('dead');
    return id;
  }

  async function setup() {
    f = await consoleFixture('sqlite');
    f.ctx.taskRegistry.define({
      kind: 'test.fails', lane: 'products', payload: z.object({ note: z.string(), email: z.string(), api_key: z.string() }),
      handler: async (p) => {
        throw new PermanentError(`Poleepo refused product ${p.note}: PARENT_NOT_FOUND`);
      },
    });
    f.ctx.taskRegistry.define({ kind: 'test.ok', lane: 'orders', payload: z.object({ n: z.number() }), handler: async () => ({ ok: true }) });
    for (let n = 0; n < 3; n++) await f.ctx.tasks.enqueue('test.ok', { n });
  }

  it('lists tasks with counts by status, filters by status and lane, and shows the last error of dead letters', async () => {
    await setup();
    await deadLetter('SKU-1');
    const operator = await f.loggedIn('operator');
    const all = await (await operator.get('/tasks')).text();
    expect(all).toContain('All (4)');
    expect(all).toContain('Pending (3)');
    expect(all).toContain('Dead letter (1)');
    expect(all).toContain('PermanentError: Poleepo refused product SKU-1: PARENT_NOT_FOUND');
    const dead = await (await operator.get('/tasks?status=dead')).text();
    expect(dead).toContain('test.fails');
    expect(dead).not.toContain('test.ok');
    expect(dead).toContain('aria-label="Retry task');
    const orders = await (await operator.get('/tasks?lane=orders')).text();
    expect(orders).toContain('test.ok');
    expect(orders).not.toContain('test.fails');
    expect(orders).not.toContain('aria-label="Retry task');
  });

  it('shows one task with its payload redacted', async () => {
    await setup();
    const id = await deadLetter('SKU-2');
    const operator = await f.loggedIn('operator');
    const html = await (await operator.get(`/tasks/${id}`)).text();
    expect(html).toContain('Task #' + id);
    expect(html).toContain('SKU-2');
    expect(html).toContain('[redacted]');
    expect(html).not.toContain('mario@example.com');
    expect(html).not.toContain('SECRET-KEY-42');
    expect((await operator.get('/tasks/999999')).status).toBe(404);
  });

  it('retries a dead letter (an operator may), back to the list with its filters, and refuses a task that is not dead', async () => {
    await setup();
    const id = await deadLetter('SKU-3');
    const operator = await f.loggedIn('operator');
    const res = await operator.post(`/tasks/${id}/retry`, { back: '/tasks?status=dead' });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/tasks?status=dead');
    const task = await f.ctx.tasks.get(id);
    expect(task).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await (await operator.get('/tasks?status=dead')).text()).toContain(`Task #${id} queued again.`);
    const again = await operator.post(`/tasks/${id}/retry`, {});
    expect(again.headers.get('Location')).toBe(`/tasks/${id}`);
    expect(await (await operator.get(`/tasks/${id}`)).text()).toContain(`Task #${id} is not a dead letter any more`);
    // Only paths of the tasks pages are followed back.
    const offsite = await operator.post(`/tasks/${id}/retry`, { back: 'https://evil.example/' });
    expect(offsite.headers.get('Location')).toBe(`/tasks/${id}`);
  });

  it('answers a retry from htmx with HX-Location (the page reloads in place, URL included)', async () => {
    await setup();
    const id = await deadLetter('SKU-4');
    const operator = await f.loggedIn('operator');
    const res = await operator.post(`/tasks/${id}/retry`, { back: '/tasks' }, { headers: { 'HX-Request': 'true' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.headers.get('HX-Location')!)).toEqual({ path: '/tasks', target: 'body' });
  });

  it('summarises tasks by status, dead letters and recent API errors on the dashboard', async () => {
    await setup();
    await deadLetter('SKU-5');
    f.ctx.apiLog.record({ system: 'poleepo', direction: 'outbound', method: 'GET', path: '/orders', status: 503, durationMs: 40, error: 'HTTP 503 upstream down' });
    await f.ctx.apiLog.flush();
    const operator = await f.loggedIn('operator');
    const html = await (await operator.get('/')).text();
    expect(html).toContain('Tasks by status');
    expect(html).toMatch(/<span class="value">3<\/span><span class="label">Pending<\/span>/);
    expect(html).toMatch(/class="card alert" href="\/tasks\?status=dead"><span class="value">1<\/span>/);
    expect(html).toContain('Poleepo refused product SKU-5');
    expect(html).toContain('HTTP 503 upstream down');
    // Operators see no job information; administrators do.
    expect(html).not.toContain('Last job runs');
    const admin = await f.loggedIn('admin');
    expect(await (await admin.get('/')).text()).toContain('Last job runs');
  });
});
