import { afterEach, describe, expect, it } from 'vitest';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { createAuth, firstRunHint, type AuthService } from '../src/auth/auth.service.ts';
import { UserRuleError } from '../src/auth/users.service.ts';

const PW = 'a long enough password';

describe.each(dialects)('console users on %s', (dialect) => {
  let db: TestDb;
  let auth: AuthService;
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  async function setup() {
    db = await createTestDb(dialect);
    auth = createAuth({ db, clock });
  }
  afterEach(async () => {
    await db?.cleanup();
  });

  async function rule(p: Promise<unknown>): Promise<string> {
    try {
      await p;
    } catch (error) {
      if (error instanceof UserRuleError) return error.rule;
      throw error;
    }
    throw new Error('expected a refusal');
  }

  it('creates users with lower-cased logins, stores only a scrypt hash, and hands out no hash', async () => {
    await setup();
    expect(await firstRunHint({ db, clock })).toContain('poleepo-odoo user add admin --role admin');
    const user = await auth.users.create({ login: '  Mario.Rossi ', password: PW, role: 'operator', lang: 'en' });
    expect(user).toEqual({ id: user.id, login: 'mario.rossi', role: 'operator', lang: 'en', langChosen: true, timeZone: null, active: true, createdAt: clock.now(), updatedAt: clock.now() });
    expect(Object.keys(user)).not.toContain('password_hash');
    const row = await db.kysely.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row.password_hash).not.toContain(PW);
    expect(await firstRunHint({ db, clock })).toBeNull();
    expect(await auth.users.verifyCredentials('MARIO.ROSSI', PW)).toMatchObject({ login: 'mario.rossi' });
    expect(await auth.users.verifyCredentials('mario.rossi', PW + 'x')).toBeNull();
    expect(await auth.users.verifyCredentials('nobody', PW)).toBeNull();
  });

  it('refuses bad logins, duplicates, short passwords, unknown roles and languages', async () => {
    await setup();
    await auth.users.create({ login: 'anna', password: PW, role: 'admin' });
    expect(await rule(auth.users.create({ login: 'ANNA', password: PW, role: 'admin' }))).toBe('login_taken');
    expect(await rule(auth.users.create({ login: 'has space', password: PW, role: 'admin' }))).toBe('login_invalid');
    expect(await rule(auth.users.create({ login: '', password: PW, role: 'admin' }))).toBe('login_invalid');
    expect(await rule(auth.users.create({ login: 'bob', password: 'short', role: 'admin' }))).toBe('password_short');
    expect(await rule(auth.users.create({ login: 'bob', password: PW, role: 'root' }))).toBe('role_invalid');
    expect(await rule(auth.users.create({ login: 'bob', password: PW, role: 'admin', lang: 'de' }))).toBe('lang_invalid');
    expect((await auth.users.list()).map((u) => u.login)).toEqual(['anna']);
  });

  it('leaves the language unchosen when none is given, records a choice, and keeps a valid time zone per user', async () => {
    await setup();
    const anna = await auth.users.create({ login: 'anna', password: PW, role: 'admin' });
    expect(anna).toMatchObject({ lang: 'it', langChosen: false, timeZone: null });
    expect(await auth.users.create({ login: 'bea', password: PW, role: 'operator', lang: '' })).toMatchObject({ langChosen: false });
    await auth.users.setLang(anna.id, 'en');
    expect(await auth.users.get(anna.id)).toMatchObject({ lang: 'en', langChosen: true });
    await auth.users.setTimeZone(anna.id, 'europe/london');
    expect((await auth.users.get(anna.id)).timeZone).toBe('Europe/London');
    expect(await rule(auth.users.setTimeZone(anna.id, 'Mars/Olympus'))).toBe('time_zone_invalid');
    expect((await auth.users.get(anna.id)).timeZone).toBe('Europe/London');
    await auth.users.setTimeZone(anna.id, null);
    expect((await auth.users.get(anna.id)).timeZone).toBeNull();
    expect(await auth.users.create({ login: 'carl', password: PW, role: 'operator', timeZone: 'America/New_York' })).toMatchObject({ timeZone: 'America/New_York' });
  });

  it('keeps at least one active administrator and never lets one lock themselves out', async () => {
    await setup();
    const anna = await auth.users.create({ login: 'anna', password: PW, role: 'admin' });
    const bob = await auth.users.create({ login: 'bob', password: PW, role: 'operator' });
    expect(await rule(auth.users.setActive(anna.id, anna.id, false))).toBe('self_deactivate');
    expect(await rule(auth.users.setRole(anna.id, anna.id, 'operator'))).toBe('self_demote');
    expect(await rule(auth.users.setRole(bob.id, anna.id, 'operator'))).toBe('last_admin');
    expect(await rule(auth.users.setActive(bob.id, anna.id, false))).toBe('last_admin');
    await auth.users.setRole(anna.id, bob.id, 'admin');
    expect((await auth.users.setRole(bob.id, anna.id, 'operator')).role).toBe('operator');
    expect(await rule(auth.users.setRole(anna.id, 999, 'admin'))).toBe('not_found');
  });

  it('ends every session of a user who is deactivated or whose password is reset', async () => {
    await setup();
    const anna = await auth.users.create({ login: 'anna', password: PW, role: 'admin' });
    const bob = await auth.users.create({ login: 'bob', password: PW, role: 'operator' });
    const s1 = await auth.sessions.create(bob.id);
    const s2 = await auth.sessions.create(bob.id);
    const annas = await auth.sessions.create(anna.id);
    await auth.users.setActive(anna.id, bob.id, false);
    expect(await auth.sessions.resolve(s1.token)).toBeNull();
    expect(await auth.sessions.resolve(s2.token)).toBeNull();
    expect(await auth.users.verifyCredentials('bob', PW)).toBeNull();
    await auth.users.setActive(anna.id, bob.id, true);
    const s3 = await auth.sessions.create(bob.id);
    const { generated } = await auth.users.resetPassword(bob.id);
    expect(generated).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(await auth.sessions.resolve(s3.token)).toBeNull();
    expect(await auth.users.verifyCredentials('bob', PW)).toBeNull();
    expect(await auth.users.verifyCredentials('bob', generated!)).toMatchObject({ login: 'bob' });
    expect(await auth.sessions.resolve(annas.token)).not.toBeNull();
  });

  it('changes one\'s own password only with the current one, keeping this session and ending the others', async () => {
    await setup();
    const anna = await auth.users.create({ login: 'anna', password: PW, role: 'admin' });
    const here = await auth.sessions.create(anna.id);
    const elsewhere = await auth.sessions.create(anna.id);
    const hereId = (await auth.sessions.resolve(here.token))!.id;
    expect(await rule(auth.users.changeOwnPassword(anna.id, 'wrong password', 'another long password', hereId))).toBe('password_wrong');
    await auth.users.changeOwnPassword(anna.id, PW, 'another long password', hereId);
    expect(await auth.sessions.resolve(here.token)).not.toBeNull();
    expect(await auth.sessions.resolve(elsewhere.token)).toBeNull();
    expect(await auth.users.verifyCredentials('anna', 'another long password')).not.toBeNull();
  });
});
