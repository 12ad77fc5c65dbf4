import { definePage, type ConsoleContext } from '../console.types.ts';
import { formOf, notFoundPage, redirectTo, renderPage } from '../console.render.tsx';
import { ActionButton, FilterBar, SelectField, TextField } from '../components/forms.tsx';
import { StatusBadge } from '../components/badge.tsx';
import { Notice } from '../components/flash.tsx';
import { DataTable, Details } from '../components/table.tsx';
import { Pagination } from '../components/pagination.tsx';
import { CodeBlock, Relative, Time } from '../components/time.tsx';
import { positiveInt, prettyJson } from '../components/format.ts';
import { said } from '../components/said.ts';
import { uiOf } from '../components/ui.ts';
import { defineMessages } from '../i18n/i18n.ts';
import { connectionNames } from '../console.lookups.ts';
import { BindingsRepo } from '../../products/products.bindings.repo.ts';
import { BatchesRepo } from '../../products/products.batches.repo.ts';
import type { BindingRow } from '../../products/products.tables.ts';
import { productTaskOptions } from '../../products/products.tasks.ts';
import { needsUpdate } from '../../products/products.decide.ts';
import { AppError, errorMessage } from '../../shared/errors.ts';

const PAGE_SIZE = 50;
const STATES = ['queued', 'inflight', 'error', 'synced', 'inactive'] as const;

/** Where a binding stands, for people: queued, in flight, error, on Poleepo (synced), inactive, not sent. */
export function bindingState(b: BindingRow): string {
  if (b.inflight_item_id !== null) return 'inflight';
  if (b.queued_at !== null) return 'queued';
  if (b.last_error_code) return 'error';
  if (b.inactive_sent) return 'inactive';
  if (b.sent_hash) return 'synced';
  return 'notSent';
}

