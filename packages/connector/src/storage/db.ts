import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Database } from './schema.ts';
import { withStatementCache } from './sqlite-statements.ts';
import { ensurePrivateDir, ensurePrivateFile, narrowToOwner } from '../shared/private-files.ts';

export type Dialect = 'sqlite' | 'postgres';

/** The database handle every repository receives. */
export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** Human-readable location without credentials, for logs. */
  readonly location: string;
  close(): Promise<void>;
}

// int8 (bigint, bigserial, count(*)) as JS numbers: our ids and epoch-ms times stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export interface OpenOptions {
  /** PostgreSQL schema to use (tests isolate themselves in one schema each); created when missing. */
  schema?: string;
  poolSize?: number;
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Db> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options);
  throw new Error(`Unsupported DATABASE_URL (expected sqlite:<path> or postgres://…): ${redactDbUrl(url)}`);
}

function openSqlite(path: string): Db {
  const onDisk = path !== ':memory:' && path !== '';
  if (onDisk) {
    // Private from the start: SQLite gives the -wal and -shm files the database file's mode.
    ensurePrivateDir(dirname(path));
    ensurePrivateFile(path);
  }
  const native = new BetterSqlite3(path);
  // WAL + synchronous=NORMAL: a commit is durable against process crashes (the acknowledgement bar of DESIGN §4.5).
  native.pragma('journal_mode = WAL');
  if (onDisk) for (const suffix of ['-wal', '-shm']) narrowToOwner(`${path}${suffix}`);
  native.pragma('synchronous = NORMAL');
  native.pragma('busy_timeout = 5000');
  native.pragma('foreign_keys = ON');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(native) }) });
  return {
    kysely,
    dialect: 'sqlite',
    location: `sqlite:${path}`,
    close: async () => {
      await kysely.destroy();
    },
  };
}

async function openPostgres(url: string, options: OpenOptions): Promise<Db> {
  const schema = options.schema;
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`Invalid schema name: ${schema}`);
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    options: schema ? `-c search_path=${schema}` : undefined,
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries report their own errors.
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    dialect: 'postgres',
    location: redactDbUrl(url) + (schema ? ` (schema ${schema})` : ''),
    close: async () => {
      await kysely.destroy();
    },
  };
}

export function redactDbUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@]*@/, '$1:***@');
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db.kysely);
}
