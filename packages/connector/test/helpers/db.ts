import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db, type Dialect } from '../../src/storage/db.ts';
import { migrateToLatest } from '../../src/storage/migrator.ts';

/** Every storage and task test runs on both. PostgreSQL is mandatory: `npm test` starts one (scripts/run-tests.mjs). */
export const dialects: Dialect[] = ['sqlite', 'postgres'];

export function postgresUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests with `npm test`, which starts PostgreSQL for them');
  return url;
}

export interface TestDb extends Db {
  /** The URL (and schema) another process can open to share this database. */
  url: string;
  schema?: string;
  cleanup(): Promise<void>;
}

export async function createTestDb(dialect: Dialect, options: { migrate?: boolean; poolSize?: number } = {}): Promise<TestDb> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-test-'));
    const url = `sqlite:${join(dir, 'test.db')}`;
    const db = await openDatabase(url);
    if (options.migrate !== false) await migrateToLatest(db);
    return Object.assign(db, {
      url,
      cleanup: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    });
  }
  const url = postgresUrl();
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const db = await openDatabase(url, { schema, poolSize: options.poolSize });
  if (options.migrate !== false) await migrateToLatest(db);
  return Object.assign(db, {
    url,
    schema,
    cleanup: async () => {
      await db.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  });
}