const messages = defineMessages({
  en: {
    'products.nav': 'Products',
    'products.title': 'Products on Poleepo',
    'products.intro': 'Variants published on Poleepo and the parent entries of their templates: what was sent last, what waits to be sent, and why a product was not sent. Publish or unpublish here or in Odoo (Published on Poleepo).',
    'products.counts': '{eligible} published · {queued} queued · {inflight} in flight · {errors} with an error · {synced} up to date',
    'products.search': 'SKU or name',
    'products.state': 'State',
    'products.connection': 'Connection',
    'products.sku': 'SKU',
    'products.name': 'Name',
    'products.kind': 'Entry',
    'products.kind.variant': 'Variant',
    'products.kind.parent': 'Parent',
    'products.poleepoId': 'Poleepo id',
    'products.published': 'Published',
    'products.needsUpdate': 'Needs update',
    'products.lastSent': 'Last sent',
    'products.lastError': 'Last error',
    'products.warning': 'Warning',
    'products.empty': 'No product yet: publish variants in Odoo (Published on Poleepo) and run a sync.',
    'products.back': '← All products',
    'products.detail.title': 'Product {sku}',
    'products.odooId': 'Odoo id',
    'products.template': 'Template',
    'products.lastPayload': 'Last payload sent',
    'products.pendingPayload': 'Change waiting to be sent',
    'products.history': 'Batches',
    'products.batch': 'Batch',
    'products.operation': 'Operation',
    'products.status': 'Status',
    'products.error': 'Error',
    'products.preview': 'Preview the payload',
    'products.preview.title': 'Payload of {sku}, read from Odoo now',
    'products.preview.failed': 'The preview could not be built: {reason}',
    'products.preview.parent': 'Parent entry (sent before its variants)',
    'products.preview.variant': 'Variant {id}',
    'products.preview.operation': 'Would be sent as: {op}',
    'products.preview.notSent': 'Not sent: {reason}',
    'products.publish': 'Publish on Poleepo',
    'products.unpublish': 'Unpublish',
    'products.published.flash': 'Published on Poleepo: the next sync sends it.',
    'products.unpublished.flash': 'Unpublished: the next sync sends it once as inactive.',
    'products.action.failed': 'Odoo could not be updated: {reason}',
    'products.resend': 'Send again',
    'products.resend.flash': 'Queued: it goes with the next batch.',
    'products.sync': 'Sync now',
    'products.sync.queued': 'A sync of {connection} is queued (task #{id}).',
    'products.unavailable': 'The product export is not running in this console process.',
    'products.yes': 'Yes',
    'products.no': 'No',
    'status.productState.queued': 'Queued',
    'status.productState.inflight': 'In flight',
    'status.productState.error': 'Error',
    'status.productState.synced': 'Up to date',
    'status.productState.inactive': 'Inactive',
    'status.productState.notSent': 'Not sent',
  },
  it: {
    'products.nav': 'Prodotti',
    'products.title': 'Prodotti su Poleepo',
    'products.intro': 'Le varianti pubblicate su Poleepo e le voci padre dei loro modelli: cosa è stato inviato per ultimo, cosa attende l\'invio e perché un prodotto non è stato inviato. Pubblica o ritira qui o in Odoo (Pubblicato su Poleepo).',
    'products.counts': '{eligible} pubblicati · {queued} in coda · {inflight} in invio · {errors} con errore · {synced} aggiornati',
    'products.search': 'SKU o nome',
    'products.state': 'Stato',
    'products.connection': 'Connessione',
    'products.sku': 'SKU',
    'products.name': 'Nome',
    'products.kind': 'Voce',
    'products.kind.variant': 'Variante',
    'products.kind.parent': 'Padre',
    'products.poleepoId': 'Id Poleepo',
    'products.published': 'Pubblicato',
    'products.needsUpdate': 'Da aggiornare',
    'products.lastSent': 'Ultimo invio',
    'products.lastError': 'Ultimo errore',
    'products.warning': 'Avviso',
    'products.empty': 'Nessun prodotto: pubblica le varianti in Odoo (Pubblicato su Poleepo) e avvia una sincronizzazione.',
    'products.back': '← Tutti i prodotti',
    'products.detail.title': 'Prodotto {sku}',
    'products.odooId': 'Id Odoo',
    'products.template': 'Modello',
    'products.lastPayload': 'Ultimo payload inviato',
    'products.pendingPayload': 'Modifica in attesa di invio',
    'products.history': 'Lotti',
    'products.batch': 'Lotto',
    'products.operation': 'Operazione',
    'products.status': 'Stato',
    'products.error': 'Errore',
    'products.preview': 'Anteprima del payload',
    'products.preview.title': 'Payload di {sku}, letto ora da Odoo',
    'products.preview.failed': 'Impossibile costruire l\'anteprima: {reason}',
    'products.preview.parent': 'Voce padre (inviata prima delle varianti)',
    'products.preview.variant': 'Variante {id}',
    'products.preview.operation': 'Verrebbe inviato come: {op}',
    'products.preview.notSent': 'Non inviato: {reason}',
    'products.publish': 'Pubblica su Poleepo',
    'products.unpublish': 'Ritira',
    'products.published.flash': 'Pubblicato su Poleepo: la prossima sincronizzazione lo invia.',
    'products.unpublished.flash': 'Ritirato: la prossima sincronizzazione lo invia una volta come non attivo.',
    'products.action.failed': 'Impossibile aggiornare Odoo: {reason}',
    'products.resend': 'Invia di nuovo',
    'products.resend.flash': 'In coda: parte con il prossimo lotto.',
    'products.sync': 'Sincronizza ora',
    'products.sync.queued': 'Sincronizzazione di {connection} in coda (task #{id}).',
    'products.unavailable': 'L\'esportazione dei prodotti non è attiva in questo processo della console.',
    'products.yes': 'Sì',
    'products.no': 'No',
    'status.productState.queued': 'In coda',
    'status.productState.inflight': 'In invio',
    'status.productState.error': 'Errore',
    'status.productState.synced': 'Aggiornato',
    'status.productState.inactive': 'Non attivo',
    'status.productState.notSent': 'Non inviato',
  },
});

function repos(c: ConsoleContext) {
  const { ctx } = c.get('services');
  return { bindings: new BindingsRepo(ctx.db), batches: new BatchesRepo(ctx.db) };
}

function payloadText(text: string | null): string {
  return text ? prettyJson(text) : '';
}

