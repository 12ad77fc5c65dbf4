import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DbTokenStore, MemoryTokenStore, type PoleepoTokenStore } from '../src/poleepo/poleepo.token-store.ts';
import { ExportStateRepo } from '../src/products/products.state.repo.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { generateEncryptionKey, SecretBox } from '../src/shared/secrets.ts';
import { heartbeatInterval, leaseIsLive, leaseUntil, NamedLeases } from '../src/storage/lease.ts';
import { insertTestConnection } from './helpers/connections.ts';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';

describe('the lease rule', () => {
  it('lasts exactly its time: live one millisecond before its end, run out at its end; no lease is not live', () => {
    const clock = new ManualClock(1_000_000);
    const until = leaseUntil(clock.now(), 30_000);
    expect(until).toBe(1_030_000);
    clock.advance(29_999);
    expect(leaseIsLive(until, clock.now())).toBe(true);
    clock.advance(1);
    expect(leaseIsLive(until, clock.now())).toBe(false);
    expect(leaseIsLive(null, clock.now())).toBe(false);
    expect(heartbeatInterval(30_000)).toBe(10_000);
  });
});

describe.each(dialects)('leases in the database (%s)', (dialect) => {
  let db: TestDb;
  let clock: ManualClock;
  beforeEach(async () => {
    db = await createTestDb(dialect);
    clock = new ManualClock(1_000_000);
  });
  afterEach(async () => db.cleanup());

  it('the export lock: one holder at a time, re-entrant for its holder, free once it runs out or is released', async () => {
    const connectionId = await insertTestConnection(db);
    const state = new ExportStateRepo(db, clock);
    expect(await state.tryLock(connectionId, 'a', 10_000)).toBe(true);
    expect(await state.tryLock(connectionId, 'b', 10_000)).toBe(false);
    clock.advance(9_999);
    expect(await state.tryLock(connectionId, 'b', 10_000)).toBe(false); // live up to its last millisecond
    expect(await state.tryLock(connectionId, 'a', 10_000)).toBe(true); // the holder extends it
    expect(await state.lockHolder(connectionId)).toEqual({ owner: 'a', until: clock.now() + 10_000 });
    clock.advance(10_000);
    expect(await state.tryLock(connectionId, 'b', 10_000)).toBe(true); // run out: taken over
    await state.unlock(connectionId, 'a'); // a former holder cannot clear the new holder's lease
    expect((await state.lockHolder(connectionId)).owner).toBe('b');
    await state.unlock(connectionId, 'b');
    expect(await state.lockHolder(connectionId)).toEqual({ owner: null, until: null });
    expect(await state.tryLock(connectionId, 'a', 10_000)).toBe(true);
  });

  it('a named lease: one holder; live to its last millisecond; taken over once run out; released only by its holder', async () => {
    const leases = new NamedLeases(db);
    const first = await leases.tryTake('customer:42', 'import-1', clock.now(), 5_000);
    expect(first).not.toBeNull();
    expect(await leases.tryTake('customer:42', 'import-2', clock.now(), 5_000)).toBeNull();
    clock.advance(4_999);
    expect(await leases.tryTake('customer:42', 'import-2', clock.now(), 5_000)).toBeNull();
    clock.advance(1);
    const second = await leases.tryTake('customer:42', 'import-2', clock.now(), 5_000);
    expect(second).not.toBeNull();
    await leases.release('customer:42', first!); // the former holder's value no longer matches: nothing happens
    expect(await leases.tryTake('customer:42', 'import-3', clock.now(), 5_000)).toBeNull();
    await leases.release('customer:42', second!);
    expect(await leases.tryTake('customer:42', 'import-3', clock.now(), 5_000)).not.toBeNull();
  });

  const stores: [string, (db: TestDb) => PoleepoTokenStore][] = [
    ['database', (d) => new DbTokenStore(d, new SecretBox(generateEncryptionKey()), 'https://poleepo.test', 'client')],
    ['memory', () => new MemoryTokenStore()],
  ];
  it.each(stores)('the token refresh (%s store): one refresher; a lost lease stores nothing; run out, another takes it', async (_name, make) => {
    const store = make(db);
    const now = clock.now();
    expect(await store.tryClaim('p1', now, leaseUntil(now, 60_000))).toBe(true);
    expect(await store.tryClaim('p2', now, leaseUntil(now, 60_000))).toBe(false);
    clock.advance(60_001);
    const later = clock.now();
    expect(await store.tryClaim('p2', later, leaseUntil(later, 60_000))).toBe(true);
    // p1 paused past its lease: its token is not stored, p2's is.
    expect(await store.saveClaimed('p1', 'stale', later + 3_600_000, later + 3_000_000, later)).toBeNull();
    expect(await store.saveClaimed('p2', 'fresh', later + 3_600_000, later + 3_000_000, later)).toBe(1);
    const stored = await store.read();
    expect(stored?.token).toBe('fresh');
    expect(stored?.refreshOwner).toBeNull();
    expect(stored?.refreshUntil).toBeNull();
  });
});
