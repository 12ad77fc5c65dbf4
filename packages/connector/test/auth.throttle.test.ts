import { afterEach, describe, expect, it } from 'vitest';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { createAuth } from '../src/auth/auth.service.ts';

const PW = 'a long enough password';
const MIN = 60_000;

describe.each(dialects)('login throttling on %s', (dialect) => {
  let db: TestDb;
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  afterEach(async () => {
    await db?.cleanup();
  });

  it('refuses a login from an address after 5 failures from it in 15 minutes, even with the right password, until the window passes', async () => {
    db = await createTestDb(dialect);
    const auth = createAuth({ db, clock });
    await auth.users.create({ login: 'anna', password: PW, role: 'admin' });
    for (let i = 0; i < 5; i++) {
      expect((await auth.login('anna', 'wrong guess', '10.0.0.1')).ok).toBe(false);
      clock.advance(MIN);
    }
    const refused = await auth.login('Anna', PW, '10.0.0.1');
    expect(refused).toEqual({ ok: false, reason: 'throttled', retryAfterMs: 10 * MIN });
    clock.advance(10 * MIN - 1);
    expect(await auth.login('anna', PW, '10.0.0.1')).toMatchObject({ ok: false, reason: 'throttled', retryAfterMs: 1 });
    clock.advance(1);
    expect(await auth.login('anna', PW, '10.0.0.1')).toMatchObject({ ok: true });
  });

  it('lets the right password in from a fresh address while one address guesses (no lock-out of the real user)', async () => {
    db = await createTestDb(dialect);
    const auth = createAuth({ db, clock });
    await auth.users.create({ login: 'anna', password: PW, role: 'admin' });
    for (let i = 0; i < 5; i++) await auth.login('anna', `guess ${i}`, '203.0.113.9');
    expect(await auth.login('anna', PW, '203.0.113.9')).toMatchObject({ ok: false, reason: 'throttled' });
    expect(await auth.login('anna', PW, '198.51.100.1')).toMatchObject({ ok: true });
    // ...and the guesser stays refused after that success.
    expect(await auth.login('anna', PW, '203.0.113.9')).toMatchObject({ ok: false, reason: 'throttled' });
  });

  it('closes a login to every address once it is guessed at from many (25 failures in the window), a success notwithstanding', async () => {
    db = await createTestDb(dialect);
    const auth = createAuth({ db, clock });
    await auth.users.create({ login: 'anna', password: PW, role: 'admin' });
    for (let a = 0; a < 4; a++) for (let i = 0; i < 5; i++) await auth.login('anna', 'wrong', `203.0.113.${a}`);
    clock.advance(MIN);
    expect(await auth.login('anna', PW, '198.51.100.1')).toMatchObject({ ok: true });
    for (let i = 0; i < 5; i++) await auth.login('anna', 'wrong', '203.0.113.99');
    const refused = await auth.login('anna', PW, '198.51.100.2');
    expect(refused).toEqual({ ok: false, reason: 'throttled', retryAfterMs: 14 * MIN });
    expect(await auth.login('bob', PW, '198.51.100.2')).toMatchObject({ ok: false, reason: 'invalid' });
    clock.advance(14 * MIN);
    expect(await auth.login('anna', PW, '198.51.100.2')).toMatchObject({ ok: true });
  });

  it('counts simultaneous attempts against each other: of 60 wrong passwords sent at once, 5 are checked', async () => {
    db = await createTestDb(dialect);
    const auth = createAuth({ db, clock });
    await auth.users.create({ login: 'anna', password: PW, role: 'admin' });
    const outcomes = await Promise.all(Array.from({ length: 60 }, (_, i) => auth.login('anna', `guess ${i}`, '203.0.113.9')));
    expect(outcomes.filter((o) => !o.ok && o.reason === 'invalid')).toHaveLength(5);
    expect(outcomes.filter((o) => !o.ok && o.reason === 'throttled')).toHaveLength(55);
    const failures = await db.kysely.selectFrom('login_attempts').selectAll().where('succeeded', '=', 0).execute();
    expect(failures).toHaveLength(5);
    expect(await auth.login('anna', PW, '203.0.113.9')).toMatchObject({ ok: false, reason: 'throttled' });
  });

  it('starts over after a successful login', async () => {
    db = await createTestDb(dialect);
    const auth = createAuth({ db, clock });
    await auth.users.create({ login: 'anna', password: PW, role: 'admin' });
    for (let i = 0; i < 4; i++) await auth.login('anna', 'wrong', '10.0.0.1');
    clock.advance(1);
    expect((await auth.login('anna', PW, '10.0.0.1')).ok).toBe(true);
    clock.advance(1);
    for (let i = 0; i < 4; i++) await auth.login('anna', 'wrong', '10.0.0.1');
    clock.advance(1);
    expect((await auth.login('anna', PW, '10.0.0.1')).ok).toBe(true);
  });

  it('refuses an address after 20 failures across logins, and is persisted (a restart does not reset it)', async () => {
    db = await createTestDb(dialect);
    const auth = createAuth({ db, clock });
    await auth.users.create({ login: 'anna', password: PW, role: 'admin' });
    for (let i = 0; i < 20; i++) await auth.login(`guess${i}`, 'wrong', '192.0.2.7');
    const restarted = createAuth({ db, clock });
    expect(await restarted.login('anna', PW, '192.0.2.7')).toMatchObject({ ok: false, reason: 'throttled' });
    expect(await restarted.login('anna', PW, '192.0.2.8')).toMatchObject({ ok: true });
    const attempts = await db.kysely.selectFrom('login_attempts').selectAll().execute();
    expect(attempts.filter((a) => a.succeeded === 0)).toHaveLength(20);
    expect(JSON.stringify(attempts)).not.toContain('wrong');
  });

  it('forgets attempts older than a day', async () => {
    db = await createTestDb(dialect);
    const auth = createAuth({ db, clock });
    await auth.login('x', 'wrong', '192.0.2.1');
    clock.advance(25 * 60 * MIN);
    await auth.login('y', 'wrong', '192.0.2.1');
    expect(await db.kysely.selectFrom('login_attempts').select('login').execute()).toEqual([{ login: 'y' }]);
  });
});
