import { definePage, type ConsoleContext } from '../console.types.ts';
import { formOf, redirectTo, renderPage } from '../console.render.tsx';
import { CsrfField, TextField } from '../components/forms.tsx';
import { Notice } from '../components/flash.tsx';
import { formatDuration } from '../components/format.ts';
import { uiOf } from '../components/ui.ts';

/** Only local paths are followed after login (no open redirect to another site). */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/';
  return next;
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
      if (c.get('user')) return c.redirect(safeNext(c.req.query('next')), 302);
      return loginForm(c);
    });

    r.post('/login', 'public', async (c) => {
      const form = await formOf(c);
      const login = (form.login ?? '').slice(0, 200);
      const outcome = await services.auth.login(login, form.password ?? '', services.clientIp(c));
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
