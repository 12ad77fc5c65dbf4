import { definePage, type ConsoleContext, type ConsoleServices } from '../console.types.ts';
import { defineMessages } from '../i18n/i18n.ts';
import { formOf, notFoundPage, redirectTo, renderPage } from '../console.render.tsx';
import { ActionButton, CsrfField, SelectField, TextField } from '../components/forms.tsx';
import { Badge } from '../components/badge.tsx';
import { Notice } from '../components/flash.tsx';
import { DataTable } from '../components/table.tsx';
import { uiOf } from '../components/ui.ts';
import { connectionNames } from '../console.lookups.ts';
import { WebhooksService, type WebhookConfig } from '../../webhooks/webhooks.service.ts';
import { VERIFICATION_MODES, WEBHOOK_EVENTS } from '../../webhooks/webhooks.tables.ts';
import { ValidationError } from '../../shared/errors.ts';

const messages = defineMessages({
  en: {
    'webhooks.nav': 'Webhooks',
    'webhooks.title': 'Webhooks',
    'webhooks.intro': 'The webhooks Poleepo calls when an order or a shipment changes. Paste each Webhook URL into Poleepo: it contains the token that identifies the webhook.',
    'webhooks.empty': 'No webhook yet: add one below.',
    'webhooks.connection': 'Connection',
    'webhooks.name': 'Name',
    'webhooks.name.hint': 'Letters, digits, "_", "-" or "." (no spaces).',
    'webhooks.events': 'Events',
    'webhooks.verification': 'Verification',
    'webhooks.status': 'Status',
    'webhooks.active': 'Active',
    'webhooks.inactive': 'Inactive',
    'webhooks.url': 'Webhook URL',
    'webhooks.url.note': 'Paste this full URL (token included) into Poleepo\'s webhook configuration.',
    'webhooks.secret': 'Secret key',
    'webhooks.secret.hint': 'The secret key Poleepo shows for this webhook. It is stored encrypted and never shown again.',
    'webhooks.verification.hmac': 'HMAC signature (recommended)',
    'webhooks.verification.header': 'Secret in a header',
    'webhooks.verification.url_token': 'URL token only',
    'webhooks.new.title': 'Add a webhook',
    'webhooks.new.submit': 'Add webhook',
    'webhooks.noConnection': 'Add a connection first.',
    'webhooks.created.title': 'Webhook {name} added',
    'webhooks.remove': 'Remove',
    'webhooks.remove.confirm': 'Remove webhook {name}? Poleepo\'s calls to its URL will be refused.',
    'webhooks.removed.flash': 'Webhook {name} removed.',
    'webhooks.error': 'Nothing was saved: {message}',
    'webhooks.actions': 'Actions',
  },
  it: {
    'webhooks.nav': 'Webhook',
    'webhooks.title': 'Webhook',
    'webhooks.intro': 'I webhook che Poleepo chiama quando un ordine o una spedizione cambia. Incolla ogni URL del webhook in Poleepo: contiene il token che identifica il webhook.',
    'webhooks.empty': 'Nessun webhook: aggiungine uno qui sotto.',
    'webhooks.connection': 'Connessione',
    'webhooks.name': 'Nome',
    'webhooks.name.hint': 'Lettere, cifre, "_", "-" o "." (senza spazi).',
    'webhooks.events': 'Eventi',
    'webhooks.verification': 'Verifica',
    'webhooks.status': 'Stato',
    'webhooks.active': 'Attivo',
    'webhooks.inactive': 'Non attivo',
    'webhooks.url': 'URL del webhook',
    'webhooks.url.note': 'Incolla questo URL completo (token compreso) nella configurazione dei webhook di Poleepo.',
    'webhooks.secret': 'Chiave segreta',
    'webhooks.secret.hint': 'La chiave segreta che Poleepo mostra per questo webhook. Viene salvata cifrata e non sarà più mostrata.',
    'webhooks.verification.hmac': 'Firma HMAC (consigliata)',
    'webhooks.verification.header': 'Segreto in un header',
    'webhooks.verification.url_token': 'Solo token nell\'URL',
    'webhooks.new.title': 'Aggiungi un webhook',
    'webhooks.new.submit': 'Aggiungi webhook',
    'webhooks.noConnection': 'Aggiungi prima una connessione.',
    'webhooks.created.title': 'Webhook {name} aggiunto',
    'webhooks.remove': 'Rimuovi',
    'webhooks.remove.confirm': 'Rimuovere il webhook {name}? Le chiamate di Poleepo al suo URL saranno rifiutate.',
    'webhooks.removed.flash': 'Webhook {name} rimosso.',
    'webhooks.error': 'Nulla è stato salvato: {message}',
    'webhooks.actions': 'Azioni',
  },
});

/** The modules' service when the console runs with them; else one over the same storage (tests, CLI-less runs). */
function webhooksOf(services: ConsoleServices): WebhooksService {
  const { ctx } = services;
  return services.modules?.webhooks ?? new WebhooksService(ctx.db, ctx.clock, ctx.secrets, ctx.config.publicUrl);
}

type Row = WebhookConfig & { connectionName: string; url: string };

