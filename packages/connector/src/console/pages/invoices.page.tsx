import { definePage, type ConsoleContext } from '../console.types.ts';
import { defineMessages } from '../i18n/i18n.ts';
import { formOf, notFoundPage, redirectTo, renderPage } from '../console.render.tsx';
import { ActionButton, CsrfField, FilterBar, SelectField, TextField } from '../components/forms.tsx';
import { Badge, type Tone } from '../components/badge.tsx';
import { Notice } from '../components/flash.tsx';
import { DataTable } from '../components/table.tsx';
import { Pagination } from '../components/pagination.tsx';
import { Time } from '../components/time.tsx';
import { positiveInt } from '../components/format.ts';
import { formatMoney } from '../components/numbers.ts';
import { said } from '../components/said.ts';
import { uiOf, type Ui } from '../components/ui.ts';
import { connectionNames } from '../console.lookups.ts';
import { ConnectionsService } from '../../connections/connections.service.ts';
import type { OrderBinding } from '../../orders/orders.repo.ts';
import { InvoicesRepo, type InvoiceListRow } from '../../invoices/invoices.repo.ts';
import type { InvoicesService } from '../../invoices/invoices.service.ts';
import { INVOICE_STEPS, type InvoiceRow, type InvoiceStep, type OrderDocumentRow } from '../../invoices/invoices.tables.ts';
import { ValidationError, errorMessage } from '../../shared/errors.ts';

/**
 * Invoices and documents (DESIGN §4.8) for people: every invoice and credit note sent (or being sent) from Odoo to
 * Poleepo, where each stands and, when one stopped, why in plain words; a send (invoice an order now on the manual
 * policy, retry a stopped invoice, send again one missing on Poleepo). The order page shows an order's invoices and
 * the documents imported from Poleepo (`orderInvoicesSection`). Operators see and send; everything goes through
 * InvoicesService, the same facade as the CLI (`invoices list|send`, `documents list`).
 */
const PAGE_SIZE = 50;

const STEP_TONE: Record<InvoiceStep, Tone> = { creating: 'warn', posting: 'warn', rendering: 'warn', uploading: 'warn', sent: 'ok', failed: 'error' };
const POLICIES = ['on_confirmation', 'on_delivery', 'manual', 'never'] as const;

