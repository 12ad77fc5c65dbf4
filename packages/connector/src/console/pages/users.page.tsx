import { definePage, type ConsoleContext } from '../console.types.ts';
import { formOf, notFoundPage, redirectTo, renderPage } from '../console.render.tsx';
import { ActionButton, CsrfField, SelectField, TextField } from '../components/forms.tsx';
import { Badge } from '../components/badge.tsx';
import { Notice } from '../components/flash.tsx';
import { DataTable, Details } from '../components/table.tsx';
import { Time } from '../components/time.tsx';
import { uiOf, type Ui } from '../components/ui.ts';
import { LANGS, ROLES } from '../../auth/auth.roles.ts';
import { generatePassword, PASSWORD_MIN_LENGTH, UserRuleError, type PublicUser } from '../../auth/users.service.ts';
import { positiveInt } from '../components/format.ts';

const roleOptions = (ui: Ui) => ROLES.map((r) => ({ value: r, label: ui.t(`role.${r}`) }));
/** "Browser" (empty) leaves the language unchosen: the console follows the person's browser or login page. */
const langOptions = (ui: Ui) => [{ value: '', label: ui.t('users.lang.browser') }, ...LANGS.map((l) => ({ value: l, label: ui.t(`lang.${l}`) }))];

function ruleMessage(ui: Ui, error: UserRuleError): string {
  return ui.t(`users.error.${error.rule}`, { n: PASSWORD_MIN_LENGTH });
}

/** Shown once, right after the password was generated; never stored in a flash cookie or a log. */
function GeneratedPassword({ ui, login, password }: { ui: Ui; login: string; password: string }) {
  return (
    <article class="generated" aria-labelledby="generated-title">
      <h2 id="generated-title">{ui.t('users.generated.title', { login })}</h2>
      <p><code class="secret">{password}</code></p>
      <p>{ui.t('users.generated.body')}</p>
    </article>
  );
}

async function listView(c: ConsoleContext, extra: { error?: string; generated?: { login: string; password: string }; values?: Record<string, string>; status?: 200 | 422 } = {}) {
  const ui = uiOf(c);
  const { t } = ui;
  const users = await c.get('services').auth.users.list();
  const v = extra.values ?? {};
  return renderPage(c, t('users.title'), (
    <>
      {extra.generated && <GeneratedPassword ui={ui} login={extra.generated.login} password={extra.generated.password} />}
      <DataTable<PublicUser> caption={t('users.title')} rows={users} empty={t('users.empty')} columns={[
        { header: t('users.login'), cell: (u) => <a href={`/users/${u.id}`}>{u.login}</a> },
        { header: t('users.role'), cell: (u) => t(`role.${u.role}`) },
        { header: t('users.lang'), cell: (u) => (u.langChosen ? t(`lang.${u.lang}`) : t('users.lang.browser')) },
        { header: t('users.status'), cell: (u) => <Badge tone={u.active ? 'ok' : 'muted'}>{t(u.active ? 'users.active' : 'users.inactive')}</Badge> },
        { header: t('users.created'), cell: (u) => <Time ui={ui} ms={u.createdAt} />, class: 'nowrap' },
      ]} />
      <section aria-labelledby="new-user-title">
        <h2 id="new-user-title">{t('users.new.title')}</h2>
        {extra.error && <Notice kind="error">{extra.error}</Notice>}
        <form method="post" action="/users" class="grid-form">
          <CsrfField token={ui.csrfToken} />
          <TextField name="login" label={t('users.login')} value={v.login} required autocomplete="off" />
          <SelectField name="role" label={t('users.role')} options={roleOptions(ui)} value={v.role ?? 'operator'} />
          <SelectField name="lang" label={t('users.lang')} options={langOptions(ui)} value={v.lang ?? ''} />
          <TextField name="password" label={t('users.password')} type="password" autocomplete="new-password" hint={t('users.password.generateHint', { n: PASSWORD_MIN_LENGTH })} />
          <div class="form-actions"><button type="submit">{t('users.new.submit')}</button></div>
        </form>
      </section>
    </>
  ), extra.status ?? 200);
}

