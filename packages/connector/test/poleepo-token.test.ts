import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.ts';
import { RetryableError } from '../src/shared/errors.ts';
import { SecretBox } from '../src/shared/secrets.ts';
import { PoleepoAuthError } from '../src/poleepo/poleepo.errors.ts';
import { PoleepoTokenProvider } from '../src/poleepo/poleepo.token-provider.ts';
import { DbTokenStore } from '../src/poleepo/poleepo.token-store.ts';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { KIT_ENCRYPTION_KEY, buildClient, control, sandboxClient } from './fixtures/poleepo-kit.ts';

const START = Date.UTC(2026, 2, 2, 9, 0, 0);

describe.each(dialects)('Poleepo token shared through the database (%s)', (dialect) => {
  let db: TestDb;
  let sandbox: PoleepoSandbox;
  let clock: ManualClock;

  beforeEach(async () => {
    db = await createTestDb(dialect);
    clock = new ManualClock(START, true);
    sandbox = await startPoleepoSandbox({ clock });
  });

  afterEach(async () => {
    await sandbox.stop();
    await db.cleanup();
  });

  const tokenCalls = () => sandbox.stats.endpoint('auth.token').requests;
  const row = () => db.kysely.selectFrom('poleepo_tokens').selectAll().executeTakeFirstOrThrow();

  it('stores the token encrypted, keyed by base URL and client id, and a second client (process) reuses it', async () => {
    const a = sandboxClient(sandbox, clock, { db }).client;
    const b = sandboxClient(sandbox, clock, { db }).client;
    const ta = await a.token();
    const tb = await b.token();
    expect(tb.token).toBe(ta.token);
    expect(tokenCalls()).toBe(1);
    const stored = await row();
    expect(stored).toMatchObject({ base_url: sandbox.url, client_id: sandbox.clients[0].clientId, version: 1, refresh_owner: null });
    expect(SecretBox.isEncrypted(stored.access_token!)).toBe(true);
    expect(stored.access_token).not.toContain(ta.token);
    expect(new SecretBox(KIT_ENCRYPTION_KEY).decrypt(stored.access_token!)).toBe(ta.token);
    expect(Number(stored.expires_at)).toBe(START + 3600_000);
    expect(Number(stored.renew_at)).toBe(START + 3300_000);
  });

  it('many clients starting together with no token: exactly one asks Poleepo', async () => {
    const clients = Array.from({ length: 6 }, () => sandboxClient(sandbox, clock, { db }).client);
    const tokens = await Promise.all(clients.map((c) => c.token()));
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(tokenCalls()).toBe(1);
  });

  it('when renewal is due, one renews while the others keep using the still-valid token', async () => {
    const clients = Array.from({ length: 4 }, () => sandboxClient(sandbox, clock, { db }).client);
    const first = await clients[0].token();
    clock.advance(56 * 60_000);
    await Promise.all(clients.map((c) => c.page('carriers.list', 0, 1)));
    expect(tokenCalls()).toBe(2);
    expect(sandbox.stats.endpoint('carriers.list').by_status).toEqual({ 200: 4 });
    const renewed = await clients[3].token();
    expect(renewed.token).not.toBe(first.token);
    expect(renewed.version).toBe(2);
  });

  it('a 401 invalidates only the version that failed: a client holding the old token picks up the renewed one', async () => {
    const a = sandboxClient(sandbox, clock, { db }).client;
    const b = sandboxClient(sandbox, clock, { db }).client;
    await a.page('carriers.list', 0, 1);
    await b.page('carriers.list', 0, 1);
    await control(sandbox, 'POST', '/__sandbox/tokens/expire');
    await a.page('carriers.list', 0, 1); // 401 → invalidates v1 → renews v2
    await b.page('carriers.list', 0, 1); // 401 with v1 → v1 already replaced → reads v2, no new token
    expect(tokenCalls()).toBe(2);
    expect((await row()).version).toBe(2);
    expect(sandbox.stats.endpoint('carriers.list').by_status).toEqual({ 200: 4, 401: 2 });
  });

  it('a refused token request releases the refresh lease', async () => {
    const bad = buildClient({ baseUrl: sandbox.url, key: { clientId: sandbox.clients[0].clientId, clientSecret: 'plpscrt_nope' }, clock, db }).client;
    expect(await bad.token().catch((e) => e)).toBeInstanceOf(PoleepoAuthError);
    expect(await row()).toMatchObject({ refresh_owner: null, refresh_until: null, access_token: null });
    expect((await sandboxClient(sandbox, clock, { db }).client.token()).version).toBe(1);
  });

  it('waits for another process renewing an expired token, and takes over once its lease has lapsed', async () => {
    const box = new SecretBox(KIT_ENCRYPTION_KEY);
    const store = new DbTokenStore(db, box, sandbox.url, 'poleepo_x');
    expect(await store.tryClaim('crashed-process', clock.now(), clock.now() + 60_000)).toBe(true);
    let issued = 0;
    const provider = new PoleepoTokenProvider(store, async () => ({ token: `tok-${++issued}`, durationSeconds: 3600 }), clock, { maxWaitMs: 150, waitStepMs: 10 });
    const waited = await provider.current().catch((e) => e);
    expect(waited).toBeInstanceOf(RetryableError);
    expect(waited.code).toBe('poleepo_token_wait');
    expect(issued).toBe(0);
    clock.advance(60_001);
    expect((await provider.current()).token).toBe('tok-1');
    expect(await store.saveClaimed('crashed-process', 'late', clock.now() + 1, clock.now(), clock.now())).toBeNull();
    expect((await store.read())!.token).toBe('tok-1');
    // A fresh token is never renewed on a stale read: the claim itself checks that renewal is due.
    expect(await store.tryClaim('other-process', clock.now(), clock.now() + 60_000)).toBe(false);
    clock.advance(55 * 60_000);
    expect(await store.tryClaim('other-process', clock.now(), clock.now() + 60_000)).toBe(true);
  });
});
