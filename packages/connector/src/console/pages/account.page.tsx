import { definePage, type ConsoleContext } from '../console.types.ts';
import { formOf, redirectTo, renderPage } from '../console.render.tsx';
import { CsrfField, TextField } from '../components/forms.tsx';
import { Notice } from '../components/flash.tsx';
import { Details } from '../components/table.tsx';
import { Time } from '../components/time.tsx';
import { uiOf } from '../components/ui.ts';
import { UserRuleError, PASSWORD_MIN_LENGTH } from '../../auth/users.service.ts';
import { isLang } from '../../auth/auth.roles.ts';

function accountView(c: ConsoleContext, error?: string, options: { tzError?: string; tzValue?: string } = {}) {
  const ui = uiOf(c);
  const { t } = ui;
  const user = c.get('user')!;
  return renderPage(c, t('account.title'), (
    <>
      <Details items={[
        [t('users.login'), user.login],
        [t('users.role'), t(`role.${user.role}`)],
        [t('users.lang'), user.langChosen ? t(`lang.${user.lang}`) : t('account.lang.browser', { lang: t(`lang.${ui.lang}`) })],
        [t('users.created'), <Time ui={ui} ms={user.createdAt} />],
      ]} />
      <section aria-labelledby="tz-title">
        <h2 id="tz-title">{t('account.timeZone.title')}</h2>
        {options.tzError && <Notice kind="error">{options.tzError}</Notice>}
        <form method="post" action="/account/time-zone" class="narrow">
          <CsrfField token={ui.csrfToken} />
          <TextField name="timeZone" label={t('account.timeZone.label')} value={options.tzValue ?? user.timeZone ?? ''} hint={t('account.timeZone.hint', { tz: c.get('services').timeZone })} autocomplete="off" />
          <button type="submit">{t('account.timeZone.submit')}</button>
        </form>
      </section>
      <section aria-labelledby="pw-title">
        <h2 id="pw-title">{t('account.password.title')}</h2>
        {error && <Notice kind="error">{error}</Notice>}
        <form method="post" action="/account/password" class="narrow">
          <CsrfField token={ui.csrfToken} />
          <TextField name="current" label={t('account.password.current')} type="password" required autocomplete="current-password" />
          <TextField name="next" label={t('account.password.new')} type="password" required autocomplete="new-password" minlength={PASSWORD_MIN_LENGTH} hint={t('users.password.hint', { n: PASSWORD_MIN_LENGTH })} />
          <TextField name="repeat" label={t('account.password.repeat')} type="password" required autocomplete="new-password" />
          <button type="submit">{t('account.password.submit')}</button>
        </form>
      </section>
    </>
  ), error || options.tzError ? 422 : 200);
}

/** Back to the page the language was switched on (same origin only). */
function backTo(c: ConsoleContext): string {
  const referer = c.req.header('Referer');
  if (!referer) return '/';
  try {
    const url = new URL(referer);
    return url.origin === new URL(c.req.url).origin && url.pathname.startsWith('/') && !url.pathname.startsWith('//') ? url.pathname + url.search : '/';
  } catch {
    return '/';
  }
}

export const accountPage = definePage({
  id: 'account',
  nav: { path: '/account', label: 'account.nav', order: 900, access: 'operator' },
  routes(r, services) {
    r.get('/account', 'operator', (c) => accountView(c));

    r.post('/account/lang', 'operator', async (c) => {
      const { lang } = await formOf(c);
      if (!isLang(lang)) return c.text('Unknown language', 400);
      await services.auth.users.setLang(c.get('user')!.id, lang);
      // The switch is a choice: it holds for this session (over a login-page choice) and for the next login page.
      await services.auth.sessions.setLang(c.get('session')!.id, lang);
      services.cookies.set(c, services.cookies.lang, lang, 365 * 86_400);
      return c.redirect(backTo(c), 303);
    });

    r.post('/account/time-zone', 'operator', async (c) => {
      const form = await formOf(c);
      const zone = (form.timeZone ?? '').trim();
      try {
        await services.auth.users.setTimeZone(c.get('user')!.id, zone || null);
      } catch (error) {
        if (error instanceof UserRuleError) return accountView(c, undefined, { tzError: c.get('t')('users.error.time_zone_invalid', { tz: zone.slice(0, 64) }), tzValue: zone.slice(0, 64) });
        throw error;
      }
      return redirectTo(c, '/account', { kind: 'success', key: 'account.timeZone.saved' });
    });

    r.post('/account/password', 'operator', async (c) => {
      const form = await formOf(c);
      const t = c.get('t');
      if ((form.next ?? '') !== (form.repeat ?? '')) return accountView(c, t('users.error.password_mismatch'));
      try {
        await services.auth.users.changeOwnPassword(c.get('user')!.id, form.current ?? '', form.next ?? '', c.get('session')!.id);
      } catch (error) {
        if (error instanceof UserRuleError) return accountView(c, t(`users.error.${error.rule}`, { n: PASSWORD_MIN_LENGTH }));
        throw error;
      }
      return redirectTo(c, '/account', { kind: 'success', key: 'account.password.changed' });
    });
  },
});
