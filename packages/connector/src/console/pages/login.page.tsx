import { definePage, type ConsoleContext } from '../console.types.ts';
import { formOf, redirectTo, renderPage } from '../console.render.tsx';
import { CsrfField, TextField } from '../components/forms.tsx';
import { Notice } from '../components/flash.tsx';
import { formatDuration } from '../components/format.ts';
import { uiOf } from '../components/ui.ts';
import { isLang } from '../../auth/auth.roles.ts';

const HERE = 'http://console.invalid';

/**
 * Only a path of this console is followed after login (no open redirect to another site). The candidate is read the
 * way a browser reads a Location: the WHATWG URL parser drops tabs and newlines, turns `\\` into `/` and resolves
 * dot segments, so `/\t/evil.example/` or `/\\evil.example` would leave the site. It must start with one `/`, resolve
 * against a dummy origin to that same origin, and its normalised form (what is returned) must resolve there too.
 */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || /[\u0000-\u001f\u007f]/.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, HERE);
  } catch {
    return '/';
  }
  if (url.origin !== HERE) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  // `/.//evil.example` normalises to `//evil.example`: the result itself must stay a path of this origin.
  if (!path.startsWith('/') || path.startsWith('//') || new URL(path, HERE).origin !== HERE) return '/';
  if (path === '/login' || path.startsWith('/login?') || path.startsWith('/login/') || path.startsWith('/login#')) return '/';
  return path;
}

/** A `next` with a line break cannot be a path and would break the Location header: the request is refused. */
export function nextIsMalformed(next: string | undefined): boolean {
  return next !== undefined && /[\r\n\u0000]/.test(next);
}

function badNext(c: ConsoleContext) {
  return c.text('Bad request: "next" must be a path of this console', 400);
}

type LoginError = { key: string; params?: Record<string, string | number> };

async function loginForm(c: ConsoleContext, options: { error?: LoginError; login?: string; status?: 200 | 401 | 429 } = {}) {
  const ui = uiOf(c);
  const { t } = ui;
  const firstRun = !(await c.get('services').auth.users.anyUser());
  const next = safeNext(c.req.query('next') ?? (c.req.method === 'POST' ? (await formOf(c)).next : undefined));
  return renderPage(c, t('login.title'), (
    <section class="login">
      {firstRun && (
        <article class="first-run" aria-labelledby="first-run-title">
          <h2 id="first-run-title">{t('login.firstRun.title')}</h2>
          <p>{t('login.firstRun.body')}</p>
          <pre><code>poleepo-odoo user add admin --role admin</code></pre>
          <p>{t('login.firstRun.after')}</p>
        </article>
      )}
      {options.error && <Notice kind="error">{t(options.error.key, options.error.params)}</Notice>}
      <form method="post" action="/login" hx-boost="false" class="login-form">
        <CsrfField token={ui.csrfToken} />
        <input type="hidden" name="next" value={next} />
        <TextField name="login" label={t('login.login')} value={options.login} required autocomplete="username" />
        <TextField name="password" label={t('login.password')} type="password" required autocomplete="current-password" />
        <button type="submit">{t('login.submit')}</button>
      </form>
    </section>
  ), options.status ?? 200);
}

export const loginPage = definePage({
  id: 'login',
  routes(r, services) {
    r.get('/login', 'public', async (c) => {
      if (nextIsMalformed(c.req.query('next'))) return badNext(c);
      if (c.get('user')) return c.redirect(safeNext(c.req.query('next')), 302);
      return loginForm(c);
    });

    r.post('/login', 'public', async (c) => {
      const form = await formOf(c);
      if (nextIsMalformed(form.next) || nextIsMalformed(c.req.query('next'))) return badNext(c);
      const login = (form.login ?? '').slice(0, 200);
      // A language picked on the login page during this visit wins for the session it opens; a language merely
      // remembered from earlier visits (or another user's switch on this browser) does not.
      const picked = services.cookies.get(c, services.cookies.loginLang);
      const outcome = await services.auth.login(login, form.password ?? '', services.clientIp(c), isLang(picked) ? picked : null);
      if (!outcome.ok) {
        if (outcome.reason === 'throttled') {
          c.header('Retry-After', String(Math.ceil(outcome.retryAfterMs / 1000)));
          return loginForm(c, { login, status: 429, error: { key: 'login.throttled', params: { d: formatDuration(Math.max(outcome.retryAfterMs, 1000), { t: c.get('t') }) } } });
        }
        return loginForm(c, { login, status: 401, error: { key: 'login.invalid' } });
      }
      const { cookies } = services;
      // A fresh token at every login (no session fixation); the cookie lives as long as the absolute expiry.
      cookies.set(c, cookies.session, outcome.session.token, Math.floor(services.auth.sessions.policy.absoluteMs / 1000));
      cookies.clear(c, cookies.loginCsrf);
      cookies.clear(c, cookies.loginLang);
      return c.redirect(safeNext(form.next), 303);
    });

    r.post('/logout', 'operator', async (c) => {
      const session = c.get('session');
      if (session) await services.auth.sessions.end(session.id);
      services.cookies.clear(c, services.cookies.session);
      return redirectTo(c, '/login', { kind: 'info', key: 'login.loggedOut' });
    });
  },
});
