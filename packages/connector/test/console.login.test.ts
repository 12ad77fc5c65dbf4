import { afterEach, describe, expect, it } from 'vitest';
import { consoleFixture, PASSWORD, type ConsoleFixture } from './helpers/console.ts';

const HOUR = 3_600_000;

describe('console login and sessions', () => {
  let f: ConsoleFixture;
  afterEach(async () => {
    await f?.close();
  });

  it('tells how to create the first administrator while no user exists', async () => {
    f = await consoleFixture('sqlite');
    const html = await (await f.client().get('/login?lang=en')).text();
    expect(html).toContain('First start: no user yet');
    expect(html).toContain('poleepo-odoo user add admin --role admin');
    await f.app.services.auth.users.create({ login: 'anna', password: PASSWORD, role: 'admin' });
    expect(await (await f.client().get('/login')).text()).not.toContain('poleepo-odoo user add');
  });

  it('logs in with an HttpOnly SameSite=Lax session cookie, goes back to `next`, and logs out', async () => {
    f = await consoleFixture('sqlite');
    await f.app.services.auth.users.create({ login: 'anna', password: PASSWORD, role: 'operator', lang: 'it' });
    const browser = f.client();
    const first = await browser.get('/api-log?system=odoo');
    expect(first.headers.get('Location')).toBe('/login?next=%2Fapi-log%3Fsystem%3Dodoo');
    const res = await browser.post('/login', { login: 'anna', password: PASSWORD, next: '/api-log?system=odoo' });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/api-log?system=odoo');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('poleepo_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    expect(cookie).toMatch(/Max-Age=604800/);
    const page = await browser.get('/api-log?system=odoo');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html lang="it"');
    expect(html).toContain('Log API');
    const out = await browser.post('/logout');
    expect(out.status).toBe(303);
    expect(out.headers.get('Location')).toBe('/login');
    expect(await (await browser.get('/login')).text()).toContain('Sei uscito.');
    expect((await browser.get('/')).status).toBe(302);
    expect(await f.db.kysely.selectFrom('sessions').selectAll().execute()).toHaveLength(0);
  });

  it('marks the cookie Secure with the __Host- prefix when the console is served over https', async () => {
    f = await consoleFixture('sqlite', { env: { PUBLIC_URL: 'https://connector.example.com' } });
    await f.app.services.auth.users.create({ login: 'anna', password: PASSWORD, role: 'admin' });
    const browser = f.client();
    const res = await browser.post('/login', { login: 'anna', password: PASSWORD }, { headers: { Origin: 'https://connector.example.com' } });
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-poleepo_session='))!;
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/);
    expect((await f.client().get('/')).headers.get('Strict-Transport-Security')).toMatch(/max-age=/);
  });

  it('never follows `next` to another site', async () => {
    f = await consoleFixture('sqlite');
    await f.app.services.auth.users.create({ login: 'anna', password: PASSWORD, role: 'admin' });
    const foreign = [
      'https://evil.example/', '//evil.example/', '/\\evil.example', 'javascript:alert(1)',
      // What a browser makes of a Location: tabs and newlines dropped, \ read as /, dot segments resolved.
      '/\t/evil.example/', '/\t\t/evil.example', '/\\/evil.example', '\\\\evil.example', '/.//evil.example', '/x/..//evil.example',
      '/%2e//evil.example', ' //evil.example', '/login?next=//evil.example',
    ];
    for (const next of foreign) {
      const res = await f.client().post('/login', { login: 'anna', password: PASSWORD, next });
      expect(res.status, JSON.stringify(next)).toBe(303);
      expect(res.headers.get('Location'), JSON.stringify(next)).toBe('/');
    }
    // Local paths are kept (normalised as a browser would).
    for (const [next, location] of [['/api-log?system=odoo', '/api-log?system=odoo'], ['/orders/../queue', '/queue'], ['/tasks#dead', '/tasks#dead']]) {
      const res = await f.client().post('/login', { login: 'anna', password: PASSWORD, next });
      expect(res.headers.get('Location'), next).toBe(location);
    }
    // The reported case, on the GET of a signed-in browser.
    const browser = await f.loggedIn('operator');
    const res = await browser.get('/login?next=%2F%09%2Fevil.example%2F');
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/');
  });

  it('answers 400 (not 500) to a `next` with a line break, and opens no session for it', async () => {
    f = await consoleFixture('sqlite');
    await f.app.services.auth.users.create({ login: 'anna', password: PASSWORD, role: 'admin' });
    const browser = await f.loggedIn('operator');
    for (const next of ['%2F%0D%0ASet-Cookie%3A%20x%3D1', '%2Fqueue%0Aevil', '%2F%0D']) {
      expect((await browser.get(`/login?next=${next}`)).status, next).toBe(400);
      expect((await f.client().get(`/login?next=${next}`)).status, next).toBe(400);
    }
    const before = (await f.db.kysely.selectFrom('sessions').selectAll().execute()).length;
    const res = await f.client().post('/login', { login: 'anna', password: PASSWORD, next: '/\r\nSet-Cookie: x=1' });
    expect(res.status).toBe(400);
    expect(res.headers.getSetCookie().some((c) => c.includes('poleepo_session='))).toBe(false);
    expect(await f.db.kysely.selectFrom('sessions').selectAll().execute()).toHaveLength(before);
  });

  it('answers a wrong password with 401 and the same message as an unknown login', async () => {
    f = await consoleFixture('sqlite');
    await f.app.services.auth.users.create({ login: 'anna', password: PASSWORD, role: 'admin', lang: 'en' });
    const wrong = await f.client().post('/login?lang=en', { login: 'anna', password: 'not the password' });
    const unknown = await f.client().post('/login?lang=en', { login: 'nobody', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const a = await wrong.text();
    const b = await unknown.text();
    expect(a).toContain('Wrong login or password.');
    expect(b).toContain('Wrong login or password.');
    expect(a).not.toContain('not the password');
  });

  it('needs the login form token (no login CSRF) and a same-origin form', async () => {
    f = await consoleFixture('sqlite');
    await f.app.services.auth.users.create({ login: 'anna', password: PASSWORD, role: 'admin' });
    expect((await f.client().post('/login', { login: 'anna', password: PASSWORD }, { csrf: false })).status).toBe(403);
    expect((await f.client().post('/login', { login: 'anna', password: PASSWORD }, { headers: { Origin: 'https://evil.example' } })).status).toBe(403);
  });

  it('throttles password guessing at the login page with 429 and Retry-After (ManualClock)', async () => {
    f = await consoleFixture('sqlite');
    await f.app.services.auth.users.create({ login: 'anna', password: PASSWORD, role: 'admin', lang: 'en' });
    const attacker = f.client('203.0.113.9');
    for (let i = 0; i < 5; i++) expect((await attacker.post('/login', { login: 'anna', password: `guess ${i}` })).status).toBe(401);
    const refused = await attacker.post('/login?lang=en', { login: 'anna', password: PASSWORD });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('900');
    expect(await refused.text()).toContain('Too many failed attempts. Try again in 15 min.');
    // The guesser's address is refused, not the account: the right password from another address gets in.
    expect((await f.client('198.51.100.1').post('/login', { login: 'anna', password: PASSWORD })).status).toBe(303);
    expect((await attacker.post('/login', { login: 'anna', password: PASSWORD })).status).toBe(429);
    // The window passes with the clock.
    f.clock.advance(15 * 60_000);
    expect((await f.client('203.0.113.9').post('/login', { login: 'anna', password: PASSWORD })).status).toBe(303);
  });

  it('checks 5 of 60 wrong passwords posted at once for one login (the attempt is counted before the password)', async () => {
    f = await consoleFixture('sqlite');
    await f.app.services.auth.users.create({ login: 'anna', password: PASSWORD, role: 'admin', lang: 'en' });
    const attacker = f.client('203.0.113.9');
    const token = await attacker.csrfToken();
    const statuses = await Promise.all(Array.from({ length: 60 }, (_, i) => attacker.post('/login', { login: 'anna', password: `guess ${i}` }, { csrf: token }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(55);
  });

  it('closes the login to every address when it is guessed at from many', async () => {
    f = await consoleFixture('sqlite');
    await f.app.services.auth.users.create({ login: 'anna', password: PASSWORD, role: 'admin', lang: 'en' });
    for (let a = 0; a < 5; a++) {
      const bot = f.client(`203.0.113.${a}`);
      for (let i = 0; i < 5; i++) expect((await bot.post('/login', { login: 'anna', password: `guess ${i}` })).status).toBe(401);
    }
    expect((await f.client('198.51.100.1').post('/login', { login: 'anna', password: PASSWORD })).status).toBe(429);
  });

  it('behind a reverse proxy, throttles by the address the proxy writes in CLIENT_IP_HEADER (its last entry), not by the proxy', async () => {
    f = await consoleFixture('sqlite', { env: { CLIENT_IP_HEADER: 'X-Forwarded-For' }, clientIp: undefined });
    await f.app.services.auth.users.create({ login: 'anna', password: PASSWORD, role: 'admin', lang: 'en' });
    const client = f.client();
    const token = await client.csrfToken();
    // The guesser forges a first entry; the proxy appends the address it saw.
    const from = (address: string) => ({ csrf: token, headers: { 'X-Forwarded-For': `198.51.100.1, ${address}` } });
    for (let i = 0; i < 5; i++) expect((await client.post('/login', { login: 'anna', password: `guess ${i}` }, from('203.0.113.9'))).status).toBe(401);
    expect((await client.post('/login', { login: 'anna', password: PASSWORD }, from('203.0.113.9'))).status).toBe(429);
    expect((await client.post('/login', { login: 'anna', password: PASSWORD }, from('198.51.100.7'))).status).toBe(303);
    const attempts = await f.db.kysely.selectFrom('login_attempts').select('ip').distinct().execute();
    expect(attempts.map((a) => a.ip).sort()).toEqual(['198.51.100.7', '203.0.113.9']);
  });

  it('sends a browser back to login when its session expired (12 h idle) and clears the cookie', async () => {
    f = await consoleFixture('sqlite');
    const browser = await f.loggedIn('operator');
    f.clock.advance(11 * HOUR);
    expect((await browser.get('/')).status).toBe(200);
    f.clock.advance(11 * HOUR);
    expect((await browser.get('/')).status).toBe(200);
    f.clock.advance(12 * HOUR);
    const res = await browser.get('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/login');
    expect(browser.cookies.has('poleepo_session')).toBe(false);
  });

  it('ends a deactivated user\'s open session at the next request', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin', 'anna');
    const clerk = await f.loggedIn('operator', 'clerk');
    expect((await clerk.get('/')).status).toBe(200);
    const id = (await f.app.services.auth.users.list()).find((u) => u.login === 'clerk')!.id;
    expect((await admin.post(`/users/${id}/active`, { active: '0' })).status).toBe(303);
    expect((await clerk.get('/')).status).toBe(302);
  });

  it('shows the role change of a user at their next request (menu follows the role)', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin', 'anna');
    const clerk = await f.loggedIn('operator', 'clerk');
    expect(await (await clerk.get('/')).text()).not.toContain('href="/users"');
    expect((await clerk.get('/users')).status).toBe(403);
    const id = (await f.app.services.auth.users.list()).find((u) => u.login === 'clerk')!.id;
    await admin.post(`/users/${id}/role`, { role: 'admin' });
    expect(await (await clerk.get('/')).text()).toContain('href="/users"');
    expect((await clerk.get('/users')).status).toBe(200);
  });
});
