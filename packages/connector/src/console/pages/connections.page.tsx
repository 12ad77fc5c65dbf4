import { definePage, type ConsoleContext } from '../console.types.ts';
import { defineMessages } from '../i18n/i18n.ts';
import { formOf, notFoundPage, redirectTo, renderPage } from '../console.render.tsx';
import { ActionButton, CsrfField, TextField } from '../components/forms.tsx';
import { Badge, type Tone } from '../components/badge.tsx';
import { Notice } from '../components/flash.tsx';
import { DataTable, Details } from '../components/table.tsx';
import { Time } from '../components/time.tsx';
import { positiveInt } from '../components/format.ts';
import { uiOf, type Ui } from '../components/ui.ts';
import { ConnectionNotFoundError, ConnectionsService } from '../../connections/connections.service.ts';
import type { CheckStatus, ConnectionView, CreateConnectionInput, UpdateConnectionInput } from '../../connections/connections.types.ts';
import { ValidationError } from '../../shared/errors.ts';

const messages = defineMessages({
  en: {
    'connections.nav': 'Connections',
    'connections.title': 'Connections',
    'connections.intro': 'Each connection joins one Odoo company to one Poleepo account. Secrets are stored encrypted and never shown.',
    'connections.empty': 'No connection yet: add one below.',
    'connections.name': 'Name',
    'connections.status': 'Status',
    'connections.active': 'Active',
    'connections.inactive': 'Inactive',
    'connections.odooUrl': 'Odoo URL',
    'connections.odooDb': 'Odoo database',
    'connections.odooLogin': 'Odoo login',
    'connections.odooApiKey': 'Odoo API key',
    'connections.companyId': 'Odoo company id',
    'connections.poleepoBaseUrl': 'Poleepo base URL',
    'connections.poleepoClientId': 'Poleepo client id',
    'connections.poleepoClientSecret': 'Poleepo client secret',
    'connections.lastTest': 'Last test',
    'connections.neverTested': 'Never tested',
    'connections.testOk': 'Passed',
    'connections.testFailed': 'Failed',
    'connections.new.title': 'Add a connection',
    'connections.new.submit': 'Add connection',
    'connections.edit.title': 'Edit',
    'connections.edit.submit': 'Save changes',
    'connections.secretKeep': 'Leave empty to keep the stored secret; a new URL needs it again (a stored secret is never sent to another address).',
    'connections.detail.title': 'Connection {name}',
    'connections.back': 'All connections',
    'connections.test': 'Test',
    'connections.test.title': 'Connection test',
    'connections.test.explain': 'Runs every check against Odoo and Poleepo with the stored credentials and shows a verdict for each (the calls themselves are in the API log).',
    'connections.check.system': 'System',
    'connections.check.name': 'Check',
    'connections.check.verdict': 'Verdict',
    'connections.check.detail': 'Detail',
    'connections.check.ok': 'OK',
    'connections.check.warn': 'Warning',
    'connections.check.fail': 'Failed',
    'connections.check.skipped': 'Skipped',
    'connections.activate': 'Activate',
    'connections.deactivate': 'Deactivate',
    'connections.remove': 'Remove',
    'connections.remove.confirm': 'Remove connection {name} and everything queued for it?',
    'connections.created.flash': 'Connection {name} added.',
    'connections.updated.flash': 'Connection {name} saved.',
    'connections.activated.flash': 'Connection {name} is active.',
    'connections.deactivated.flash': 'Connection {name} is inactive.',
    'connections.removed.flash': 'Connection {name} removed.',
    'connections.tested.ok.flash': 'Connection {name}: every check passed.',
    'connections.tested.failed.flash': 'Connection {name}: some checks failed (see below).',
    'connections.error': 'Nothing was saved: {message}',
  },
  it: {
    'connections.nav': 'Connessioni',
    'connections.title': 'Connessioni',
    'connections.intro': 'Ogni connessione unisce un’azienda Odoo a un account Poleepo. I segreti sono cifrati e non vengono mai mostrati.',
    'connections.empty': 'Nessuna connessione: aggiungine una qui sotto.',
    'connections.name': 'Nome',
    'connections.status': 'Stato',
    'connections.active': 'Attiva',
    'connections.inactive': 'Non attiva',
    'connections.odooUrl': 'URL Odoo',
    'connections.odooDb': 'Database Odoo',
    'connections.odooLogin': 'Login Odoo',
    'connections.odooApiKey': 'Chiave API Odoo',
    'connections.companyId': 'Id azienda Odoo',
    'connections.poleepoBaseUrl': 'URL base Poleepo',
    'connections.poleepoClientId': 'Client id Poleepo',
    'connections.poleepoClientSecret': 'Client secret Poleepo',
    'connections.lastTest': 'Ultimo test',
    'connections.neverTested': 'Mai provata',
    'connections.testOk': 'Superato',
    'connections.testFailed': 'Fallito',
    'connections.new.title': 'Aggiungi una connessione',
    'connections.new.submit': 'Aggiungi connessione',
    'connections.edit.title': 'Modifica',
    'connections.edit.submit': 'Salva modifiche',
    'connections.secretKeep': 'Lascia vuoto per mantenere il segreto salvato; con un nuovo URL va reinserito (un segreto salvato non viene mai inviato a un altro indirizzo).',
    'connections.detail.title': 'Connessione {name}',
    'connections.back': 'Tutte le connessioni',
    'connections.test': 'Prova',
    'connections.test.title': 'Prova della connessione',
    'connections.test.explain': 'Esegue tutti i controlli su Odoo e Poleepo con le credenziali salvate e mostra un esito per ciascuno (le chiamate sono nel log API).',
    'connections.check.system': 'Sistema',
    'connections.check.name': 'Controllo',
    'connections.check.verdict': 'Esito',
    'connections.check.detail': 'Dettaglio',
    'connections.check.ok': 'OK',
    'connections.check.warn': 'Avviso',
    'connections.check.fail': 'Fallito',
    'connections.check.skipped': 'Saltato',
    'connections.activate': 'Attiva',
    'connections.deactivate': 'Disattiva',
    'connections.remove': 'Rimuovi',
    'connections.remove.confirm': 'Rimuovere la connessione {name} e tutto ciò che è in coda per essa?',
    'connections.created.flash': 'Connessione {name} aggiunta.',
    'connections.updated.flash': 'Connessione {name} salvata.',
    'connections.activated.flash': 'La connessione {name} è attiva.',
    'connections.deactivated.flash': 'La connessione {name} non è attiva.',
    'connections.removed.flash': 'Connessione {name} rimossa.',
    'connections.tested.ok.flash': 'Connessione {name}: tutti i controlli superati.',
    'connections.tested.failed.flash': 'Connessione {name}: alcuni controlli sono falliti (vedi sotto).',
    'connections.error': 'Nulla è stato salvato: {message}',
  },
});