async function listView(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const { ctx, modules } = c.get('services');
  const query = c.req.query();
  const connections = await connectionNames(ctx.db);
  const connectionId = positiveInt(query.connection, connections[0]?.id ?? 0);
  const state = (STATES as readonly string[]).includes(query.state ?? '') ? query.state : undefined;
  const search = (query.q ?? '').trim().slice(0, 100) || undefined;
  const page = positiveInt(query.page, 1);
  const { bindings } = repos(c);
  const result = connectionId ? await bindings.list({ connectionId, state, search }, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }) : { rows: [], total: 0 };
  const counts = connectionId ? await bindings.counts(connectionId) : null;
  const all = { value: '', label: t('filters.all') };
  return renderPage(c, t('products.title'), (
    <>
      <p class="lead">{t('products.intro')}</p>
      {!modules && <Notice kind="info">{t('products.unavailable')}</Notice>}
      {counts && <p>{t('products.counts', counts)}</p>}
      {modules && connectionId > 0 && <p><ActionButton ui={ui} action="/products/sync" fields={{ connection: connectionId }} label={t('products.sync')} /></p>}
      <FilterBar ui={ui} action="/products">
        {connections.length > 1 && <SelectField name="connection" label={t('products.connection')} value={String(connectionId)} options={connections.map((x) => ({ value: String(x.id), label: x.name }))} />}
        <SelectField name="state" label={t('products.state')} value={state ?? ''} options={[all, ...STATES.map((s) => ({ value: s, label: t(`status.productState.${s}`) }))]} />
        <TextField name="q" type="search" label={t('products.search')} value={search ?? ''} />
      </FilterBar>
      <DataTable<BindingRow> caption={t('products.title')} rows={result.rows} empty={t('products.empty')} columns={[
        { header: t('products.sku'), cell: (b) => <a href={`/products/${b.id}`}><code>{b.sku ?? '—'}</code></a> },
        { header: t('products.name'), cell: (b) => b.title ?? '' , class: 'wrap' },
        { header: t('products.kind'), cell: (b) => t(`products.kind.${b.kind}`) },
        { header: t('products.state'), cell: (b) => <StatusBadge t={t} kind="productState" status={bindingState(b)} /> },
        { header: t('products.poleepoId'), cell: (b) => b.poleepo_id ?? <span class="muted">—</span>, class: 'num' },
        { header: t('products.lastSent'), cell: (b) => <Time ui={ui} ms={b.sent_at} />, class: 'nowrap' },
        { header: t('products.lastError'), cell: (b) => (b.last_error ? <span class="error-text">{said(ui, b.last_error)}</span> : ''), class: 'wrap' },
      ]} />
      <Pagination ui={ui} path="/products" query={query} page={page} hasNext={page * PAGE_SIZE < result.total} total={result.total} />
    </>
  ));
}

