import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { migrateToLatest, migrationNames, pendingMigrations } from '../src/storage/migrator.ts';

describe.each(dialects)('migrations on %s', (dialect) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.cleanup();
    db = undefined;
  });

  it('creates the schema from nothing, then has nothing pending and re-running applies nothing', async () => {
    db = await createTestDb(dialect, { migrate: false });
    expect(await pendingMigrations(db)).toEqual(migrationNames());
    const first = await migrateToLatest(db);
    expect(first.applied).toEqual(migrationNames());
    expect(await pendingMigrations(db)).toEqual([]);
    const second = await migrateToLatest(db);
    expect(second.applied).toEqual([]);
  });

  it('migrates once when two starts race (migration lock)', async () => {
    db = await createTestDb(dialect, { migrate: false });
    const results = await Promise.allSettled([migrateToLatest(db), migrateToLatest(db)]);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.applied : []));
    expect(applied.sort()).toEqual(migrationNames().sort());
  });

  it('keeps times as UTC epoch milliseconds that round-trip exactly', async () => {
    db = await createTestDb(dialect);
    const at = Date.UTC(2026, 10, 27, 23, 59, 59, 123);
    await db.kysely.insertInto('kv').values({ key: 'k', value: 'v', updated_at: at }).execute();
    const row = await db.kysely.selectFrom('kv').selectAll().where('key', '=', 'k').executeTakeFirstOrThrow();
    expect(row.updated_at).toBe(at);
    expect(typeof row.updated_at).toBe('number');
    const count = await sql<{ n: number }>`select count(*) as n from kv`.execute(db.kysely);
    expect(Number(count.rows[0].n)).toBe(1);
  });
});