const CHECK_TONE: Record<CheckStatus, Tone> = { ok: 'ok', warn: 'warn', fail: 'error', skipped: 'muted' };

/** The form's values, minus secrets: a re-rendered form never carries a secret back to the browser. */
type FormValues = Record<string, string>;
const SECRET_FIELDS = ['odooApiKey', 'poleepoClientSecret'];
function withoutSecrets(form: FormValues): FormValues {
  return Object.fromEntries(Object.entries(form).filter(([k]) => !SECRET_FIELDS.includes(k) && k !== '_csrf'));
}

function companyIdOf(text: string | undefined): number | null {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return null;
  const n = Number(trimmed);
  // Left to the service's validation (positive integer) when it is not one.
  return Number.isFinite(n) ? n : NaN;
}

function createInput(form: FormValues): CreateConnectionInput {
  return {
    name: form.name ?? '',
    odoo: { url: form.odooUrl ?? '', db: form.odooDb ?? '', login: form.odooLogin ?? '', apiKey: form.odooApiKey ?? '', companyId: companyIdOf(form.companyId) },
    poleepo: {
      ...(form.poleepoBaseUrl?.trim() ? { baseUrl: form.poleepoBaseUrl } : {}),
      clientId: form.poleepoClientId ?? '',
      clientSecret: form.poleepoClientSecret ?? '',
    },
  };
}

