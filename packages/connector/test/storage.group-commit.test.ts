import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../src/storage/group-commit.ts';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';

describe.each(dialects)('group commit (%s)', (dialect) => {
  let db: TestDb;
  let batches: string[][];
  let writer: GroupCommit<string, string>;

  beforeEach(async () => {
    db = await createTestDb(dialect);
    batches = [];
    // Each item is a job schedule name; the primary key refuses a name stored twice.
    writer = new GroupCommit((names: string[]) => {
      batches.push([...names]);
      return db.kysely.transaction().execute(async (trx) => {
        const out: string[] = [];
        for (const name of names) {
          await trx.insertInto('job_schedules').values({ name, enabled: 1, interval_ms: null, last_tick_at: null, updated_at: 1 }).execute();
          out.push(`stored ${name}`);
        }
        return out;
      });
    }, { maxBatch: 5 });
  });
  afterEach(async () => db.cleanup());

  const stored = async () => (await db.kysely.selectFrom('job_schedules').select('name').orderBy('name').execute()).map((r) => r.name);

  it('stores what is submitted in one turn with one transaction and answers each caller with its own result', async () => {
    const results = await Promise.all(['a', 'b', 'c'].map((n) => writer.submit(n)));
    expect(results).toEqual(['stored a', 'stored b', 'stored c']);
    expect(batches).toEqual([['a', 'b', 'c']]);
    expect(await stored()).toEqual(['a', 'b', 'c']);
  });

  it('answers nobody before the commit: a caller resolved has its row readable by another query', async () => {
    const seen = await Promise.all(['x', 'y'].map(async (n) => {
      await writer.submit(n);
      return (await db.kysely.selectFrom('job_schedules').select('name').where('name', '=', n).execute()).length;
    }));
    expect(seen).toEqual([1, 1]);
  });

  it('splits bursts into batches of at most maxBatch', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => writer.submit(`n${String(i).padStart(2, '0')}`)));
    expect(batches.map((b) => b.length)).toEqual([5, 5, 2]);
    expect((await stored()).length).toBe(12);
  });

  it('queues what arrives while a batch is being written for the next batch', async () => {
    const first = writer.submit('first');
    await new Promise((resolve) => setImmediate(resolve)); // the first batch is now being written
    const during = [writer.submit('second'), writer.submit('third')];
    await Promise.all([first, ...during]);
    expect(batches).toEqual([['first'], ['second', 'third']]);
  });

  it('rolls back a failing batch and writes its items again one by one: only the culprit fails', async () => {
    await writer.submit('taken');
    batches = [];
    const outcomes = await Promise.allSettled(['p', 'taken', 'q'].map((n) => writer.submit(n)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(batches).toEqual([['p', 'taken', 'q'], ['p'], ['taken'], ['q']]);
    expect(await stored()).toEqual(['p', 'q', 'taken']);
  });
});
