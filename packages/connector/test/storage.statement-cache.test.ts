import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withStatementCache } from '../src/storage/sqlite-statements.ts';

describe('SQLite prepared statement cache', () => {
  let dir: string;
  let native: BetterSqlite3.Database;
  let prepared: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stmt-cache-'));
    native = new BetterSqlite3(join(dir, 'db.sqlite'));
    native.exec('create table t (n integer)');
    for (let i = 0; i < 5; i++) native.prepare('insert into t values (?)').run(i);
    prepared = [];
    const original = native.prepare.bind(native);
    native.prepare = ((sql: string) => {
      prepared.push(sql);
      return original(sql);
    }) as typeof native.prepare;
  });
  afterEach(() => {
    native.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('compiles a statement once per SQL text and reuses it with new parameters', () => {
    const db = withStatementCache(native);
    const select = 'select n from t where n >= ? order by n';
    expect(db.prepare(select).all([3])).toEqual([{ n: 3 }, { n: 4 }]);
    expect(db.prepare(select).all([4])).toEqual([{ n: 4 }]);
    expect(prepared).toEqual([select]);
  });

  it('hands a fresh statement while the cached one is still being iterated (a streamed query)', () => {
    const db = withStatementCache(native);
    const select = 'select n from t order by n';
    const outer: number[] = [];
    for (const row of db.prepare(select).iterate([]) as Iterable<{ n: number }>) {
      outer.push(row.n);
      if (row.n === 1) expect(db.prepare(select).all([]).length).toBe(5);
    }
    expect(outer).toEqual([0, 1, 2, 3, 4]);
    expect(prepared).toEqual([select, select]);
  });

  it('keeps at most `capacity` texts, dropping the least recently used', () => {
    const db = withStatementCache(native, 2);
    db.prepare('select 1');
    db.prepare('select 2');
    db.prepare('select 1');
    db.prepare('select 3');
    db.prepare('select 1');
    db.prepare('select 2');
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3', 'select 2']);
  });
});