/** An empty secret field keeps the stored secret: it is left out of the update. */
function updateInput(form: FormValues): UpdateConnectionInput {
  return {
    name: form.name,
    odoo: {
      url: form.odooUrl, db: form.odooDb, login: form.odooLogin, companyId: companyIdOf(form.companyId),
      ...(form.odooApiKey?.trim() ? { apiKey: form.odooApiKey } : {}),
    },
    poleepo: {
      ...(form.poleepoBaseUrl?.trim() ? { baseUrl: form.poleepoBaseUrl } : {}),
      clientId: form.poleepoClientId ?? '',
      ...(form.poleepoClientSecret?.trim() ? { clientSecret: form.poleepoClientSecret } : {}),
    },
  };
}

function valuesOf(conn: ConnectionView): FormValues {
  return {
    name: conn.name, odooUrl: conn.odoo.url, odooDb: conn.odoo.db, odooLogin: conn.odoo.login,
    companyId: conn.odoo.companyId === null ? '' : String(conn.odoo.companyId),
    poleepoBaseUrl: conn.poleepo.baseUrl, poleepoClientId: conn.poleepo.clientId,
  };
}

function ConnectionFields({ ui, values, editing }: { ui: Ui; values: FormValues; editing: boolean }) {
  const { t } = ui;
  const keep = editing ? t('connections.secretKeep') : undefined;
  return (
    <>
      <TextField name="name" label={t('connections.name')} value={values.name} required autocomplete="off" />
      <TextField name="odooUrl" label={t('connections.odooUrl')} value={values.odooUrl} required autocomplete="off" />
      <TextField name="odooDb" label={t('connections.odooDb')} value={values.odooDb} required autocomplete="off" />
      <TextField name="odooLogin" label={t('connections.odooLogin')} value={values.odooLogin} required autocomplete="off" />
      <TextField name="odooApiKey" label={t('connections.odooApiKey')} type="password" required={!editing} autocomplete="new-password" hint={keep} />
      <TextField name="companyId" label={t('connections.companyId')} value={values.companyId} type="number" min={1} autocomplete="off" />
      <TextField name="poleepoBaseUrl" label={t('connections.poleepoBaseUrl')} value={values.poleepoBaseUrl} autocomplete="off" />
      <TextField name="poleepoClientId" label={t('connections.poleepoClientId')} value={values.poleepoClientId} autocomplete="off" />
      <TextField name="poleepoClientSecret" label={t('connections.poleepoClientSecret')} type="password" autocomplete="new-password" hint={keep} />
    </>
  );
}

function ActiveBadge({ ui, active }: { ui: Ui; active: boolean }) {
  return <Badge tone={active ? 'ok' : 'muted'}>{ui.t(active ? 'connections.active' : 'connections.inactive')}</Badge>;
}

function LastTest({ ui, conn }: { ui: Ui; conn: ConnectionView }) {
  if (!conn.lastTest) return <span class="muted">{ui.t('connections.neverTested')}</span>;
  return <><Badge tone={conn.lastTest.ok ? 'ok' : 'error'}>{ui.t(conn.lastTest.ok ? 'connections.testOk' : 'connections.testFailed')}</Badge> <Time ui={ui} ms={conn.lastTest.at} /></>;
}

