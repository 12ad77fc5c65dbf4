import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * better-sqlite3 behind Kysely with a cache of prepared statements. Kysely prepares every query anew, and on the hot
 * paths (webhook intake, task claims) preparing cost as much as running: a statement is compiled once per SQL text
 * and reused. Least recently used texts are dropped past `capacity` (texts with IN lists vary with their length).
 * A statement still being iterated (a streamed query) is busy: the caller then gets a fresh one, not the cached one.
 */
export function withStatementCache(native: BetterSqlite3.Database, capacity = 500): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      cache.clear();
      native.close();
    },
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached && !cached.busy) {
        cache.delete(sql);
        cache.set(sql, cached);
        return cached as unknown as SqliteStatement;
      }
      const statement = native.prepare(sql);
      if (!cached) {
        cache.set(sql, statement);
        if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
      }
      return statement as unknown as SqliteStatement;
    },
  };
}