const messages = defineMessages({
  en: {
    'invoices.nav': 'Invoices',
    'invoices.title': 'Invoices',
    'invoices.intro': 'Invoices and credit notes of the orders imported from Poleepo: made and posted in Odoo, their PDF made in Odoo, then sent to Poleepo with number, date and amounts. Invoices made in Odoo by hand are sent too; a cancelled or refunded order gets a credit note.',
    'invoices.policy': 'Invoice policy of {connection}: {policy}.',
    'invoices.policy.on_confirmation': 'invoiced when the order is confirmed',
    'invoices.policy.on_delivery': 'invoiced when its delivery is validated',
    'invoices.policy.manual': 'invoiced only on request (invoices made in Odoo are sent)',
    'invoices.policy.never': 'no invoices made or sent',
    'invoices.unavailable': 'Sending invoices is not available in this process: the console runs without the connector\'s services.',
    'invoices.status': 'Status',
    'invoices.connection': 'Connection',
    'invoices.search': 'Search',
    'invoices.searchHint': 'Invoice number, sale order or Poleepo order',
    'invoices.empty': 'No invoice yet.',
    'invoices.document': 'Document',
    'invoices.order': 'Order',
    'invoices.poleepoOrder': 'Poleepo order {id}',
    'invoices.date': 'Date',
    'invoices.total': 'Total',
    'invoices.updated': 'Updated',
    'invoices.actions': 'Actions',
    'invoices.kind.INVOICE': 'Invoice',
    'invoices.kind.CREDIT_NOTE': 'Credit note',
    'invoices.madeInOdoo': 'made in Odoo by hand',
    'invoices.madeByConnector': 'made by the connector',
    'invoices.notYet': 'not numbered yet',
    'invoices.onPoleepo': 'Poleepo document {id}',
    'invoices.retryAt': 'Tried again automatically at {time}.',
    'invoices.send': 'Send',
    'invoices.sendOf': 'Send the invoices of order {id}',
    'invoices.retry': 'Retry',
    'invoices.retryOf': 'Retry {name}',
    'invoices.resend': 'Resend',
    'invoices.resendOf': 'Check {name} on Poleepo and send it again if missing',
    'invoices.form.title': 'Invoice an order now',
    'invoices.form.intro': 'For the manual policy, or to retry: the order is invoiced in Odoo if something is left to invoice, and its invoices are sent to Poleepo (one already there is not sent twice).',
    'invoices.form.order': 'Poleepo order',
    'invoices.form.submit': 'Invoice and send',
    'invoices.sent.queued': 'Order {id}: the invoices are being made and sent to Poleepo.',
    'invoices.sent.failed': 'Not sent: {reason}',
    'invoices.section.title': 'Invoices and documents',
    'invoices.section.invoices': 'Invoices sent to Poleepo',
    'invoices.section.noInvoices': 'No invoice for this order.',
    'invoices.section.documents': 'Documents from Poleepo',
    'invoices.section.noDocuments': 'No document from Poleepo imported for this order yet.',
    'invoices.section.type': 'Type',
    'invoices.section.number': 'Number',
    'invoices.section.file': 'File',
    'invoices.section.state': 'In Odoo',
    'invoices.doc.type.WAYBILL': 'Waybill',
    'invoices.doc.type.INVOICE': 'Invoice',
    'invoices.doc.type.CREDIT_NOTE': 'Credit note',
    'status.invoiceStep.creating': 'Being made in Odoo',
    'status.invoiceStep.posting': 'Being posted',
    'status.invoiceStep.rendering': 'Making the PDF',
    'status.invoiceStep.uploading': 'Sending to Poleepo',
    'status.invoiceStep.sent': 'On Poleepo',
    'status.invoiceStep.failed': 'Stopped',
    'status.documentStep.importing': 'Being imported',
    'status.documentStep.done': 'Attached',
    'status.documentStep.skipped': 'Not imported',
    'status.documentStep.failed': 'Import failed',
  },
  it: {
    'invoices.nav': 'Fatture',
    'invoices.title': 'Fatture',
    'invoices.intro': 'Fatture e note di credito degli ordini importati da Poleepo: create e confermate in Odoo, con il PDF generato in Odoo, poi inviate a Poleepo con numero, data e importi. Anche le fatture create a mano in Odoo vengono inviate; un ordine annullato o rimborsato riceve una nota di credito.',
    'invoices.policy': 'Fatturazione di {connection}: {policy}.',
    'invoices.policy.on_confirmation': 'fattura alla conferma dell\'ordine',
    'invoices.policy.on_delivery': 'fattura alla convalida della consegna',
    'invoices.policy.manual': 'fattura solo su richiesta (le fatture create in Odoo vengono inviate)',
    'invoices.policy.never': 'nessuna fattura creata né inviata',
    'invoices.unavailable': 'L\'invio delle fatture non è disponibile in questo processo: la console è avviata senza i servizi del connettore.',
    'invoices.status': 'Stato',
    'invoices.connection': 'Connessione',
    'invoices.search': 'Cerca',
    'invoices.searchHint': 'Numero fattura, ordine di vendita o ordine Poleepo',
    'invoices.empty': 'Ancora nessuna fattura.',
    'invoices.document': 'Documento',
    'invoices.order': 'Ordine',
    'invoices.poleepoOrder': 'Ordine Poleepo {id}',
    'invoices.date': 'Data',
    'invoices.total': 'Totale',
    'invoices.updated': 'Aggiornata',
    'invoices.actions': 'Azioni',
    'invoices.kind.INVOICE': 'Fattura',
    'invoices.kind.CREDIT_NOTE': 'Nota di credito',
    'invoices.madeInOdoo': 'creata a mano in Odoo',
    'invoices.madeByConnector': 'creata dal connettore',
    'invoices.notYet': 'non ancora numerata',
    'invoices.onPoleepo': 'Documento Poleepo {id}',
    'invoices.retryAt': 'Nuovo tentativo automatico alle {time}.',
    'invoices.send': 'Invia',
    'invoices.sendOf': 'Invia le fatture dell\'ordine {id}',
    'invoices.retry': 'Riprova',
    'invoices.retryOf': 'Riprova {name}',
    'invoices.resend': 'Reinvia',
    'invoices.resendOf': 'Verifica {name} su Poleepo e reinviala se manca',
    'invoices.form.title': 'Fattura un ordine adesso',
    'invoices.form.intro': 'Per la fatturazione su richiesta, o per riprovare: l\'ordine viene fatturato in Odoo se c\'è ancora qualcosa da fatturare, e le sue fatture vengono inviate a Poleepo (una già presente non viene inviata due volte).',
    'invoices.form.order': 'Ordine Poleepo',
    'invoices.form.submit': 'Fattura e invia',
    'invoices.sent.queued': 'Ordine {id}: le fatture vengono create e inviate a Poleepo.',
    'invoices.sent.failed': 'Non inviata: {reason}',
    'invoices.section.title': 'Fatture e documenti',
    'invoices.section.invoices': 'Fatture inviate a Poleepo',
    'invoices.section.noInvoices': 'Nessuna fattura per questo ordine.',
    'invoices.section.documents': 'Documenti da Poleepo',
    'invoices.section.noDocuments': 'Ancora nessun documento di Poleepo importato per questo ordine.',
    'invoices.section.type': 'Tipo',
    'invoices.section.number': 'Numero',
    'invoices.section.file': 'File',
    'invoices.section.state': 'In Odoo',
    'invoices.doc.type.WAYBILL': 'Lettera di vettura',
    'invoices.doc.type.INVOICE': 'Fattura',
    'invoices.doc.type.CREDIT_NOTE': 'Nota di credito',
    'status.invoiceStep.creating': 'In creazione in Odoo',
    'status.invoiceStep.posting': 'In conferma',
    'status.invoiceStep.rendering': 'PDF in preparazione',
    'status.invoiceStep.uploading': 'In invio a Poleepo',
    'status.invoiceStep.sent': 'Su Poleepo',
    'status.invoiceStep.failed': 'Ferma',
    'status.documentStep.importing': 'In importazione',
    'status.documentStep.done': 'Allegato',
    'status.documentStep.skipped': 'Non importato',
    'status.documentStep.failed': 'Importazione fallita',
  },
});

