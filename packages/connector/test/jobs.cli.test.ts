import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';
import { openDatabase, type Db } from '../src/storage/db.ts';
import { migrateToLatest } from '../src/storage/migrator.ts';
import { loadConfig } from '../src/config/env.ts';
import { createContext } from '../src/app/context.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { startOdooEmulator } from '@poleepo-odoo/odoo-emulator';
import { startPoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';

const DAY = 86_400_000;

describe('jobs CLI', () => {
  let dir: string;
  let db: Db;
  let env: Record<string, string>;

  afterEach(async () => {
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function setup() {
    dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-jobs-cli-'));
    env = { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
    db = await openDatabase(env.DATABASE_URL);
    await migrateToLatest(db);
  }

  const runs = () => db.kysely.selectFrom('job_runs').selectAll().orderBy('id').execute();

  it('lists every job with its interval, state and next run; --json for scripts', async () => {
    await setup();
    const r = await cli(['jobs', 'list'], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+JOB\s+ENABLED\s+EVERY\s+LAST RUN\s+NOW\s+NEXT RUN\s+LAST RESULT$/);
    expect(lines).toHaveLength(10);
    expect(r.stdout).toMatch(/^process-webhook-queue\s+Process Webhook Queue\s+yes\s+1m\s+\d{4}-/m);
    expect(r.stdout).toMatch(/^webhook-queue-cleaning\s+Webhook Queue Cleaning\s+yes\s+manual\s+/m);
    expect(r.stdout).toMatch(/^poll-product-batches\s+Poll Product Batches\s+yes\s+10m\s+/m);
    expect(r.stdout).toMatch(/^api-log-cleanup\s+API Log Cleanup\s+yes\s+1d\s+/m);
    expect(r.stdout).toMatch(/^order-polling\s+Order Polling\s+yes\s+5m\s+/m);
    const json = JSON.parse((await cli(['jobs', 'list', '--json'], env)).stdout);
    // Jobs whose module has not plugged a handler in yet say so (which ones changes as modules arrive).
    for (const j of json as { name: string; handlerConfigured: boolean }[]) {
      const row = r.stdout.split('\n').find((l) => l.startsWith(`${j.name} `))!;
      expect(row.endsWith('(handler arrives later)'), row).toBe(!j.handlerConfigured);
    }
    expect(json.map((j: { name: string }) => j.name)).toEqual([
      'process-webhook-queue', 'webhook-queue-cleaning', 'generate-product-batches', 'poll-product-batches',
      'api-log-cleanup', 'order-polling', 'shipment-polling', 'product-reconciliation', 'invoice-sync',
    ]);
    expect(json.find((j: { name: string }) => j.name === 'api-log-cleanup').handlerConfigured).toBe(true);
  });

  it('queues a run for the workers, and says so; a second run-now reports the queued one instead', async () => {
    await setup();
    const first = await cli(['jobs', 'run', 'Product Reconciliation'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('Queued run #1 of Product Reconciliation (task #1).\nA running worker (poleepo-odoo start or work) executes it; follow it with "poleepo-odoo jobs list", or run it in this process with --inline.\n');
    const second = await cli(['jobs', 'run', 'product-reconciliation'], env);
    expect(second.stdout).toBe('Product Reconciliation already has run #1 queued (task #1); nothing new was queued.\n');
    expect(await runs()).toEqual([expect.objectContaining({ job_name: 'product-reconciliation', trigger: 'manual', status: 'queued', task_id: 1 })]);
    const task = await db.kysely.selectFrom('tasks').selectAll().executeTakeFirstOrThrow();
    expect(task).toMatchObject({ kind: 'job.run', lane: 'jobs', status: 'pending' });
    // The queued run is executed in this process with --inline (no worker is running).
    // With no connection configured, it ends done or not_configured (an honest message), never failed.
    const inline = await cli(['jobs', 'run', 'product-reconciliation', '--inline'], env);
    expect(inline.code, inline.stderr).toBe(0);
    expect(inline.stdout).toMatch(/^Running Product Reconciliation \(run #1, task #1\) in this process…\nRun #1 of Product Reconciliation: (done\.|not configured — .+)\n/);
    expect((await runs())[0].status).toMatch(/^(done|not_configured)$/);
  });

  it('runs API Log Cleanup inline: old API log entries are deleted and the result is printed', async () => {
    await setup();
    const now = Date.now();
    const entry = (ageDays: number) => ({ connection_id: null, system: 'odoo' as const, direction: 'outbound' as const, method: 'POST', path: `/json/2/x/${ageDays}`, status: 200, duration_ms: 3, error: null, request_body: null, response_body: null, created_at: now - ageDays * DAY });
    await db.kysely.insertInto('api_log').values([entry(40), entry(35), entry(1)]).execute();
    const r = await cli(['jobs', 'run', 'API Log Cleanup', '--inline'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Run #1 of API Log Cleanup: done.');
    expect(JSON.parse(r.stdout.slice(r.stdout.indexOf('{')))).toMatchObject({ apiLogDeleted: 2, ledgerPruned: 0 });
    expect((await db.kysely.selectFrom('api_log').select('path').execute()).map((e) => e.path)).toEqual(['/json/2/x/1']);
    expect(await runs()).toEqual([expect.objectContaining({ status: 'done', trigger: 'manual' })]);
    const list = JSON.parse((await cli(['jobs', 'list', '--json'], env)).stdout);
    expect(list.find((j: { name: string }) => j.name === 'api-log-cleanup').lastRun).toMatchObject({ status: 'done', result: { apiLogDeleted: 2 } });
  });

  it('--inline runs the work the run queued too (one products.generate per connection), not only the job\'s own task', async () => {
    await setup();
    const odoo = await startOdooEmulator({ version: 18 });
    const poleepo = await startPoleepoSandbox();
    try {
      const ctx = await createContext(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { migrate: true, logger: silentLogger });
      const key = poleepo.clients[0]!;
      await new ConnectionsService(ctx).create({
        name: 'shop', odoo: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, companyId: 1 },
        poleepo: { baseUrl: poleepo.url, clientId: key.clientId, clientSecret: key.clientSecret },
      });
      await ctx.close();
      const r = await cli(['jobs', 'run', 'generate-product-batches', '--inline'], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('of Generate Product Batches: done.');
      expect(r.stdout).toContain('The run queued 1 task(s); run here:');
      expect(r.stdout).toMatch(/^\d+\s+products\.generate\s+done\s*$/m);
      expect(r.stdout).not.toContain('still queued');
      const tasks = await db.kysely.selectFrom('tasks').select(['kind', 'status']).orderBy('id').execute();
      // The job's own task and the work it queued: both done, nothing left waiting for a worker that is not running.
      expect(tasks.map((t) => t.status)).toEqual(['done', 'done']);
      expect(tasks[1]!.kind).toBe('products.generate');
    } finally {
      await poleepo.stop();
      await odoo.stop();
    }
  });

  it('refuses a Poll Product Batches interval below its rate-limit window, with the reason on one line', async () => {
    await setup();
    const refused = await cli(['jobs', 'set-interval', 'poll-product-batches', '5m'], env);
    expect(refused.code).toBe(1);
    // One line, naming the interval asked, the window that forbids it (the connections' batch-status window) and the way out.
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^Error: Poll Product Batches cannot run every 5m: .*10m.*5 requests per window.*Choose 10m or more\.\n$/);
    const ok = await cli(['jobs', 'set-interval', 'Poll Product Batches', '20m'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Poll Product Batches now runs every 20m; next run at \d{4}-\d\d-\d\dT\d\d:\d\d:00Z\.\n$/);
    const manual = await cli(['jobs', 'set-interval', 'generate-product-batches', 'manual'], env);
    expect(manual.stdout).toBe('Generate Product Batches now runs only when run by hand.\n');
    const cleaning = await cli(['jobs', 'set-interval', 'webhook-queue-cleaning', '1d'], env);
    expect(cleaning.stdout).toMatch(/^Webhook Queue Cleaning now runs every 1d; next run at \d{4}-\d\d-\d\dT00:00:00Z\.\n$/);
    const rows = await db.kysely.selectFrom('job_schedules').select(['name', 'interval_ms']).execute();
    expect(Object.fromEntries(rows.map((r) => [r.name, r.interval_ms]))).toMatchObject({
      'poll-product-batches': 20 * 60_000, 'generate-product-batches': null, 'webhook-queue-cleaning': DAY,
    });
  });

  it('enables and disables jobs', async () => {
    await setup();
    const off = await cli(['jobs', 'disable', 'process-webhook-queue'], env);
    expect(off).toMatchObject({ code: 0, stdout: 'Process Webhook Queue is disabled.\n' });
    const listed = (await cli(['jobs', 'list'], env)).stdout;
    expect(listed, listed).toMatch(/^process-webhook-queue\s+Process Webhook Queue\s+no\s+1m$/m);
    const on = await cli(['jobs', 'enable', 'Process Webhook Queue'], env);
    expect(on.stdout).toMatch(/^Process Webhook Queue is enabled: 1m, next run at \d{4}-\d\d-\d\dT\d\d:\d\d:00Z\.\n$/);
    const row = await db.kysely.selectFrom('job_schedules').selectAll().where('name', '=', 'process-webhook-queue').executeTakeFirstOrThrow();
    expect(row.enabled).toBe(1);
  });

  it('refuses unknown jobs, bad durations and missing arguments with one line and exit code 1', async () => {
    await setup();
    for (const [args, pattern] of [
      [['jobs', 'run', 'polling'], /^Error: Unknown job "polling". Jobs: process-webhook-queue, webhook-queue-cleaning, .*product-reconciliation, invoice-sync\n$/],
      [['jobs', 'enable', 'nope'], /^Error: Unknown job "nope"/],
      [['jobs', 'set-interval', 'order-polling', 'often'], /^Error: "often" is not a duration \(examples: 90s, 2m, 10m, 1h, 1d\)\n$/],
      [['jobs', 'set-interval', 'order-polling', '5s'], /^Error: The interval of Order Polling must be at least 10s \(got 5s\)\n$/],
      [['jobs', 'set-interval', 'order-polling'], /^Error: missing required argument 'duration' \(see --help\)\n$/],
    ] as [string[], RegExp][]) {
      const r = await cli(args, env);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(pattern);
    }
  });

  it('has --help everywhere', async () => {
    await setup();
    const group = await cli(['jobs', '--help'], env);
    expect(group.code).toBe(0);
    for (const sub of ['list [options]', 'run [options] <name>', 'enable <name>', 'disable <name>', 'set-interval <name> <duration>']) expect(group.stdout).toContain(sub);
    expect((await cli(['jobs', 'run', '--help'], env)).stdout).toContain('--inline');
    expect((await cli(['jobs', 'list', '--help'], env)).stdout).toContain('--json');
    expect((await cli(['jobs', 'set-interval', '--help'], env)).stdout).toContain('manual');
  });
});
