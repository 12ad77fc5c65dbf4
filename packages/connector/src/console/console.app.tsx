/**
 * The web console: server-rendered hono/jsx pages, enhanced by htmx (hx-boost), styled by Pico, in Italian and
 * English, behind login. `createConsoleApp(ctx)` returns a Hono app mounted at `/` beside the public routes.
 *
 * ADDING A PAGE (e.g. the webhook queue)
 * 1. Write `src/console/pages/<name>.page.tsx` exporting `definePage({ … })`:
 *      export const queuePage = definePage({
 *        id: 'queue',
 *        nav: { path: '/queue', label: 'queue.nav', order: 40, access: 'operator' },   // omit for no menu entry
 *        messages: defineMessages({ en: { 'queue.nav': 'Webhook queue', … }, it: { 'queue.nav': 'Coda webhook', … } }),
 *        routes(r, services) {                  // services.ctx (AppContext), services.modules (webhooks, …), services.auth
 *          r.get('/queue', 'operator', async (c) => renderPage(c, c.get('t')('queue.title'), <QueueTable … />));
 *          r.post('/queue/:id/retry', 'operator', async (c) => { …; return redirectTo(c, '/queue', { kind: 'success', key: 'queue.retried' }); });
 *        },
 *      });
 *    Every route names the least role allowed ('public' | 'operator' | 'admin'); the registry refuses the request
 *    before the handler runs (unauthenticated → login, wrong role → 403) and checks the CSRF token and Origin of
 *    every POST. Operators never get connections/credentials, users, webhook configuration or scheduled jobs:
 *    declare those 'admin'. The menu shows an entry only to roles its GET route allows (checked at start).
 * 2. Add it to `CONSOLE_PAGES` in `src/console/console.pages.ts`.
 * 3. Keys: the page's own in `messages` (both languages, the type forces it); shared words (statuses, actions) are
 *    in `i18n/en.ts` + `i18n/it.ts`. A missing key renders as ⟦key⟧ and fails test/console.i18n.test.ts.
 * 4. Build with the components: `DataTable`, `Pagination`, `FilterBar`, `SelectField`, `TextField`,
 *    `ActionButton` (a CSRF-protected POST button, optional `confirm`), `StatusBadge` (labels from
 *    `status.<kind>.<status>` keys, e.g. kind `webhookQueue` → In Attesa / Completato / Fallito), `Time`,
 *    `Details`, `CodeBlock`; `renderPage`, `redirectTo` (with a flash), `forbiddenPage`, `notFoundPage`, `formOf`.
 *    Pages call services and repositories; no SQL and no business rules in a page.
 * 5. Test it in `test/console.<name>.test.ts` with the helpers in test/helpers/console.ts (`consoleFixture`,
 *    `loggedIn(role)`, a cookie-keeping client that posts forms with the CSRF token). The generic tests walk every
 *    route: test/console.access.test.ts (anonymous → login, wrong role → 403, missing/wrong CSRF or foreign Origin →
 *    403, allowed role → 200) and test/console.i18n.test.ts (no missing key in either language). A route with path
 *    parameters needs a sample path in `routeSamples` (test/helpers/console.ts); those tests fail until it has one.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AppContext } from '../app/context.ts';
import type { Services } from '../app/modules.ts';
import { createAuth, firstRunHint } from '../auth/auth.service.ts';
import { isLang, roleAllows, type Lang } from '../auth/auth.roles.ts';
import type { SessionPolicy } from '../auth/sessions.service.ts';
import type { ThrottlePolicy } from '../auth/login.throttle.ts';
import { randomToken } from '../shared/passwords.ts';
import { errorMessage } from '../shared/errors.ts';
import { I18n, langFromAcceptLanguage } from './i18n/i18n.ts';
import { coreMessages } from './i18n/core.ts';
import { ConsoleCookies } from './console.cookies.ts';
import { takeFlash } from './console.flash.ts';
import { StaticAssets } from './console.static.ts';
import { consoleSecureHeaders, csrfMatches, sameOrigin, submittedCsrfToken } from './console.security.ts';
import { forbiddenPage, isHtmx, renderPage } from './console.render.tsx';
import { CONSOLE_PAGES } from './console.pages.ts';
import type { ConsoleEnv, ConsoleHandler, ConsolePage, ConsoleServices, NavEntry, PageRouter, RouteSpec } from './console.types.ts';

export { firstRunHint };

export interface ConsoleOptions {
  /** The capability modules' services, handed to the pages (src/app/modules.ts builds them). */
  modules?: Services;
  /** The pages (default: CONSOLE_PAGES). */
  pages?: ConsolePage[];
  /**
   * The client address used for login throttling. Default: the header named by CLIENT_IP_HEADER when set (behind a
   * reverse proxy that always sets it), else the TCP peer.
   */
  clientIp?: (c: Context) => string;
  /** Time zone times are shown in for users without their own (default: CONSOLE_TIME_ZONE, Europe/Rome). */
  timeZone?: string;
  session?: Partial<SessionPolicy>;
  throttle?: Partial<ThrottlePolicy>;
  /** Largest accepted request body (forms). */
  maxBodyBytes?: number;
}

