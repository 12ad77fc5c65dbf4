import { definePage, type ConsoleContext } from '../console.types.ts';
import { notFoundPage, renderPage } from '../console.render.tsx';
import { FilterBar, SelectField } from '../components/forms.tsx';
import { StatusBadge } from '../components/badge.tsx';
import { DataTable, Details } from '../components/table.tsx';
import { Pagination } from '../components/pagination.tsx';
import { Time } from '../components/time.tsx';
import { positiveInt, prettyJson } from '../components/format.ts';
import { said } from '../components/said.ts';
import { uiOf } from '../components/ui.ts';
import { defineMessages } from '../i18n/i18n.ts';
import { connectionNames } from '../console.lookups.ts';
import { BatchesRepo, type BatchListRow } from '../../products/products.batches.repo.ts';
import { BATCH_STATUSES, type BatchItemRow, type BatchStatus } from '../../products/products.tables.ts';

const PAGE_SIZE = 50;

const messages = defineMessages({
  en: {
    'batches.nav': 'Product batches',
    'batches.title': 'Product batches',
    'batches.intro': 'Every batch of products sent to Poleepo, with the status of each item and the error Poleepo gave (e.g. PARENT_NOT_FOUND: sent again after its parent).',
    'batches.status': 'Status',
    'batches.connection': 'Connection',
    'batches.items': 'Items',
    'batches.completed': 'Completed',
    'batches.errors': 'Errors',
    'batches.poleepoBatch': 'Poleepo batch',
    'batches.poleepoStatus': 'Status on Poleepo',
    'batches.created': 'Created',
    'batches.sent': 'Sent',
    'batches.finished': 'Finished',
    'batches.polls': 'Polls',
    'batches.error': 'Error',
    'batches.empty': 'No batch yet: batches are built by Generate Product Batches or "poleepo-odoo products sync".',
    'batches.back': '← All batches',
    'batches.detail.title': 'Product batch #{id}',
    'batches.item.sku': 'SKU',
    'batches.item.kind': 'Entry',
    'batches.item.operation': 'Operation',
    'batches.item.poleepoId': 'Poleepo id',
    'batches.item.payload': 'Payload',
    'batches.item.product': 'Product',
    'status.productBatch.submitting': 'Sending',
    'status.productBatch.sent': 'Sent',
    'status.productBatch.completed': 'Completed',
    'status.productBatch.failed': 'Failed',
    'status.productBatch.abandoned': 'Unconfirmed',
    'status.productBatch.lost': 'Lost (queued again)',
  },
  it: {
    'batches.nav': 'Lotti prodotti',
    'batches.title': 'Lotti prodotti',
    'batches.intro': 'Ogni lotto di prodotti inviato a Poleepo, con lo stato di ogni voce e l\'errore restituito da Poleepo (es. PARENT_NOT_FOUND: reinviato dopo il padre).',
    'batches.status': 'Stato',
    'batches.connection': 'Connessione',
    'batches.items': 'Voci',
    'batches.completed': 'Completate',
    'batches.errors': 'Errori',
    'batches.poleepoBatch': 'Lotto Poleepo',
    'batches.poleepoStatus': 'Stato su Poleepo',
    'batches.created': 'Creato',
    'batches.sent': 'Inviato',
    'batches.finished': 'Concluso',
    'batches.polls': 'Interrogazioni',
    'batches.error': 'Errore',
    'batches.empty': 'Nessun lotto: i lotti sono creati da Genera lotti prodotti o da "poleepo-odoo products sync".',
    'batches.back': '← Tutti i lotti',
    'batches.detail.title': 'Lotto prodotti #{id}',
    'batches.item.sku': 'SKU',
    'batches.item.kind': 'Voce',
    'batches.item.operation': 'Operazione',
    'batches.item.poleepoId': 'Id Poleepo',
    'batches.item.payload': 'Payload',
    'batches.item.product': 'Prodotto',
    'status.productBatch.submitting': 'In invio',
    'status.productBatch.sent': 'Inviato',
    'status.productBatch.completed': 'Completato',
    'status.productBatch.failed': 'Fallito',
    'status.productBatch.abandoned': 'Non confermato',
    'status.productBatch.lost': 'Perso (riaccodato)',
  },
});