// ---------------------------------------------------------------- words

function invoicesOf(c: ConsoleContext): InvoicesService | null {
  return c.get('services').modules?.invoices ?? null;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** Odoo's invoice date (YYYY-MM-DD, a calendar day) in the reader's format: 05/03/2026 (it), 05/03/2026 (en-GB). */
export function formatInvoiceDate(value: string | null, ui: Pick<Ui, 'lang'>): string {
  const m = value ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (!m) return value ?? '—';
  const locale = ui.lang === 'it' ? 'it-IT' : 'en-GB';
  let f = dateFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' });
    dateFormats.set(locale, f);
  }
  return f.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}

function StepBadge({ ui, step }: { ui: Ui; step: InvoiceStep }) {
  return <Badge tone={STEP_TONE[step] ?? 'muted'}>{ui.t(`status.invoiceStep.${step}`)}</Badge>;
}

function documentName(ui: Ui, r: InvoiceRow): string {
  return `${ui.t(`invoices.kind.${r.kind}`)} ${r.move_name ?? ui.t('invoices.notYet')}`;
}

function total(ui: Ui, r: InvoiceRow) {
  return r.amount_total === null ? '—' : formatMoney(r.amount_total, r.currency, ui);
}

/** The status, and when stopped why (the runner's plain words) and when it is tried again. */
function StatusCell({ ui, r }: { ui: Ui; r: InvoiceRow }) {
  return (
    <>
      <StepBadge ui={ui} step={r.step} />
      {r.step === 'sent' && r.poleepo_document_id !== null && <><br /><small class="muted">{ui.t('invoices.onPoleepo', { id: r.poleepo_document_id })}</small></>}
      {r.step === 'failed' && r.error && <><br /><span class="error-text invoice-error">{said(ui, r.error)}</span></>}
      {r.step === 'failed' && r.retry_at !== null && <><br /><small class="muted">{ui.t('invoices.retryAt', { time: new Intl.DateTimeFormat(ui.lang === 'it' ? 'it-IT' : 'en-GB', { timeZone: ui.timeZone, hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit' }).format(new Date(r.retry_at)) })}</small></>}
      {r.step !== 'failed' && r.step !== 'sent' && r.error && <><br /><small class="muted">{said(ui, r.error)}</small></>}
    </>
  );
}

/** Retry a stopped one, check-and-resend a sent one: both are the order's send. */
function RowAction({ ui, r, back }: { ui: Ui; r: InvoiceRow; back: string }) {
  const fields = { connection: r.connection_id, order: r.poleepo_order_id, back };
  const name = documentName(ui, r);
  if (r.step === 'failed') return <ActionButton ui={ui} action="/invoices/send" fields={fields} label={ui.t('invoices.retry')} ariaLabel={ui.t('invoices.retryOf', { name })} />;
  if (r.step === 'sent') return <ActionButton ui={ui} action="/invoices/send" fields={fields} label={ui.t('invoices.resend')} ariaLabel={ui.t('invoices.resendOf', { name })} variant="secondary" />;
  return <></>;
}

/** The POST handler's way back: the list (with its filters) or an order's page, never elsewhere. */
function safeBack(asked: string | undefined): string {
  return asked && /^\/(invoices|orders)(\?[\w=&%.+-]*)?$/.test(asked) ? asked : '/invoices';
}

// ---------------------------------------------------------------- the list

async function listView(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const { ctx } = c.get('services');
  const invoices = invoicesOf(c);
  const query = c.req.query();
  const connections = await connectionNames(ctx.db);
  const connectionId = positiveInt(query.connection, 0);
  const step = (INVOICE_STEPS as readonly string[]).includes(query.status ?? '') ? (query.status as InvoiceStep) : undefined;
  const search = (query.q ?? '').trim().slice(0, 64);
  const page = positiveInt(query.page, 1);
  const filter = { ...(connectionId ? { connectionId } : {}), ...(step ? { step } : {}), ...(search ? { search } : {}), limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE };
  // Without the services (a console-only process) the connector's own record still says where each invoice stands.
  const { rows, total: count } = await (invoices ?? new InvoicesRepo(ctx.db)).list(filter);
  const views = await new ConnectionsService(ctx).list();
  const policies = views.filter((v) => !connectionId || v.id === connectionId).map((v) => ({ name: v.name, policy: v.settings.invoicePolicy }));
  const sendable = views.filter((v) => v.settings.invoicePolicy !== 'never');
  const here = c.req.path + new URL(c.req.url).search;
  const several = connections.length > 1;
  const all = { value: '', label: t('filters.all') };
  return renderPage(c, t('invoices.title'), (
    <>
      <p class="lead">{t('invoices.intro')}</p>
      {policies.length > 0 && <ul class="policies">{policies.map((p) => <li>{t('invoices.policy', { connection: p.name, policy: t(`invoices.policy.${(POLICIES as readonly string[]).includes(p.policy) ? p.policy : 'never'}`) })}</li>)}</ul>}
      {!invoices && <Notice kind="info">{t('invoices.unavailable')}</Notice>}
      <FilterBar ui={ui} action="/invoices">
        <SelectField name="status" label={t('invoices.status')} value={step ?? ''} options={[all, ...INVOICE_STEPS.map((s) => ({ value: s, label: t(`status.invoiceStep.${s}`) }))]} />
        {several && <SelectField name="connection" label={t('invoices.connection')} value={connectionId ? String(connectionId) : ''} options={[all, ...connections.map((x) => ({ value: String(x.id), label: x.name }))]} />}
        <TextField name="q" type="search" label={t('invoices.search')} value={search} hint={t('invoices.searchHint')} />
      </FilterBar>
      <DataTable<InvoiceListRow> caption={t('invoices.title')} rows={rows} empty={t('invoices.empty')} id="invoices" columns={[
        { header: t('invoices.document'), cell: (r) => <><strong>{documentName(ui, r)}</strong><br /><small class="muted">{r.origin === 'odoo' ? t('invoices.madeInOdoo') : t('invoices.madeByConnector')}{several ? ` · ${r.connection_name ?? ''}` : ''}</small></>, class: 'nowrap' },
        { header: t('invoices.order'), cell: (r) => <>{r.sale_order_name ?? '—'}<br /><small><a href={`/orders?q=${encodeURIComponent(r.poleepo_order_id)}`}>{t('invoices.poleepoOrder', { id: r.poleepo_order_id })}</a></small></> },
        { header: t('invoices.date'), cell: (r) => formatInvoiceDate(r.invoice_date, ui), class: 'nowrap' },
        { header: t('invoices.total'), cell: (r) => total(ui, r), class: 'num' },
        { header: t('invoices.status'), cell: (r) => <StatusCell ui={ui} r={r} />, class: 'wrap' },
        { header: t('invoices.updated'), cell: (r) => <Time ui={ui} ms={r.updated_at} />, class: 'nowrap' },
        { header: t('invoices.actions'), cell: (r) => (invoices ? <RowAction ui={ui} r={r} back={here} /> : '') },
      ]} />
      <Pagination ui={ui} path="/invoices" query={query} page={page} hasNext={page * PAGE_SIZE < count} total={count} />
      {invoices && sendable.length > 0 && (
        <section aria-labelledby="send-title">
          <h2 id="send-title">{t('invoices.form.title')}</h2>
          <p class="muted">{t('invoices.form.intro')}</p>
          <form method="post" action="/invoices/send" class="send-invoice">
            <CsrfField token={ui.csrfToken} />
            <input type="hidden" name="back" value={here} />
            {sendable.length > 1
              ? <SelectField name="connection" label={t('invoices.connection')} value={connectionId ? String(connectionId) : String(sendable[0]!.id)} options={sendable.map((x) => ({ value: String(x.id), label: x.name }))} />
              : <input type="hidden" name="connection" value={String(sendable[0]!.id)} />}
            <TextField name="order" label={t('invoices.form.order')} required inputmode="numeric" />
            <button type="submit">{t('invoices.form.submit')}</button>
          </form>
        </section>
      )}
    </>
  ));
}

// ---------------------------------------------------------------- on the order page

/**
 * An order's invoices and the documents imported from Poleepo, for the order page (a section of its own, read from
 * the connector's tables: no call to Odoo or Poleepo while the page renders), with the order's send.
 */
export async function orderInvoicesSection(c: ConsoleContext, binding: Pick<OrderBinding, 'id' | 'connection_id' | 'poleepo_order_id' | 'sale_order_id'>) {
  const ui = uiOf(c);
  const { t } = ui;
  const repo = invoicesOf(c)?.repo ?? new InvoicesRepo(c.get('services').ctx.db);
  const [invoices, documents] = await Promise.all([
    repo.ofOrder(binding.connection_id, binding.poleepo_order_id), repo.documentsOf(binding.connection_id, binding.poleepo_order_id),
  ]);
  const back = `/orders?id=${binding.id}`;
  const canSend = invoicesOf(c) !== null && binding.sale_order_id !== null;
  return (
    <section id="order-invoices" aria-labelledby="order-invoices-title">
      <h2 id="order-invoices-title">{t('invoices.section.title')}</h2>
      <DataTable<InvoiceRow> caption={t('invoices.section.invoices')} rows={invoices} empty={t('invoices.section.noInvoices')} columns={[
        { header: t('invoices.document'), cell: (r) => documentName(ui, r), class: 'nowrap' },
        { header: t('invoices.date'), cell: (r) => formatInvoiceDate(r.invoice_date, ui), class: 'nowrap' },
        { header: t('invoices.total'), cell: (r) => total(ui, r), class: 'num' },
        { header: t('invoices.status'), cell: (r) => <StatusCell ui={ui} r={r} />, class: 'wrap' },
      ]} />
      {canSend && <p><ActionButton ui={ui} action="/invoices/send" fields={{ connection: binding.connection_id, order: binding.poleepo_order_id, back }} label={t('invoices.send')} ariaLabel={t('invoices.sendOf', { id: binding.poleepo_order_id })} variant="secondary" /></p>}
      <DataTable<OrderDocumentRow> caption={t('invoices.section.documents')} rows={documents} empty={t('invoices.section.noDocuments')} columns={[
        { header: t('invoices.section.type'), cell: (d) => (t.has(`invoices.doc.type.${d.type}`) ? t(`invoices.doc.type.${d.type}`) : d.type) },
        { header: t('invoices.section.number'), cell: (d) => d.number ?? '—' },
        { header: t('invoices.date'), cell: (d) => formatInvoiceDate(d.date, ui), class: 'nowrap' },
        { header: t('invoices.section.file'), cell: (d) => d.file_name },
        { header: t('invoices.section.state'), cell: (d) => <>{t(`status.documentStep.${d.step}`)}{d.note && <><br /><small class="muted">{said(ui, d.note)}</small></>}{d.error && d.step !== 'done' && <><br /><span class="error-text">{said(ui, d.error)}</span></>}</>, class: 'wrap' },
      ]} />
    </section>
  );
}

// ---------------------------------------------------------------- the page

export const invoicesPage = definePage({
  id: 'invoices',
  nav: { path: '/invoices', label: 'invoices.nav', order: 255, access: 'operator' },
  messages,
  routes(r, services) {
    r.get('/invoices', 'operator', listView);

    r.post('/invoices/send', 'operator', async (c) => {
      const invoices = invoicesOf(c);
      const form = await formOf(c);
      const back = safeBack(form.back);
      const connectionId = positiveInt(form.connection, 0);
      const order = (form.order ?? '').trim();
      if (!invoices || !connectionId) return notFoundPage(c);
      try {
        if (!/^[\w-]{1,64}$/.test(order)) throw new ValidationError(c.get('t')('invoices.form.order'));
        await invoices.send(connectionId, order, c.get('user')!.login);
        return redirectTo(c, back, { kind: 'success', key: 'invoices.sent.queued', params: { id: order } });
      } catch (error) {
        if (!(error instanceof ValidationError)) services.ctx.logger.warn({ err: error, order }, 'invoice send from the console failed');
        return redirectTo(c, back, { kind: 'error', key: 'invoices.sent.failed', params: { reason: errorMessage(error) } });
      }
    });
  },
});
