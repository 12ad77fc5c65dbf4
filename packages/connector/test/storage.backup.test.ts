import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/storage/db.ts';
import { migrateToLatest } from '../src/storage/migrator.ts';
import { cli } from './helpers/cli.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';

describe('online backup of the SQLite database', () => {
  it('copies a database that is open and being written, and refuses to overwrite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backup-'));
    const url = `sqlite:${join(dir, 'live.db')}`;
    const live = await openDatabase(url);
    await migrateToLatest(live);
    for (let i = 0; i < 500; i++) await live.kysely.insertInto('kv').values({ key: `k${i}`, value: 'x'.repeat(200), updated_at: i }).execute();
    const env = { DATABASE_URL: url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
    const target = join(dir, 'copy.db');
    const result = await cli(['backup', target], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`to ${target}`);
    await live.close();
    const copy = await openDatabase(`sqlite:${target}`);
    const n = await copy.kysely.selectFrom('kv').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(500);
    await copy.close();
    const again = await cli(['backup', target], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  });

  it('points PostgreSQL users to pg_dump', async () => {
    const result = await cli(['backup', '/tmp/x.db'], { DATABASE_URL: 'postgres://u@127.0.0.1/db', ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
    expect(result.stderr).toContain('on PostgreSQL use pg_dump');
  });
});
