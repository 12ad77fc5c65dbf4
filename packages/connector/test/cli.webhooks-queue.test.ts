import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/storage/db.ts';
import { migrateToLatest } from '../src/storage/migrator.ts';
import { cli } from './helpers/cli.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';
import { insertTestConnection } from './helpers/connections.ts';

async function envWithConnections(names: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'cli-wh-'));
  const url = `sqlite:${join(dir, 'db.sqlite')}`;
  const db = await openDatabase(url);
  await migrateToLatest(db);
  for (const n of names) await insertTestConnection(db, n);
  await db.close();
  return { DATABASE_URL: url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, PUBLIC_URL: 'https://connector.example.com' };
}

describe('webhooks and queue commands', () => {
  it('adds a webhook from a secret on stdin, prints its URL, lists it and removes it', async () => {
    const env = await envWithConnections(['shop']);
    const added = await cli(['webhooks', 'add', 'poleepo-shop', '--secret-stdin', '--json'], env, 'secret-key-from-poleepo\n');
    expect(added.code).toBe(0);
    const json = JSON.parse(added.stdout);
    expect(json).toMatchObject({ name: 'poleepo-shop', connection: 'shop', events: ['STATUS_ORDER', 'STATUS_SHIPMENT'], verification: 'hmac' });
    expect(json.url).toMatch(/^https:\/\/connector\.example\.com\/webhooks\/poleepo\/poleepo-shop\?token=/);
    const list = await cli(['webhooks', 'list', '--json'], env);
    expect(JSON.parse(list.stdout)[0].url).toBe(json.url);
    expect(list.stdout).not.toContain('secret-key-from-poleepo');
    expect((await cli(['webhooks', 'remove', 'poleepo-shop'], env)).code).toBe(0);
    expect((await cli(['webhooks', 'remove', 'poleepo-shop'], env)).stderr).toContain('No webhook named "poleepo-shop"');
  });

  it('refuses plainly: no secret, bad events, several connections without --connection', async () => {
    const env = await envWithConnections(['a', 'b']);
    expect((await cli(['webhooks', 'add', 'x'], env)).stderr.trim()).toBe('Error: The secret key is required: pipe it to --secret-stdin');
    const several = await cli(['webhooks', 'add', 'x', '--secret', 'long-enough-secret'], env);
    expect(several.code).toBe(1);
    expect(several.stderr).toContain('There are 2 connections: name one (a, b)');
    const badEvent = await cli(['webhooks', 'add', 'x', '--secret', 'long-enough-secret', '--connection', 'a', '--events', 'ORDER_NEW'], env);
    expect(badEvent.stderr).toContain('Unknown event(s) ORDER_NEW');
  });

  it('still takes --secret as an argument, warning on stderr that it leaks into shell history; --help says to use --secret-stdin', async () => {
    const env = await envWithConnections(['shop']);
    const added = await cli(['webhooks', 'add', 'old-style', '--secret', 'long-enough-secret'], env);
    expect(added.code).toBe(0);
    expect(added.stderr).toMatch(/^Warning: --secret puts the secret in your shell history and the process list; pipe it to --secret-stdin/);
    expect(added.stderr).not.toContain('long-enough-secret');
    const quiet = await cli(['webhooks', 'add', 'new-style', '--secret-stdin'], env, 'long-enough-secret\n');
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    const help = await cli(['webhooks', 'add', '--help'], env);
    expect(help.stdout).toMatch(/--secret <secret>\s+deprecated: the secret as an argument stays in shell\s+history/);
  });

  it('lists, shows, retries and cleans the webhook queue', async () => {
    const env = await envWithConnections(['shop']);
    expect((await cli(['queue', 'list'], env)).stdout).toContain('The webhook queue is empty.');
    expect((await cli(['queue', 'list', '--status', 'lost'], env)).stderr).toContain('--status must be one of pending, done, failed, received');
    expect((await cli(['queue', 'show', '99'], env)).stderr).toContain('No webhook message 99');
    expect((await cli(['queue', 'retry', '99'], env)).code).toBe(1);
    expect((await cli(['queue', 'clean'], env)).stdout).toContain('Removed 0 processed message(s).');

    const db = await openDatabase(env.DATABASE_URL);
    const base = { connection_id: 1, webhook_id: null, event: 'STATUS_ORDER', resource_type: 'order' as const, event_id: null, attempts: 3, note: null, duplicates: 0, received_at: 1, updated_at: 1 };
    await db.kysely.insertInto('webhook_messages').values([
      { ...base, resource_id: '1001', dedupe_key: 'a', status: 'failed', last_error: 'SKU "Z" is not mapped', processed_at: 2, payload: JSON.stringify({ event: 'STATUS_ORDER', data: { order_id: 1001, email: 'mario@rossi.it' } }) },
      { ...base, resource_id: '1002', dedupe_key: 'b', status: 'done', last_error: null, processed_at: 2, payload: '{}' },
    ]).execute();
    await db.close();
    const list = await cli(['queue', 'list'], env);
    expect(list.stdout).toMatch(/Fallito\s+STATUS_ORDER\s+order 1001/);
    expect(list.stdout).toMatch(/Completato\s+STATUS_ORDER\s+order 1002/);
    const shown = await cli(['queue', 'show', '1'], env);
    expect(shown.stdout).toContain('SKU "Z" is not mapped');
    expect(shown.stdout).not.toContain('mario@rossi.it');
    expect((await cli(['queue', 'retry', '1'], env)).stdout).toContain('queued again (In Attesa)');
    const after = JSON.parse((await cli(['queue', 'list', '--status', 'pending', '--json'], env)).stdout);
    expect(after.messages.map((m: { id: number }) => m.id)).toEqual([1]);
    const tasks = JSON.parse((await cli(['tasks', 'list', '--json'], env)).stdout);
    expect(tasks.tasks.map((t: { kind: string }) => t.kind)).toEqual(['webhooks.process-message']);
    expect((await cli(['queue', 'clean'], env)).stdout).toContain('Removed 1 processed message(s).');
  });
});
