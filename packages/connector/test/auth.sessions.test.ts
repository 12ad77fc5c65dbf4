import { afterEach, describe, expect, it } from 'vitest';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { createAuth, type AuthService } from '../src/auth/auth.service.ts';
import { sha256Hex } from '../src/shared/passwords.ts';

const HOUR = 3_600_000;

describe.each(dialects)('console sessions on %s', (dialect) => {
  let db: TestDb;
  let auth: AuthService;
  let clock: ManualClock;
  let userId: number;
  async function setup() {
    db = await createTestDb(dialect);
    clock = new ManualClock('2026-03-02T09:00:00Z');
    auth = createAuth({ db, clock });
    userId = (await auth.users.create({ login: 'anna', password: 'a long enough password', role: 'admin' })).id;
  }
  afterEach(async () => {
    await db?.cleanup();
  });

  it('stores only the SHA-256 of a 256-bit random token', async () => {
    await setup();
    const s = await auth.sessions.create(userId);
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await db.kysely.selectFrom('sessions').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(sha256Hex(s.token));
    expect(JSON.stringify(rows)).not.toContain(s.token);
    expect(await auth.sessions.resolve(s.token)).toMatchObject({ csrfToken: s.csrfToken, user: { login: 'anna' } });
    expect(await auth.sessions.resolve(s.token.slice(0, -1) + (s.token.endsWith('A') ? 'B' : 'A'))).toBeNull();
    expect(await auth.sessions.resolve(undefined)).toBeNull();
  });

  it('ends after 12 hours without use, and slides while used', async () => {
    await setup();
    const idle = await auth.sessions.create(userId);
    const used = await auth.sessions.create(userId);
    for (let i = 0; i < 5; i++) {
      clock.advance(6 * HOUR);
      expect(await auth.sessions.resolve(used.token), `after ${(i + 1) * 6} h of use`).not.toBeNull();
    }
    expect(await auth.sessions.resolve(idle.token)).toBeNull();
    clock.advance(12 * HOUR);
    expect(await auth.sessions.resolve(used.token)).toBeNull();
    // Expired sessions are deleted, not kept.
    expect(await db.kysely.selectFrom('sessions').selectAll().execute()).toHaveLength(0);
  });

  it('ends 7 days after login however active', async () => {
    await setup();
    const s = await auth.sessions.create(userId);
    for (let h = 0; h < 7 * 24 - 1; h += 1) {
      clock.advance(HOUR);
      expect(await auth.sessions.resolve(s.token), `hour ${h + 1}`).not.toBeNull();
    }
    clock.advance(HOUR);
    expect(await auth.sessions.resolve(s.token)).toBeNull();
  });

  it('is refused for a user deactivated in the database', async () => {
    await setup();
    const s = await auth.sessions.create(userId);
    await db.kysely.updateTable('users').set({ active: 0 }).execute();
    expect(await auth.sessions.resolve(s.token)).toBeNull();
  });
});