async function detailView(c: ConsoleContext, b: BindingRow) {
  const ui = uiOf(c);
  const { t } = ui;
  const { modules } = c.get('services');
  const history = await repos(c).batches.itemsOfBinding(b.id);
  const title = t('products.detail.title', { sku: b.sku ?? String(b.odoo_id) });
  return renderPage(c, title, (
    <>
      <p><a href={`/products?connection=${b.connection_id}`}>{t('products.back')}</a></p>
      <Details items={[
        [t('products.kind'), t(`products.kind.${b.kind}`)],
        [t('products.name'), b.title ?? '—'],
        [t('products.odooId'), String(b.odoo_id)],
        [t('products.template'), String(b.template_id)],
        [t('products.state'), <StatusBadge t={t} kind="productState" status={bindingState(b)} />],
        [t('products.published'), t(b.eligible ? 'products.yes' : 'products.no')],
        [t('products.needsUpdate'), t(needsUpdate(b) ? 'products.yes' : 'products.no')],
        [t('products.poleepoId'), b.poleepo_id ?? '—'],
        [t('products.lastSent'), <><Time ui={ui} ms={b.sent_at} /> <Relative ui={ui} ms={b.sent_at} /></>],
        [t('products.lastError'), b.last_error ? <span class="error-text">{said(ui, b.last_error)}</span> : '—'],
        [t('products.warning'), b.warning ? said(ui, b.warning) : '—'],
      ]} />
      {modules && b.kind === 'variant' && (
        <p>
          <a href={`/products/${b.id}/preview`} role="button" class="small secondary">{t('products.preview')}</a>{' '}
          {b.eligible
            ? <ActionButton ui={ui} action={`/products/${b.id}/unpublish`} label={t('products.unpublish')} variant="secondary" />
            : <ActionButton ui={ui} action={`/products/${b.id}/publish`} label={t('products.publish')} />}{' '}
          {b.failed_hash && b.inflight_item_id === null && <ActionButton ui={ui} action={`/products/${b.id}/resend`} label={t('products.resend')} />}
        </p>
      )}
      {b.pending_payload && <CodeBlock label={t('products.pendingPayload')} text={payloadText(b.pending_payload)} />}
      {b.sent_payload && <CodeBlock label={t('products.lastPayload')} text={payloadText(b.sent_payload)} />}
      <section aria-labelledby="history-title">
        <h2 id="history-title">{t('products.history')}</h2>
        <DataTable caption={t('products.history')} rows={history} empty="—" columns={[
          { header: t('products.batch'), cell: (i) => <a href={`/batches/${i.batch_id}`}>#{i.batch_id}</a> },
          { header: t('products.operation'), cell: (i) => t(`batches.operation.${i.operation}`) },
          { header: t('products.status'), cell: (i) => <StatusBadge t={t} kind="batchItem" status={i.status} /> },
          { header: t('products.poleepoId'), cell: (i) => i.poleepo_product_id ?? '—' },
          { header: t('products.error'), cell: (i) => (i.error_code ? <span class="error-text">{i.error_code}: {said(ui, i.error_message)}</span> : ''), class: 'wrap' },
          { header: t('products.lastSent'), cell: (i) => <Time ui={ui} ms={i.created_at} />, class: 'nowrap' },
        ]} />
      </section>
    </>
  ));
}

async function previewView(c: ConsoleContext, b: BindingRow) {
  const ui = uiOf(c);
  const { t } = ui;
  const { modules } = c.get('services');
  const title = t('products.preview.title', { sku: b.sku ?? String(b.odoo_id) });
  let body;
  if (!modules || !b.sku) {
    body = <Notice kind="info">{t('products.unavailable')}</Notice>;
  } else {
    try {
      const preview = await modules.products.preview(b.connection_id, b.sku);
      body = (
        <>
          {preview.variants.map((v) => (
            <section>
              <h2>{t('products.preview.variant', { id: v.odooId })}</h2>
              <p>{t('products.preview.operation', { op: t(`batches.operation.${v.operation}`) })}</p>
              {v.problem && <Notice kind="error">{t('products.preview.notSent', { reason: `${said(ui, v.problem.message)} (${v.problem.code})` })}</Notice>}
              {v.warnings.map((w) => <Notice kind="info">{said(ui, w)}</Notice>)}
              {v.entry && <CodeBlock label={v.sku ?? ''} text={JSON.stringify(v.entry, null, 2)} />}
            </section>
          ))}
          {preview.parent && <CodeBlock label={t('products.preview.parent')} text={JSON.stringify(preview.parent, null, 2)} />}
        </>
      );
    } catch (error) {
      // Odoo unreachable or the SKU gone: say so on the page, in plain words.
      if (!(error instanceof AppError) && !(error instanceof Error)) throw error;
      body = <Notice kind="error">{t('products.preview.failed', { reason: said(ui, errorMessage(error)) })}</Notice>;
    }
  }
  return renderPage(c, title, (
    <>
      <p><a href={`/products/${b.id}`}>{t('products.back')}</a></p>
      {body}
    </>
  ));
}

export const productsPage = definePage({
  id: 'products',
  nav: { path: '/products', label: 'products.nav', order: 300, access: 'operator' },
  messages,
  routes(r, services) {
    const load = async (c: ConsoleContext) => {
      const id = positiveInt(c.req.param('id'), 0);
      return id ? new BindingsRepo(services.ctx.db).get(id) : undefined;
    };
    r.get('/products', 'operator', listView);
    r.get('/products/:id', 'operator', async (c) => {
      const b = await load(c);
      return b ? detailView(c, b) : notFoundPage(c);
    });
    r.get('/products/:id/preview', 'operator', async (c) => {
      const b = await load(c);
      return b ? previewView(c, b) : notFoundPage(c);
    });
    for (const [action, value] of [['publish', true], ['unpublish', false]] as const) {
      r.post(`/products/:id/${action}`, 'operator', async (c) => {
        const b = await load(c);
        if (!b || b.kind !== 'variant' || !services.modules) return notFoundPage(c);
        try {
          await services.modules.products.setPublished(b.connection_id, { variantIds: [b.odoo_id] }, value);
        } catch (error) {
          return redirectTo(c, `/products/${b.id}`, { kind: 'error', key: 'products.action.failed', params: { reason: errorMessage(error) } });
        }
        return redirectTo(c, `/products/${b.id}`, { kind: 'success', key: value ? 'products.published.flash' : 'products.unpublished.flash' });
      });
    }
    r.post('/products/:id/resend', 'operator', async (c) => {
      const b = await load(c);
      if (!b || !services.modules) return notFoundPage(c);
      try {
        await services.modules.products.resend(b.connection_id, b.id);
      } catch (error) {
        return redirectTo(c, `/products/${b.id}`, { kind: 'error', key: 'products.action.failed', params: { reason: errorMessage(error) } });
      }
      return redirectTo(c, `/products/${b.id}`, { kind: 'success', key: 'products.resend.flash' });
    });
    r.post('/products/sync', 'operator', async (c) => {
      const connectionId = positiveInt((await formOf(c)).connection, 0);
      const connection = (await connectionNames(services.ctx.db)).find((x) => x.id === connectionId);
      if (!connection || !services.modules) return notFoundPage(c);
      const task = await services.ctx.tasks.enqueue('products.generate', { connectionId }, productTaskOptions('products.generate', connectionId));
      return redirectTo(c, `/products?connection=${connectionId}`, { kind: 'success', key: 'products.sync.queued', params: { connection: connection.name, id: task.id } });
    });
  },
});
