import { afterEach, describe, expect, it } from 'vitest';
import { consoleFixture, PASSWORD, type ConsoleFixture } from './helpers/console.ts';

describe('console users page', () => {
  let f: ConsoleFixture;
  afterEach(async () => {
    await f?.close();
  });

  async function idOf(login: string): Promise<number> {
    return (await f.app.services.auth.users.list()).find((u) => u.login === login)!.id;
  }

  it('creates a user with a chosen password, who can then log in', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin', 'anna');
    const res = await admin.post('/users', { login: 'Luca', role: 'operator', lang: 'it', password: 'luca password 1' });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/users');
    const page = await (await admin.get('/users')).text();
    expect(page).toContain('User luca created.');
    expect(page).toContain('>luca</a>');
    const luca = f.client();
    await luca.login('luca', 'luca password 1');
    expect(await (await luca.get('/')).text()).toContain('<html lang="it"');
  });

  it('generates a password when none is given and shows it only in that response', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin', 'anna');
    const res = await admin.post('/users', { login: 'gen', role: 'operator', lang: 'en', password: '' });
    expect(res.status).toBe(200);
    const html = await res.text();
    const password = /<code class="secret">([^<]+)<\/code>/.exec(html)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(res.headers.getSetCookie().join(';')).not.toContain(password!);
    expect(await (await admin.get('/users')).text()).not.toContain(password!);
    await f.client().login('gen', password!);
  });

  it('shows a refused creation in the form with 422 and keeps what was typed (not the password)', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin', 'anna');
    const res = await admin.post('/users', { login: 'anna', role: 'operator', lang: 'en', password: 'whatever long one' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('A user with this login already exists.');
    expect(html).not.toContain('whatever long one');
    const short = await admin.post('/users', { login: 'newbie', role: 'operator', lang: 'en', password: 'short' });
    expect(short.status).toBe(422);
    expect(await short.text()).toContain('The password must be at least 10 characters long.');
  });

  it('changes a role, deactivates and reactivates, and refuses to remove the last administrator', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin', 'anna');
    await f.loggedIn('operator', 'bob');
    const bob = await idOf('bob');
    const anna = await idOf('anna');
    expect((await admin.post(`/users/${bob}/role`, { role: 'admin' })).headers.get('Location')).toBe(`/users/${bob}`);
    expect((await f.app.services.auth.users.get(bob)).role).toBe('admin');
    expect((await admin.post(`/users/${bob}/active`, { active: '0' })).status).toBe(303);
    expect((await f.app.services.auth.users.get(bob)).active).toBe(false);
    const self = await admin.post(`/users/${anna}/role`, { role: 'operator' });
    expect(self.status).toBe(422);
    expect(await self.text()).toContain('You cannot remove your own administrator role');
    const selfOff = await admin.post(`/users/${anna}/active`, { active: '0' });
    expect(selfOff.status).toBe(422);
    expect((await admin.post(`/users/${bob}/active`, { active: '1' })).status).toBe(303);
    expect((await f.app.services.auth.users.get(bob)).active).toBe(true);
    expect((await admin.get('/users/9999')).status).toBe(404);
    expect((await admin.post('/users/9999/role', { role: 'admin' })).status).toBe(404);
  });

  it('resets a password (generated, shown once) and ends that user\'s sessions; one\'s own goes through My account', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin', 'anna');
    const bobBrowser = await f.loggedIn('operator', 'bob');
    const bob = await idOf('bob');
    const res = await admin.post(`/users/${bob}/password`, { password: '' });
    expect(res.status).toBe(200);
    const password = /<code class="secret">([^<]+)<\/code>/.exec(await res.text())?.[1];
    expect(password).toBeDefined();
    expect((await bobBrowser.get('/')).status).toBe(302);
    await f.client().login('bob', password!);
    const chosen = await admin.post(`/users/${bob}/password`, { password: 'chosen password 2' });
    expect(chosen.status).toBe(303);
    await f.client().login('bob', 'chosen password 2');
    const own = await admin.post(`/users/${await idOf('anna')}/password`, { password: '' });
    expect(own.status).toBe(422);
    expect((await admin.get('/')).status).toBe(200);
  });

  it('changes one\'s own password on My account', async () => {
    f = await consoleFixture('sqlite');
    const me = await f.loggedIn('operator', 'bob');
    const mismatch = await me.post('/account/password', { current: PASSWORD, next: 'new password 123', repeat: 'new password 124' });
    expect(mismatch.status).toBe(422);
    expect(await mismatch.text()).toContain('The two new passwords differ.');
    const wrong = await me.post('/account/password', { current: 'nope nope nope', next: 'new password 123', repeat: 'new password 123' });
    expect(wrong.status).toBe(422);
    const ok = await me.post('/account/password', { current: PASSWORD, next: 'new password 123', repeat: 'new password 123' });
    expect(ok.status).toBe(303);
    expect(await (await me.get('/account')).text()).toContain('Password changed.');
    await f.client().login('bob', 'new password 123');
  });

  it('switches the language per user and returns to the same page', async () => {
    f = await consoleFixture('sqlite');
    const me = await f.loggedIn('operator', 'bob', 'en');
    expect(await (await me.get('/api-log')).text()).toContain('<h1>API log</h1>');
    const res = await me.post('/account/lang', { lang: 'it' }, { headers: { Referer: 'http://127.0.0.1/api-log?errors=1' } });
    expect(res.headers.get('Location')).toBe('/api-log?errors=1');
    expect(await (await me.get('/api-log')).text()).toContain('<h1>Log API</h1>');
    expect((await f.app.services.auth.users.list())[0].lang).toBe('it');
    const offsite = await me.post('/account/lang', { lang: 'en' }, { headers: { Referer: 'https://evil.example/x' } });
    expect(offsite.headers.get('Location')).toBe('/');
    expect((await me.post('/account/lang', { lang: 'de' })).status).toBe(400);
  });

  it('never renders a password hash or session token on any page', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin', 'anna');
    await f.loggedIn('operator', 'bob');
    const hashes = (await f.db.kysely.selectFrom('users').select('password_hash').execute()).map((r) => r.password_hash);
    const tokenHashes = (await f.db.kysely.selectFrom('sessions').select('token_hash').execute()).map((r) => r.token_hash);
    const sessionCookie = admin.cookies.get('poleepo_session')!;
    for (const path of ['/', '/users', `/users/${await idOf('bob')}`, '/account', '/api-log']) {
      const html = await (await admin.get(path)).text();
      for (const secret of [...hashes, ...hashes.map((h) => h.split('$').pop()!), ...tokenHashes, sessionCookie, PASSWORD]) {
        expect(html, path).not.toContain(secret);
      }
      expect(html).not.toMatch(/scrypt\$/);
    }
  });
});
