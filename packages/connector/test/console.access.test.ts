import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './helpers/db.ts';
import { consoleFixture, routeSamples, type ConsoleClient, type ConsoleFixture } from './helpers/console.ts';
import type { RouteSpec } from '../src/console/console.types.ts';

/**
 * Every console route, as the registry declares it, is walked here: nobody reaches a route without logging in, an
 * operator never reaches an admin route, and no POST is accepted without this session's CSRF token from this origin.
 * A new route with path parameters needs a sample value in routeSamples (test/helpers/console.ts).
 */
describe.each(dialects)('console access control on %s', (dialect) => {
  let f: ConsoleFixture;
  let admin: ConsoleClient;
  let operator: ConsoleClient;
  let concrete: (route: RouteSpec) => string;

  beforeAll(async () => {
    f = await consoleFixture(dialect);
    admin = await f.loggedIn('admin', 'boss');
    operator = await f.loggedIn('operator', 'clerk');
    concrete = await routeSamples(f);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('declares every route with an access level, and has both roles and public routes', () => {
    const routes = f.app.routeTable;
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.path}`).sort()).toEqual(['GET /login', 'POST /login']);
    expect(routes.some((r) => r.access === 'admin')).toBe(true);
    expect(routes.some((r) => r.access === 'operator')).toBe(true);
  });

  it('sends anonymous visitors of every page to the login page (401 with HX-Redirect for htmx)', async () => {
    const anonymous = f.client();
    for (const route of f.app.routeTable.filter((r) => r.access !== 'public')) {
      const path = concrete(route);
      const res = route.method === 'GET' ? await anonymous.get(path) : await anonymous.post(path, {});
      expect(res.status, `${route.method} ${path}`).toBe(route.method === 'GET' ? 302 : 303);
      expect(res.headers.get('Location'), `${route.method} ${path}`).toMatch(/^\/login(\?next=|$)/);
      const hx = route.method === 'GET' ? await anonymous.get(path, { 'HX-Request': 'true' }) : await anonymous.post(path, {}, { headers: { 'HX-Request': 'true' } });
      expect(hx.status, `htmx ${route.method} ${path}`).toBe(401);
      expect(hx.headers.get('HX-Redirect')).toMatch(/^\/login/);
    }
  });

  it('keeps the requested page in `next` so login leads back to it', async () => {
    const res = await f.client().get('/api-log?system=odoo');
    expect(res.headers.get('Location')).toBe(`/login?next=${encodeURIComponent('/api-log?system=odoo')}`);
  });

  it('answers 403 to an operator on every admin route, GET and POST', async () => {
    const adminRoutes = f.app.routeTable.filter((r) => r.access === 'admin');
    expect(adminRoutes.length).toBeGreaterThan(0);
    for (const route of adminRoutes) {
      const path = concrete(route);
      const res = route.method === 'GET' ? await operator.get(path) : await operator.post(path, {});
      expect(res.status, `${route.method} ${path}`).toBe(403);
      expect(await res.text()).toContain('Not allowed');
    }
  });

  it('opens every page for the least role allowed (200), admins included', async () => {
    for (const route of f.app.routeTable.filter((r) => r.method === 'GET' && r.access !== 'public')) {
      const path = concrete(route);
      const who = route.access === 'admin' ? admin : operator;
      const res = await who.get(path);
      expect(res.status, `GET ${path} as ${route.access}`).toBe(200);
      expect((await admin.get(path)).status, `GET ${path} as admin`).toBe(200);
    }
  });

  it('refuses every POST without the CSRF token, with a wrong one, or from another origin', async () => {
    for (const route of f.app.routeTable.filter((r) => r.method === 'POST')) {
      const path = concrete(route);
      const who = route.access === 'operator' ? operator : admin;
      const missing = await who.post(path, {}, { csrf: false });
      expect(missing.status, `POST ${path} without token`).toBe(403);
      const wrong = await who.post(path, {}, { csrf: 'x'.repeat(43) });
      expect(wrong.status, `POST ${path} with a wrong token`).toBe(403);
      const foreign = await who.post(path, {}, { headers: { Origin: 'https://evil.example' } });
      expect(foreign.status, `POST ${path} from another origin`).toBe(403);
      const crossSite = await who.post(path, {}, { headers: { 'Sec-Fetch-Site': 'cross-site' } });
      expect(crossSite.status, `POST ${path} cross-site`).toBe(403);
    }
  });

  it('refuses a POST body past the limit on every route while it streams in (413), signed in or not', async () => {
    const posts = f.app.routeTable.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(5);
    for (const route of posts) {
      for (const who of [admin, f.client()]) {
        let pulled = 0;
        // Chunked (no Content-Length) and endless: only counting while reading can stop it.
        const endless = new ReadableStream<Uint8Array>({ pull: (c) => { pulled += 64 * 1024; c.enqueue(new Uint8Array(64 * 1024).fill(0x61)); } });
        const res = await who.request(concrete(route), { method: 'POST', body: endless, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, duplex: 'half' } as RequestInit);
        expect(res.status, `${route.method} ${route.path}`).toBe(413);
        expect(pulled, `${route.method} ${route.path}`).toBeLessThanOrEqual(512 * 1024);
      }
    }
  });

  it("does not accept another session's CSRF token", async () => {
    const othersToken = await admin.csrfToken();
    const res = await operator.post('/account/lang', { lang: 'it' }, { csrf: othersToken });
    expect(res.status).toBe(403);
  });

  it('accepts the token in the X-CSRF-Token header (htmx) as well as in the form', async () => {
    const token = await operator.csrfToken();
    const res = await operator.request('/account/lang', {
      method: 'POST', body: new URLSearchParams({ lang: 'en' }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': token, 'HX-Request': 'true', Origin: 'http://127.0.0.1' },
    });
    expect(res.status).toBe(303);
  });

  it('sets the security headers on pages, the login page and static files', async () => {
    for (const res of [await admin.get('/'), await f.client().get('/login'), await f.client().get(f.app.services.assets.url('console.css'))]) {
      const csp = res.headers.get('Content-Security-Policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe');
      expect(res.headers.get('X-Frame-Options')).toBe('DENY');
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(res.headers.get('Referrer-Policy')).toBe('same-origin');
    }
    expect((await admin.get('/')).headers.get('Cache-Control')).toBe('no-store');
  });
});

