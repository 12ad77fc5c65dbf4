import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';
import { insertTestConnection } from './helpers/connections.ts';
import { openDatabase, type Db } from '../src/storage/db.ts';
import { migrateToLatest } from '../src/storage/migrator.ts';
import { systemClock } from '../src/shared/clock.ts';
import { TaskQueue } from '../src/tasks/task.queue.ts';

describe('tasks CLI', () => {
  let dir: string;
  let db: Db;
  let env: Record<string, string>;
  let queue: TaskQueue;

  afterEach(async () => {
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A SQLite database with a connection, 5 pending tasks (3 of them for shop-a), one dead and one done. */
  async function setup() {
    dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-tasks-cli-'));
    env = { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
    db = await openDatabase(env.DATABASE_URL);
    await migrateToLatest(db);
    const shop = await insertTestConnection(db, 'shop-a');
    queue = new TaskQueue(db, systemClock);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await queue.enqueue('orders.import', { poleepoOrderId: `P${i}` }, { lane: 'orders', connectionId: shop })).id);
    for (let i = 0; i < 2; i++) ids.push((await queue.enqueue('products.export', { batch: i }, { lane: 'products' })).id);
    const dead = (await queue.enqueue('orders.import', { poleepoOrderId: 'P9', customer: { email: 'mario.rossi@example.com' } }, { lane: 'orders', connectionId: shop, priority: 9 })).id;
    const claimed = await queue.claim({ lane: 'orders', kinds: ['orders.import'], workerId: 'w', leaseMs: 30_000 });
    expect(claimed?.id).toBe(dead);
    await queue.fail(claimed!, 'w', 'PermanentError: SKU ABC-1 unknown in Odoo (customer mario.rossi@example.com)', {
      permanent: true, stack: 'PermanentError: SKU ABC-1 unknown in Odoo (customer mario.rossi@example.com)\n    at resolveSkus (orders.products.ts:42:11)',
    });
    const done = (await queue.enqueue('maintenance.noop', {}, { lane: 'maintenance', priority: 9 })).id;
    await queue.claim({ lane: 'maintenance', kinds: ['maintenance.noop'], workerId: 'w', leaseMs: 30_000 });
    await queue.complete(done, 'w', { ok: true });
    return { ids, dead, done };
  }

  it('lists tasks newest first with counts, and filters by status, lane and connection', async () => {
    const { dead } = await setup();
    const all = await cli(['tasks', 'list'], env);
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+KIND\s+LANE\s+CONNECTION\s+ATTEMPTS/);
    expect(lines).toHaveLength(1 + 7 + 1);
    expect(lines.at(-1)).toBe('Showing 1–7 of 7 (pending 5, running 0, done 1, dead 1)');

    const deadOnly = await cli(['tasks', 'list', '--status', 'dead'], env);
    expect(deadOnly.stdout).toContain('PermanentError: SKU ABC-1 unknown in Odoo (customer [redact…');
    expect(deadOnly.stdout).not.toContain('mario.rossi');
    expect(deadOnly.stdout).toMatch(new RegExp(`^${dead}\\s+dead\\s+orders\\.import\\s+orders\\s+shop-a\\s+1/10`, 'm'));

    const byConnection = await cli(['tasks', 'list', '--connection', 'shop-a', '--json'], env);
    const parsed = JSON.parse(byConnection.stdout);
    expect(parsed.total).toBe(4);
    expect(parsed.byStatus).toEqual({ pending: 3, running: 0, done: 0, dead: 1 });
    expect(parsed.tasks.every((t: { connection_name: string }) => t.connection_name === 'shop-a')).toBe(true);
    expect(parsed.tasks[0].payload.customer.email).toBe('[redacted]');

    const products = JSON.parse((await cli(['tasks', 'list', '--lane', 'products', '--json'], env)).stdout);
    expect(products.tasks.map((t: { kind: string }) => t.kind)).toEqual(['products.export', 'products.export']);

    const page = await cli(['tasks', 'list', '--limit', '2', '--offset', '2'], env);
    expect(page.stdout.trim().split('\n').at(-1)).toBe('Showing 3–4 of 7 (pending 5, running 0, done 1, dead 1)');
  });

  it('refuses bad options with one clear line and exit code 1', async () => {
    await setup();
    for (const [args, message] of [
      [['tasks', 'list', '--status', 'failed'], 'Error: --status must be one of pending, running, done, dead (got "failed")'],
      [['tasks', 'list', '--connection', 'nope'], 'Error: No connection named "nope"'],
      [['tasks', 'list', '--limit', 'ten'], 'Error: --limit must be a whole number (got "ten")'],
      [['tasks', 'show', '999'], 'Error: No task #999'],
      [['tasks', 'show', 'abc'], 'Error: id must be a whole number (got "abc")'],
    ] as [string[], string][]) {
      const r = await cli(args, env);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toBe(`${message}\n`);
    }
  });

  it('shows one task with its payload (redacted), attempts and last error; --json too', async () => {
    const { dead } = await setup();
    const shown = await cli(['tasks', 'show', String(dead)], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Task #${dead}  dead`);
    expect(shown.stdout).toMatch(/kind\s+orders\.import/);
    expect(shown.stdout).toMatch(/connection\s+shop-a \(#1\)/);
    expect(shown.stdout).toMatch(/attempts\s+1 of 10/);
    expect(shown.stdout).toMatch(/last error\s+PermanentError: SKU ABC-1 unknown in Odoo/);
    expect(shown.stdout).toContain('"poleepoOrderId": "P9"');
    expect(shown.stdout).not.toContain('mario.rossi');
    expect(shown.stdout).toContain(`Retry it with: poleepo-odoo tasks retry ${dead}`);
    expect(shown.stdout).toMatch(/stack of the last error\n\s+PermanentError: SKU ABC-1 unknown in Odoo \(customer \[redacted\]\)\n\s+at resolveSkus \(orders\.products\.ts:42:11\)/);
    const json = JSON.parse((await cli(['tasks', 'show', String(dead), '--json'], env)).stdout);
    expect(json).toMatchObject({ id: dead, status: 'dead', payload: { poleepoOrderId: 'P9', customer: { email: '[redacted]' } } });
    expect(json.last_error_stack).toContain('at resolveSkus (orders.products.ts:42:11)');
    expect(json.last_error_stack).not.toContain('mario.rossi');
  });

  it('retries a dead task (pending, attempts reset) and refuses tasks that are not dead', async () => {
    const { dead, ids } = await setup();
    const r = await cli(['tasks', 'retry', String(dead)], env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`Task #${dead} (orders.import) is pending again with its attempts reset; a running worker (poleepo-odoo start or work) picks it up.\n`);
    expect(await queue.get(dead)).toMatchObject({ status: 'pending', attempts: 0 });
    const again = await cli(['tasks', 'retry', String(ids[0])], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`Error: Task #${ids[0]} is pending: only dead tasks can be retried\n`);
  });

  it('has --help everywhere', async () => {
    await setup();
    const group = await cli(['tasks', '--help'], env);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/list \[options\]/);
    expect(group.stdout).toMatch(/show \[options\] <id>/);
    expect(group.stdout).toMatch(/retry <id>/);
    const list = await cli(['tasks', 'list', '--help'], env);
    for (const option of ['--status <status>', '--lane <lane>', '--kind <kind>', '--connection <name>', '--limit <n>', '--offset <n>', '--json']) expect(list.stdout).toContain(option);
    expect((await cli(['tasks', 'show', '--help'], env)).stdout).toContain('--json');
    expect((await cli(['tasks', 'retry', '--help'], env)).stdout).toContain('retry a dead task');
  });
});