async function listView(c: ConsoleContext, extra: { error?: string; values?: FormValues; status?: 200 | 422 } = {}) {
  const ui = uiOf(c);
  const { t } = ui;
  const connections = await new ConnectionsService(c.get('services').ctx).list();
  return renderPage(c, t('connections.title'), (
    <>
      <p class="lead">{t('connections.intro')}</p>
      <DataTable<ConnectionView> caption={t('connections.title')} rows={connections} empty={t('connections.empty')} columns={[
        { header: t('connections.name'), cell: (x) => <a href={`/connections/${x.id}`}>{x.name}</a> },
        { header: t('connections.status'), cell: (x) => <ActiveBadge ui={ui} active={x.active} /> },
        { header: t('connections.odooUrl'), cell: (x) => <>{x.odoo.url}<br /><span class="muted">{x.odoo.db} · {x.odoo.login}{x.odoo.companyId !== null ? ` · #${x.odoo.companyId}` : ''}</span></> },
        { header: t('connections.poleepoBaseUrl'), cell: (x) => <>{x.poleepo.baseUrl}<br /><span class="muted">{x.poleepo.clientId || '—'}</span></> },
        { header: t('connections.lastTest'), cell: (x) => <LastTest ui={ui} conn={x} />, class: 'nowrap' },
      ]} />
      <section aria-labelledby="new-connection-title">
        <h2 id="new-connection-title">{t('connections.new.title')}</h2>
        {extra.error && <Notice kind="error">{extra.error}</Notice>}
        <form method="post" action="/connections" class="grid-form">
          <CsrfField token={ui.csrfToken} />
          <ConnectionFields ui={ui} values={extra.values ?? {}} editing={false} />
          <div class="form-actions"><button type="submit">{t('connections.new.submit')}</button></div>
        </form>
      </section>
    </>
  ), extra.status ?? 200);
}

async function detailView(c: ConsoleContext, conn: ConnectionView, extra: { error?: string; values?: FormValues; status?: 200 | 422 } = {}) {
  const ui = uiOf(c);
  const { t } = ui;
  return renderPage(c, t('connections.detail.title', { name: conn.name }), (
    <>
      <p><a href="/connections">{t('connections.back')}</a></p>
      <Details items={[
        [t('connections.status'), <ActiveBadge ui={ui} active={conn.active} />],
        [t('connections.odooUrl'), conn.odoo.url],
        [t('connections.odooDb'), conn.odoo.db],
        [t('connections.odooLogin'), conn.odoo.login],
        [t('connections.companyId'), conn.odoo.companyId === null ? '—' : String(conn.odoo.companyId)],
        [t('connections.poleepoBaseUrl'), conn.poleepo.baseUrl],
        [t('connections.poleepoClientId'), conn.poleepo.clientId || '—'],
        [t('connections.lastTest'), <LastTest ui={ui} conn={conn} />],
      ]} />
      <p>
        {conn.active
          ? <ActionButton ui={ui} action={`/connections/${conn.id}/active`} fields={{ active: '0' }} label={t('connections.deactivate')} variant="secondary" />
          : <ActionButton ui={ui} action={`/connections/${conn.id}/active`} fields={{ active: '1' }} label={t('connections.activate')} />}
        {' '}
        <ActionButton ui={ui} action={`/connections/${conn.id}/remove`} label={t('connections.remove')} variant="danger" confirm={t('connections.remove.confirm', { name: conn.name })} />
      </p>
      <section aria-labelledby="test-title">
        <h2 id="test-title">{t('connections.test.title')}</h2>
        <p><ActionButton ui={ui} action={`/connections/${conn.id}/test`} label={t('connections.test')} /> <span class="muted">{t('connections.test.explain')}</span></p>
        {conn.lastTest && (
          <DataTable caption={t('connections.test.title')} rows={conn.lastTest.checks} empty="—" columns={[
            { header: t('connections.check.system'), cell: (r) => r.system },
            { header: t('connections.check.name'), cell: (r) => r.name },
            { header: t('connections.check.verdict'), cell: (r) => <Badge tone={CHECK_TONE[r.status] ?? 'muted'}>{t(`connections.check.${r.status}`)}</Badge> },
            { header: t('connections.check.detail'), cell: (r) => r.detail, class: 'wrap' },
          ]} />
        )}
      </section>
      <section aria-labelledby="edit-title">
        <h2 id="edit-title">{t('connections.edit.title')}</h2>
        {extra.error && <Notice kind="error">{extra.error}</Notice>}
        <form method="post" action={`/connections/${conn.id}`} class="grid-form">
          <CsrfField token={ui.csrfToken} />
          <ConnectionFields ui={ui} values={extra.values ?? valuesOf(conn)} editing />
          <div class="form-actions"><button type="submit">{t('connections.edit.submit')}</button></div>
        </form>
      </section>
    </>
  ), extra.status ?? 200);
}