export type ConsoleApp = Hono<ConsoleEnv> & {
  /** Every route with the role it requires (the access tests walk it). */
  routeTable: RouteSpec[];
  i18n: I18n;
  services: ConsoleServices;
};

export function createConsoleApp(ctx: AppContext, options: ConsoleOptions = {}): ConsoleApp {
  const https = ctx.config.publicUrl.startsWith('https:');
  const cookies = new ConsoleCookies(https);
  const pages = options.pages ?? CONSOLE_PAGES;
  const i18n = new I18n([coreMessages, ...pages.flatMap((p) => (p.messages ? [p.messages] : []))]);
  const services: ConsoleServices = {
    ctx,
    modules: options.modules ?? null,
    auth: createAuth(ctx, { session: options.session, throttle: options.throttle }),
    timeZone: options.timeZone ?? ctx.config.consoleTimeZone ?? 'Europe/Rome',
    assets: new StaticAssets(),
    cookies,
    clientIp: options.clientIp ?? (ctx.config.clientIpHeader ? proxiedAddress(ctx.config.clientIpHeader) : peerAddress),
  };
  const allowedOrigins = [new URL(ctx.config.publicUrl).origin];
  const nav: NavEntry[] = pages.flatMap((p) => (p.nav ? [p.nav] : [])).sort((a, b) => a.order - b.order);

  const app = new Hono<ConsoleEnv>();
  app.use('*', consoleSecureHeaders(https));
  services.assets.mount(app);
  app.use('*', bodyLimit({ maxSize: options.maxBodyBytes ?? 256 * 1024, onError: (c) => c.text('Request body too large', 413) }));
  app.use('*', loadSession(services, i18n, nav));

  const routeTable: RouteSpec[] = [];
  for (const page of pages) {
    const router: PageRouter = {
      get: (path, access, handler) => add({ method: 'GET', path, access, pageId: page.id }, handler),
      post: (path, access, handler) => add({ method: 'POST', path, access, pageId: page.id }, handler),
    };
    page.routes(router, services);
  }
  function add(spec: RouteSpec, handler: ConsoleHandler): void {
    if (routeTable.some((r) => r.method === spec.method && r.path === spec.path)) throw new Error(`Console route ${spec.method} ${spec.path} is declared twice`);
    routeTable.push(spec);
    const guarded = guard(spec, handler, allowedOrigins);
    if (spec.method === 'GET') app.get(spec.path, guarded);
    else app.post(spec.path, guarded);
  }
  checkNav(nav, routeTable);

  app.onError((error, c) => {
    ctx.logger.error({ err: errorMessage(error), path: c.req.path }, 'console error');
    const t = c.get('t');
    if (!t) return c.text('Internal error', 500);
    return renderPage(c as never, t('error.internal.title'), <p>{t('error.internal.body')}</p>, 500);
  });

  return Object.assign(app, { routeTable, i18n, services });
}