async function listView(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const { ctx } = c.get('services');
  const query = c.req.query();
  const status = (BATCH_STATUSES as readonly string[]).includes(query.status ?? '') ? (query.status as BatchStatus) : undefined;
  const connectionId = positiveInt(query.connection, 0) || undefined;
  const page = positiveInt(query.page, 1);
  const result = await new BatchesRepo(ctx.db).list({ connectionId, status }, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const connections = await connectionNames(ctx.db);
  const all = { value: '', label: t('filters.all') };
  return renderPage(c, t('batches.title'), (
    <>
      <p class="lead">{t('batches.intro')}</p>
      <FilterBar ui={ui} action="/batches">
        <SelectField name="status" label={t('batches.status')} value={status ?? ''} options={[all, ...BATCH_STATUSES.map((s) => ({ value: s, label: t(`status.productBatch.${s}`) }))]} />
        <SelectField name="connection" label={t('batches.connection')} value={query.connection ?? ''} options={[all, ...connections.map((x) => ({ value: String(x.id), label: x.name }))]} />
      </FilterBar>
      <DataTable<BatchListRow> caption={t('batches.title')} rows={result.rows} empty={t('batches.empty')} columns={[
        { header: '#', cell: (b) => <a href={`/batches/${b.id}`}>{b.id}</a>, class: 'num' },
        { header: t('batches.connection'), cell: (b) => b.connection_name ?? '—' },
        { header: t('batches.status'), cell: (b) => <StatusBadge t={t} kind="productBatch" status={b.status} /> },
        { header: t('batches.items'), cell: (b) => String(b.items), class: 'num' },
        { header: t('batches.completed'), cell: (b) => String(b.completed_items), class: 'num' },
        { header: t('batches.errors'), cell: (b) => (b.error_items ? <span class="error-text">{b.error_items}</span> : '0'), class: 'num' },
        { header: t('batches.poleepoBatch'), cell: (b) => b.poleepo_batch_id ?? '—' },
        { header: t('batches.created'), cell: (b) => <Time ui={ui} ms={b.created_at} />, class: 'nowrap' },
        { header: t('batches.finished'), cell: (b) => <Time ui={ui} ms={b.completed_at} />, class: 'nowrap' },
      ]} />
      <Pagination ui={ui} path="/batches" query={query} page={page} hasNext={page * PAGE_SIZE < result.total} total={result.total} />
    </>
  ));
}

async function detailView(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const { ctx } = c.get('services');
  const repo = new BatchesRepo(ctx.db);
  const id = positiveInt(c.req.param('id'), 0);
  const batch = id ? await repo.get(id) : undefined;
  if (!batch) return notFoundPage(c);
  const items = await repo.items(batch.id);
  return renderPage(c, t('batches.detail.title', { id: batch.id }), (
    <>
      <p><a href="/batches">{t('batches.back')}</a></p>
      <Details items={[
        [t('batches.connection'), batch.connection_name ?? '—'],
        [t('batches.status'), <StatusBadge t={t} kind="productBatch" status={batch.status} />],
        [t('batches.poleepoBatch'), batch.poleepo_batch_id ?? '—'],
        [t('batches.poleepoStatus'), batch.poleepo_status ?? '—'],
        [t('batches.items'), `${batch.items} (${t('batches.completed')} ${batch.completed_items}, ${t('batches.errors')} ${batch.error_items})`],
        [t('batches.created'), <Time ui={ui} ms={batch.created_at} />],
        [t('batches.sent'), <Time ui={ui} ms={batch.submitted_at} />],
        [t('batches.finished'), <Time ui={ui} ms={batch.completed_at} />],
        [t('batches.polls'), String(batch.polls)],
        [t('batches.error'), batch.error ? <span class="error-text">{batch.error}</span> : '—'],
      ]} />
      <DataTable<BatchItemRow> caption={t('batches.items')} rows={items} empty="—" columns={[
        { header: '#', cell: (i) => String(i.position + 1), class: 'num' },
        { header: t('batches.item.sku'), cell: (i) => <code>{i.sku}</code> },
        { header: t('batches.item.kind'), cell: (i) => t(`products.kind.${i.kind}`) },
        { header: t('batches.item.operation'), cell: (i) => t(`batches.operation.${i.operation}`) },
        { header: t('batches.status'), cell: (i) => <StatusBadge t={t} kind="batchItem" status={i.status} /> },
        { header: t('batches.item.poleepoId'), cell: (i) => i.poleepo_product_id ?? '—' },
        { header: t('batches.error'), cell: (i) => (i.error_code ? <span class="error-text">{i.error_code}: {said(ui, i.error_message)}</span> : ''), class: 'wrap' },
        { header: t('batches.item.payload'), cell: (i) => <details><summary>{t('batches.item.payload')}</summary><pre><code>{prettyJson(i.payload)}</code></pre></details>, class: 'wrap' },
      ]} />
    </>
  ));
}

export const batchesPage = definePage({
  id: 'batches',
  nav: { path: '/batches', label: 'batches.nav', order: 310, access: 'operator' },
  messages,
  routes(r) {
    r.get('/batches', 'operator', listView);
    r.get('/batches/:id', 'operator', detailView);
  },
});