export const connectionsPage = definePage({
  id: 'connections',
  nav: { path: '/connections', label: 'connections.nav', order: 750, access: 'admin' },
  messages,
  routes(r, services) {
    const connections = () => new ConnectionsService(services.ctx);
    const load = async (c: ConsoleContext): Promise<ConnectionView | null> => {
      const id = positiveInt(c.req.param('id'), 0);
      if (!id) return null;
      try {
        return await connections().get(id);
      } catch (error) {
        if (error instanceof ConnectionNotFoundError) return null;
        throw error;
      }
    };
    const errorText = (c: ConsoleContext, error: ValidationError) => uiOf(c).t('connections.error', { message: error.message });

    r.get('/connections', 'admin', (c) => listView(c));

    r.post('/connections', 'admin', async (c) => {
      const form = await formOf(c);
      try {
        const created = await connections().create(createInput(form));
        return redirectTo(c, `/connections/${created.id}`, { kind: 'success', key: 'connections.created.flash', params: { name: created.name } });
      } catch (error) {
        if (error instanceof ValidationError) return listView(c, { error: errorText(c, error), values: withoutSecrets(form), status: 422 });
        throw error;
      }
    });

    r.get('/connections/:id', 'admin', async (c) => {
      const conn = await load(c);
      return conn ? detailView(c, conn) : notFoundPage(c);
    });

    r.post('/connections/:id', 'admin', async (c) => {
      const conn = await load(c);
      if (!conn) return notFoundPage(c);
      const form = await formOf(c);
      try {
        const updated = await connections().update(conn.id, updateInput(form));
        return redirectTo(c, `/connections/${conn.id}`, { kind: 'success', key: 'connections.updated.flash', params: { name: updated.name } });
      } catch (error) {
        if (error instanceof ValidationError) return detailView(c, conn, { error: errorText(c, error), values: withoutSecrets(form), status: 422 });
        throw error;
      }
    });

    r.post('/connections/:id/active', 'admin', async (c) => {
      const conn = await load(c);
      if (!conn) return notFoundPage(c);
      const active = (await formOf(c)).active === '1';
      await connections().setActive(conn.id, active);
      return redirectTo(c, `/connections/${conn.id}`, { kind: 'success', key: active ? 'connections.activated.flash' : 'connections.deactivated.flash', params: { name: conn.name } });
    });

    r.post('/connections/:id/remove', 'admin', async (c) => {
      const conn = await load(c);
      if (!conn) return notFoundPage(c);
      await connections().remove(conn.id);
      return redirectTo(c, '/connections', { kind: 'success', key: 'connections.removed.flash', params: { name: conn.name } });
    });

    r.post('/connections/:id/test', 'admin', async (c) => {
      const conn = await load(c);
      if (!conn) return notFoundPage(c);
      // The verdicts are stored on the connection; the detail page shows them.
      const report = await connections().test(conn.id, { signal: c.req.raw.signal });
      return redirectTo(c, `/connections/${conn.id}`, { kind: report.ok ? 'success' : 'error', key: report.ok ? 'connections.tested.ok.flash' : 'connections.tested.failed.flash', params: { name: conn.name } });
    });
  },
});