async function listView(c: ConsoleContext, extra: { error?: string; values?: Record<string, string>; events?: string[]; created?: { name: string; url: string }; status?: 200 | 422 } = {}) {
  const ui = uiOf(c);
  const { t } = ui;
  const services = c.get('services');
  const webhooks = await webhooksOf(services).list();
  const connections = await connectionNames(services.ctx.db);
  const v = extra.values ?? {};
  const checked = new Set(extra.events ?? WEBHOOK_EVENTS);
  return renderPage(c, t('webhooks.title'), (
    <>
      {extra.created && (
        <article class="generated" aria-labelledby="created-title">
          <h2 id="created-title">{t('webhooks.created.title', { name: extra.created.name })}</h2>
          <p>{t('webhooks.url.note')}</p>
          <p><code class="secret">{extra.created.url}</code></p>
        </article>
      )}
      <p class="lead">{t('webhooks.intro')}</p>
      <DataTable<Row> caption={t('webhooks.title')} rows={webhooks} empty={t('webhooks.empty')} columns={[
        { header: t('webhooks.connection'), cell: (w) => w.connectionName },
        { header: t('webhooks.name'), cell: (w) => <code>{w.name}</code> },
        { header: t('webhooks.events'), cell: (w) => w.events.join(', ') },
        { header: t('webhooks.verification'), cell: (w) => t(`webhooks.verification.${w.verification}`) },
        { header: t('webhooks.status'), cell: (w) => <Badge tone={w.active ? 'ok' : 'muted'}>{t(w.active ? 'webhooks.active' : 'webhooks.inactive')}</Badge> },
        { header: t('webhooks.url'), cell: (w) => <code>{w.url}</code>, class: 'wrap' },
        { header: t('webhooks.actions'), cell: (w) => <ActionButton ui={ui} action={`/webhooks/${encodeURIComponent(w.name)}/remove`} label={t('webhooks.remove')} variant="danger" confirm={t('webhooks.remove.confirm', { name: w.name })} /> },
      ]} />
      {webhooks.length > 0 && <p class="muted">{t('webhooks.url.note')}</p>}
      <section aria-labelledby="new-webhook-title">
        <h2 id="new-webhook-title">{t('webhooks.new.title')}</h2>
        {extra.error && <Notice kind="error">{extra.error}</Notice>}
        {connections.length === 0 ? <p class="muted">{t('webhooks.noConnection')}</p> : (
          <form method="post" action="/webhooks" class="grid-form">
            <CsrfField token={ui.csrfToken} />
            <SelectField name="connection" label={t('webhooks.connection')} value={v.connection} options={connections.map((x) => ({ value: String(x.id), label: x.name }))} />
            <TextField name="name" label={t('webhooks.name')} value={v.name} required autocomplete="off" hint={t('webhooks.name.hint')} />
            <TextField name="secret" label={t('webhooks.secret')} type="password" required autocomplete="new-password" hint={t('webhooks.secret.hint')} />
            <fieldset>
              <legend>{t('webhooks.events')}</legend>
              {WEBHOOK_EVENTS.map((e) => <label><input type="checkbox" name={`event_${e}`} value="1" checked={checked.has(e)} /> {e}</label>)}
            </fieldset>
            <SelectField name="verification" label={t('webhooks.verification')} value={v.verification ?? 'hmac'} options={VERIFICATION_MODES.map((m) => ({ value: m, label: t(`webhooks.verification.${m}`) }))} />
            <div class="form-actions"><button type="submit">{t('webhooks.new.submit')}</button></div>
          </form>
        )}
      </section>
    </>
  ), extra.status ?? 200);
}

export const webhooksPage = definePage({
  id: 'webhooks',
  nav: { path: '/webhooks', label: 'webhooks.nav', order: 760, access: 'admin' },
  messages,
  routes(r, services) {
    r.get('/webhooks', 'admin', (c) => listView(c));

    r.post('/webhooks', 'admin', async (c) => {
      const form = await formOf(c);
      // One checkbox per event (formOf keeps one value per name).
      const events = WEBHOOK_EVENTS.filter((e) => form[`event_${e}`] === '1');
      const values = { connection: form.connection ?? '', name: form.name ?? '', verification: form.verification ?? '' };
      try {
        const connectionId = Number(form.connection);
        const known = await connectionNames(services.ctx.db);
        if (!known.some((x) => x.id === connectionId)) throw new ValidationError('Choose a connection');
        const { webhook, url } = await webhooksOf(services).add({ connectionId, name: form.name ?? '', secret: form.secret ?? '', events, verification: form.verification || 'hmac' });
        // The URL (with its token) is shown at once and stays on the list; the secret is never shown again.
        return listView(c, { created: { name: webhook.name, url } });
      } catch (error) {
        if (error instanceof ValidationError) return listView(c, { error: uiOf(c).t('webhooks.error', { message: error.message }), values, events, status: 422 });
        throw error;
      }
    });

    r.post('/webhooks/:name/remove', 'admin', async (c) => {
      const name = c.req.param('name') ?? '';
      try {
        await webhooksOf(services).remove(name);
      } catch (error) {
        if (error instanceof ValidationError) return notFoundPage(c);
        throw error;
      }
      return redirectTo(c, '/webhooks', { kind: 'success', key: 'webhooks.removed.flash', params: { name } });
    });
  },
});
