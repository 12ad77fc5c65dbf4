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

  it('refuses a login after 5 failures in 15 minutes, even with the right password, until the window passes', async () => {
    db = await createTestDb(dialect);
    const auth = createAuth({ db, clock });
    await auth.users.create({ login: 'anna', password: PW, role: 'admin' });
    for (let i = 0; i < 5; i++) {
      expect((await auth.login('anna', 'wrong guess', '10.0.0.1')).ok).toBe(false);
      clock.advance(MIN);
    }
    const refused = await auth.login('Anna', PW, '10.0.0.2');
    expect(refused).toEqual({ ok: false, reason: 'throttled', retryAfterMs: 10 * MIN });
    clock.advance(10 * MIN - 1);
    expect(await auth.login('anna', PW, '10.0.0.2')).toMatchObject({ ok: false, reason: 'throttled', retryAfterMs: 1 });
    clock.advance(1);
    expect(await auth.login('anna', PW, '10.0.0.2')).toMatchObject({ ok: true });
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
