import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitLedger } from '../src/ratelimit/ledger.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { openDatabase } from '../src/storage/db.ts';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';

describe.each(dialects)('rate-limit ledger on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.cleanup());

  it('allows N requests per sliding window and says when the next slot frees', async () => {
    db = await createTestDb(dialect);
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const ledger = new RateLimitLedger(db, clock);
    const rule = { limit: 5, windowMs: 600_000 };
    for (let i = 0; i < 5; i++) {
      expect(await ledger.tryAcquire('client-a', 'batch-status', rule)).toEqual({ granted: true });
      clock.advance(60_000);
    }
    // 5 used at t=0..4 min; now t=5 min: the first frees at t=10 min.
    expect(await ledger.tryAcquire('client-a', 'batch-status', rule)).toEqual({ granted: false, retryAfterMs: 300_000 });
    // another account and another endpoint are independent
    expect(await ledger.tryAcquire('client-b', 'batch-status', rule)).toEqual({ granted: true });
    expect(await ledger.tryAcquire('client-a', 'products', rule)).toEqual({ granted: true });
    clock.advance(300_000);
    expect(await ledger.tryAcquire('client-a', 'batch-status', rule)).toEqual({ granted: true });
    expect(await ledger.used('client-a', 'batch-status', 600_000)).toBe(5);
  });

  it('survives a restart: a new ledger on the same database sees earlier requests', async () => {
    db = await createTestDb(dialect);
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const rule = { limit: 2, windowMs: 60_000 };
    await new RateLimitLedger(db, clock).tryAcquire('a', 'e', rule);
    await new RateLimitLedger(db, clock).tryAcquire('a', 'e', rule);
    expect((await new RateLimitLedger(db, clock).tryAcquire('a', 'e', rule)).granted).toBe(false);
    expect(await new RateLimitLedger(db, clock).prune(clock.now() + 1)).toBe(2);
  });

});

describe('rate-limit ledger across processes on postgres', () => {
  let db: TestDb;
  afterEach(async () => db?.cleanup());

  it('holds the limit across concurrent processes (separate pools)', async () => {
    db = await createTestDb('postgres');
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const pools = await Promise.all(Array.from({ length: 4 }, () => openDatabase(db.url, { schema: db.schema, poolSize: 5 })));
    try {
      const rule = { limit: 5, windowMs: 600_000 };
      const results = await Promise.all(pools.flatMap((p) => Array.from({ length: 10 }, () => new RateLimitLedger(p, clock).tryAcquire('acct', 'status', rule))));
      expect(results.filter((r) => r.granted)).toHaveLength(5);
      expect(await new RateLimitLedger(db, clock).used('acct', 'status', 600_000)).toBe(5);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });
});