async function detailView(c: ConsoleContext, user: PublicUser, extra: { error?: string; generated?: string; status?: 200 | 422 } = {}) {
  const ui = uiOf(c);
  const { t } = ui;
  const self = c.get('user')!.id === user.id;
  return renderPage(c, t('users.detail.title', { login: user.login }), (
    <>
      <p><a href="/users">{t('users.back')}</a></p>
      {extra.generated && <GeneratedPassword ui={ui} login={user.login} password={extra.generated} />}
      {extra.error && <Notice kind="error">{extra.error}</Notice>}
      <Details items={[
        [t('users.login'), user.login],
        [t('users.role'), t(`role.${user.role}`)],
        [t('users.lang'), user.langChosen ? t(`lang.${user.lang}`) : t('users.lang.browser')],
        [t('users.status'), <Badge tone={user.active ? 'ok' : 'muted'}>{t(user.active ? 'users.active' : 'users.inactive')}</Badge>],
        [t('users.created'), <Time ui={ui} ms={user.createdAt} />],
        [t('users.updated'), <Time ui={ui} ms={user.updatedAt} />],
      ]} />
      <section aria-labelledby="role-title">
        <h2 id="role-title">{t('users.role.title')}</h2>
        <form method="post" action={`/users/${user.id}/role`} class="row-form">
          <CsrfField token={ui.csrfToken} />
          <SelectField id="role" name="role" label={t('users.role')} options={roleOptions(ui)} value={user.role} />
          <button type="submit" class="small">{t('users.role.submit')}</button>
        </form>
      </section>
      <section aria-labelledby="active-title">
        <h2 id="active-title">{t('users.active.title')}</h2>
        {self ? <p class="muted">{t('users.active.self')}</p> : user.active
          ? <ActionButton ui={ui} action={`/users/${user.id}/active`} fields={{ active: '0' }} label={t('users.deactivate')} variant="danger" confirm={t('users.deactivate.confirm', { login: user.login })} />
          : <ActionButton ui={ui} action={`/users/${user.id}/active`} fields={{ active: '1' }} label={t('users.activate')} />}
      </section>
      <section aria-labelledby="reset-title">
        <h2 id="reset-title">{t('users.reset.title')}</h2>
        {self ? <p><a href="/account">{t('users.reset.useAccount')}</a></p> : <>
        <p>{t('users.reset.body')}</p>
        <form method="post" action={`/users/${user.id}/password`} class="row-form" hx-confirm={t('users.reset.confirm', { login: user.login })}>
          <CsrfField token={ui.csrfToken} />
          <TextField id="reset-password" name="password" label={t('users.password')} type="password" autocomplete="new-password" hint={t('users.password.generateHint', { n: PASSWORD_MIN_LENGTH })} />
          <button type="submit" class="small secondary">{t('users.reset.submit')}</button>
        </form>
        </>}
      </section>
    </>
  ), extra.status ?? 200);
}

function userId(c: ConsoleContext): number | null {
  const id = positiveInt(c.req.param('id'), 0);
  return id > 0 ? id : null;
}

export const usersPage = definePage({
  id: 'users',
  nav: { path: '/users', label: 'users.nav', order: 800, access: 'admin' },
  routes(r, services) {
    const users = services.auth.users;
    const load = async (c: ConsoleContext) => {
      const id = userId(c);
      if (!id) return null;
      try {
        return await users.get(id);
      } catch (error) {
        if (error instanceof UserRuleError && error.rule === 'not_found') return null;
        throw error;
      }
    };

    r.get('/users', 'admin', (c) => listView(c));

    r.post('/users', 'admin', async (c) => {
      const form = await formOf(c);
      const password = form.password ?? '';
      const generated = password === '' ? generatePassword() : null;
      try {
        const created = await users.create({ login: form.login ?? '', password: generated ?? password, role: form.role ?? '', lang: form.lang });
        if (generated) return listView(c, { generated: { login: created.login, password: generated } });
        return redirectTo(c, '/users', { kind: 'success', key: 'users.created.flash', params: { login: created.login } });
      } catch (error) {
        if (error instanceof UserRuleError) return listView(c, { error: ruleMessage(uiOf(c), error), values: { login: form.login ?? '', role: form.role ?? '', lang: form.lang ?? '' }, status: 422 });
        throw error;
      }
    });

    r.get('/users/:id', 'admin', async (c) => {
      const user = await load(c);
      return user ? detailView(c, user) : notFoundPage(c);
    });

    r.post('/users/:id/role', 'admin', async (c) => {
      const user = await load(c);
      if (!user) return notFoundPage(c);
      try {
        const updated = await users.setRole(c.get('user')!.id, user.id, (await formOf(c)).role ?? '');
        return redirectTo(c, `/users/${user.id}`, { kind: 'success', key: 'users.role.flash', params: { login: updated.login } });
      } catch (error) {
        if (error instanceof UserRuleError) return detailView(c, user, { error: ruleMessage(uiOf(c), error), status: 422 });
        throw error;
      }
    });

    r.post('/users/:id/active', 'admin', async (c) => {
      const user = await load(c);
      if (!user) return notFoundPage(c);
      const active = (await formOf(c)).active === '1';
      try {
        await users.setActive(c.get('user')!.id, user.id, active);
        return redirectTo(c, `/users/${user.id}`, { kind: 'success', key: active ? 'users.activated.flash' : 'users.deactivated.flash', params: { login: user.login } });
      } catch (error) {
        if (error instanceof UserRuleError) return detailView(c, user, { error: ruleMessage(uiOf(c), error), status: 422 });
        throw error;
      }
    });

    r.post('/users/:id/password', 'admin', async (c) => {
      const user = await load(c);
      if (!user) return notFoundPage(c);
      const password = (await formOf(c)).password ?? '';
      // A reset ends the user's sessions; one's own password is changed on My account (current password required).
      if (user.id === c.get('user')!.id) return detailView(c, user, { error: uiOf(c).t('users.reset.useAccount'), status: 422 });
      try {
        const { generated } = await users.resetPassword(user.id, password === '' ? undefined : password);
        if (generated) return detailView(c, await users.get(user.id), { generated });
        return redirectTo(c, `/users/${user.id}`, { kind: 'success', key: 'users.reset.flash', params: { login: user.login } });
      } catch (error) {
        if (error instanceof UserRuleError) return detailView(c, user, { error: ruleMessage(uiOf(c), error), status: 422 });
        throw error;
      }
    });
  },
});