/** Resolves the session cookie and sets what every page needs: user, language, translator, CSRF token, menu, flash. */
function loadSession(services: ConsoleServices, i18n: I18n, nav: NavEntry[]): MiddlewareHandler<ConsoleEnv> {
  const { cookies, auth } = services;
  return async (c, next) => {
    const token = cookies.get(c, cookies.session);
    const session = await auth.sessions.resolve(token);
    if (token && !session) cookies.clear(c, cookies.session);
    const user = session?.user ?? null;
    // The login page's choice wins for its session; then the user's own choice; else the browser's language.
    const lang: Lang = session?.lang ?? (user?.langChosen ? user.lang : anonymousLang(c, cookies));
    let csrfToken = session?.csrfToken;
    if (!csrfToken) {
      // Before login, a double-submit token (cookie + form field) protects the login form itself.
      csrfToken = cookies.get(c, cookies.loginCsrf);
      if (!csrfToken || !/^[A-Za-z0-9_-]{43}$/.test(csrfToken)) {
        csrfToken = randomToken(32);
        cookies.set(c, cookies.loginCsrf, csrfToken);
      }
    }
    c.set('services', services);
    c.set('session', session);
    c.set('user', user);
    c.set('lang', lang);
    c.set('timeZone', user?.timeZone ?? services.timeZone);
    c.set('t', i18n.translator(lang));
    c.set('csrfToken', csrfToken);
    c.set('nav', user ? nav.filter((e) => roleAllows(user.role, e.access)) : []);
    c.set('flash', c.req.method === 'GET' ? takeFlash(c, cookies) : null);
    await next();
  };
}

function anonymousLang(c: Context, cookies: ConsoleCookies): Lang {
  const asked = c.req.query('lang');
  if (isLang(asked)) {
    cookies.set(c, cookies.lang, asked, 365 * 86_400);
    // Picked before logging in: the session the login opens takes it (over the user's stored language).
    cookies.set(c, cookies.loginLang, asked);
    return asked;
  }
  const remembered = cookies.get(c, cookies.lang);
  if (isLang(remembered)) return remembered;
  return langFromAcceptLanguage(c.req.header('Accept-Language'));
}

/** Enforces the route's declared access, then Origin and CSRF on POST, before the handler runs. */
function guard(spec: RouteSpec, handler: ConsoleHandler, allowedOrigins: string[]): ConsoleHandler {
  return async (c) => {
    const user = c.get('user');
    if (spec.access !== 'public') {
      if (!user) return unauthenticated(c);
      if (!roleAllows(user.role, spec.access)) return forbiddenPage(c);
    }
    if (spec.method === 'POST') {
      const submitted = await submittedCsrfToken(c);
      const services = c.get('services');
      const sessionToken = c.get('session')?.csrfToken;
      const ok = sameOrigin(c, allowedOrigins) && (csrfMatches(sessionToken, submitted)
        || (spec.access === 'public' && csrfMatches(services.cookies.get(c, services.cookies.loginCsrf), submitted)));
      if (!ok) return csrfRefused(c);
    }
    return handler(c);
  };
}

function unauthenticated(c: Parameters<ConsoleHandler>[0]): Response {
  const next = c.req.method === 'GET' ? c.req.path + (new URL(c.req.url).search || '') : '/';
  const login = next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
  if (isHtmx(c)) {
    c.header('HX-Redirect', login);
    return c.body(null, 401);
  }
  return c.redirect(login, c.req.method === 'GET' ? 302 : 303);
}

function csrfRefused(c: Parameters<ConsoleHandler>[0]): Response | Promise<Response> {
  const t = c.get('t');
  return renderPage(c, t('error.csrf.title'), (
    <section>
      <p>{t('error.csrf.body')}</p>
      <p><a href={c.req.path}>{t('error.csrf.reload')}</a></p>
    </section>
  ), 403);
}

function checkNav(nav: NavEntry[], routes: RouteSpec[]): void {
  for (const entry of nav) {
    const route = routes.find((r) => r.method === 'GET' && r.path === entry.path);
    if (!route) throw new Error(`Console menu entry ${entry.path} has no GET route`);
    if (route.access !== entry.access) throw new Error(`Console menu entry ${entry.path} is shown to ${entry.access} but its route requires ${route.access}`);
  }
}

/**
 * The address the reverse proxy wrote: the last entry of the header (a client may send its own X-Forwarded-For;
 * the proxy appends the address it saw). Without the header, the TCP peer.
 */
function proxiedAddress(header: string): (c: Context) => string {
  return (c) => {
    const value = c.req.header(header);
    const last = value?.split(',').map((v) => v.trim()).filter(Boolean).at(-1);
    return last ? last.slice(0, 100) : peerAddress(c);
  };
}

function peerAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests, or a runtime without a socket.
    return 'unknown';
  }
}
