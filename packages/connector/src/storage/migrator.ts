import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Db } from './db.ts';
import type { MigrationModule } from './migration-helpers.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const MIGRATION_FILE = /^(\d{4}_[a-z0-9_]+)\.ts$/;

/**
 * Migrations are the numbered files in ./migrations (`NNNN_what.ts`), so modules add theirs without touching a
 * shared list. Kysely's Migrator takes a lock (advisory on PostgreSQL) so concurrent starts migrate once.
 */
class FolderProvider implements MigrationProvider {
  constructor(private readonly db: Db) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const name of migrationNames()) {
      const mod = (await import(pathToFileURL(join(MIGRATIONS_DIR, `${name}.ts`)).href)) as MigrationModule;
      out[name] = {
        up: (kdb) => mod.up({ db: kdb, dialect: this.db.dialect }),
        down: mod.down ? (kdb) => mod.down!({ db: kdb, dialect: this.db.dialect }) : undefined,
      };
    }
    return out;
  }
}

export function migrationNames(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .map((f) => MIGRATION_FILE.exec(f)?.[1])
    .filter((n): n is string => Boolean(n))
    .sort();
}

function migratorFor(db: Db): Migrator {
  return new Migrator({ db: db.kysely, provider: new FolderProvider(db), allowUnorderedMigrations: true });
}

export interface MigrationOutcome {
  applied: string[];
}

export async function migrateToLatest(db: Db): Promise<MigrationOutcome> {
  const result: MigrationResultSet = await migratorFor(db).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Migration ${failed ?? ''} failed: ${(result.error as Error).message ?? result.error}`);
  }
  return { applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Migrations the code has that the database has not run (empty = schema up to date). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const all = await migratorFor(db).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
