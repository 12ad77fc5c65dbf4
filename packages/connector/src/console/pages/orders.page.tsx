import { definePage, type ConsoleContext, type ConsoleServices } from '../console.types.ts';
import { defineMessages } from '../i18n/i18n.ts';
import { formOf, notFoundPage, redirectTo, renderPage } from '../console.render.tsx';
import { ActionButton, FilterBar, SelectField, TextField } from '../components/forms.tsx';
import { Badge, type Tone } from '../components/badge.tsx';
import { DataTable, Details } from '../components/table.tsx';
import { Pagination } from '../components/pagination.tsx';
import { Relative, Time } from '../components/time.tsx';
import { positiveInt } from '../components/format.ts';
import { uiOf, type Ui } from '../components/ui.ts';
import { ConnectionsService } from '../../connections/connections.service.ts';
import { OrdersRepo, type OrderBinding, type OrderBindingFilter, type OrderBindingListRow } from '../../orders/orders.repo.ts';
import { ORDER_BINDING_STATES, type OrderBindingState } from '../../orders/orders.tables.ts';
import { enqueueOrderImport } from '../../orders/orders.kinds.ts';
import { orderUrl } from '../../orders/orders.mapper.ts';
import { ORDER_STATUS_LABELS, type PoleepoOrderStatus } from '../../poleepo/poleepo.types.ts';
import { ValidationError } from '../../shared/errors.ts';
import { orderInvoicesSection } from './invoices.page.tsx';

/**
 * Imported orders (DESIGN §4.10): Poleepo info and link, the sale order, status, flags, parked reasons and errors,
 * and a retry (after mapping a SKU, changing the API key…). Details are `/orders?id=N`; a retry is a POST.
 */
const PAGE_SIZE = 50;

const TONE: Record<OrderBindingState, Tone> = {
  pending: 'info', waiting: 'muted', skipped: 'muted', parked: 'warn', refused: 'error', uncertain: 'warn', draft: 'info', confirmed: 'ok', cancelled: 'muted', error: 'error',
};

/** States in which a retry can change something (and a flagged order, to re-check it). */
const RETRYABLE: readonly OrderBindingState[] = ['pending', 'waiting', 'parked', 'refused', 'draft', 'error'];

function StateBadge({ ui, state }: { ui: Ui; state: OrderBindingState }) {
  return <Badge tone={TONE[state] ?? 'muted'}>{ui.t(`status.orderBinding.${state}`)}</Badge>;
}

function poleepoStatus(ui: Ui, status: string | null): string {
  if (!status) return '—';
  const label = ORDER_STATUS_LABELS[status as PoleepoOrderStatus];
  return label ? label[ui.lang] : status;
}

function money(value: number | null, currency: string | null): string {
  return value === null ? '—' : `${value.toFixed(2)}${currency ? ` ${currency}` : ''}`;
}

function attentionText(b: OrderBinding): string {
  return b.parked_reason ?? b.flag ?? b.error ?? '';
}

function short(text: string, max = 140): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}


function canRetry(b: OrderBinding): boolean {
  return RETRYABLE.includes(b.state) || Boolean(b.flag);
}

async function listView(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const services = c.get('services');
  const query = c.req.query();
  const filter: OrderBindingFilter = { limit: PAGE_SIZE };
  if ((ORDER_BINDING_STATES as readonly string[]).includes(query.state ?? '')) filter.state = query.state as OrderBindingState;
  const connection = positiveInt(query.connection, 0);
  if (connection > 0) filter.connectionId = connection;
  if (query.attention === '1') filter.attention = true;
  if (query.q && query.q.trim()) filter.search = query.q.trim().slice(0, 64);
  const page = positiveInt(query.page, 1);
  filter.offset = (page - 1) * PAGE_SIZE;
  const repo = new OrdersRepo(services.ctx.db);
  const result = await repo.list(filter);
  const connections = await new ConnectionsService(services.ctx).list();
  const patterns = new Map(connections.map((x) => [x.id, x.settings.orderUrlPattern]));
  const here = c.req.path + new URL(c.req.url).search;
  const all = { value: '', label: t('filters.all') };
  return renderPage(c, t('orders.title'), (
    <>
      <p class="lead">{t('orders.intro')}</p>
      <FilterBar ui={ui} action="/orders">
        <SelectField name="state" label={t('orders.state')} value={query.state ?? ''} options={[all, ...ORDER_BINDING_STATES.map((s) => ({ value: s, label: t(`status.orderBinding.${s}`) }))]} />
        <SelectField name="connection" label={t('orders.connection')} value={query.connection ?? ''} options={[all, ...connections.map((x) => ({ value: String(x.id), label: x.name }))]} />
        <SelectField name="attention" label={t('orders.attention')} value={query.attention ?? ''} options={[all, { value: '1', label: t('orders.attentionOnly') }]} />
        <TextField name="q" type="search" label={t('orders.search')} value={query.q ?? ''} hint={t('orders.searchHint')} />
      </FilterBar>
      <DataTable<OrderBindingListRow> caption={t('orders.title')} rows={result.rows} empty={t('orders.empty')} columns={[
        { header: t('orders.poleepoOrder'), cell: (r) => <><a href={`/orders?id=${r.id}`}>{r.poleepo_order_id}</a> <a href={orderUrl(patterns.get(r.connection_id) ?? '', r.poleepo_order_id)} target="_blank" rel="noopener noreferrer" aria-label={t('orders.openOnPoleepo', { id: r.poleepo_order_id })}>↗</a></>, class: 'nowrap' },
        { header: t('orders.connection'), cell: (r) => r.connection_name },
        { header: t('orders.channel'), cell: (r) => <>{r.channel ?? '—'}{r.reference ? <><br /><small class="muted">{r.reference}</small></> : ''}</> },
        { header: t('orders.poleepoStatus'), cell: (r) => poleepoStatus(ui, r.poleepo_status) },
        { header: t('orders.state'), cell: (r) => <StateBadge ui={ui} state={r.state} /> },
        { header: t('orders.saleOrder'), cell: (r) => r.sale_order_name ?? (r.sale_order_id ? `#${r.sale_order_id}` : '—') },
        { header: t('orders.total'), cell: (r) => money(r.poleepo_total, r.currency), class: 'num' },
        { header: t('orders.attentionColumn'), cell: (r) => (attentionText(r) ? <span class={r.flag && !r.parked_reason && !r.error ? undefined : 'error-text'}>{short(attentionText(r))}</span> : ''), class: 'wrap' },
        { header: t('orders.updated'), cell: (r) => <Time ui={ui} ms={r.updated_at} />, class: 'nowrap' },
        { header: t('orders.actions'), cell: (r) => (canRetry(r) ? <ActionButton ui={ui} action="/orders/retry" fields={{ id: r.id, back: here }} label={t('orders.retry')} ariaLabel={t('orders.retryOrder', { id: r.poleepo_order_id })} /> : '') },
      ]} />
      <Pagination ui={ui} path="/orders" query={query} page={page} hasNext={page * PAGE_SIZE < result.total} total={result.total} />
    </>
  ));
}

async function detailView(c: ConsoleContext, id: number) {
  const ui = uiOf(c);
  const { t } = ui;
  const services = c.get('services');
  const b = await new OrdersRepo(services.ctx.db).get(id);
  if (!b) return notFoundPage(c);
  const connection = await new ConnectionsService(services.ctx).get(b.connection_id);
  const link = orderUrl(connection.settings.orderUrlPattern, b.poleepo_order_id);
  const dash = <span class="muted">—</span>;
  return renderPage(c, t('orders.detail.title', { id: b.poleepo_order_id }), (
    <>
      <p><a href="/orders">{t('orders.back')}</a></p>
      {canRetry(b) && <p><ActionButton ui={ui} action="/orders/retry" fields={{ id: b.id, back: `/orders?id=${b.id}` }} label={t('orders.retry')} ariaLabel={t('orders.retryOrder', { id: b.poleepo_order_id })} /> <span class="muted">{t('orders.retryExplain')}</span></p>}
      {b.parked_reason && <article class="flash flash-error" role="alert"><strong>{t('orders.parkedReason')}</strong> {b.parked_reason}</article>}
      {b.flag && <article class="flash flash-info" role="status"><strong>{t('orders.flag')}</strong> {b.flag}</article>}
      <h2>{t('orders.poleepoInfo')}</h2>
      <Details items={[
        [t('orders.poleepoOrder'), <a href={link} target="_blank" rel="noopener noreferrer">{b.poleepo_order_id} ↗</a>],
        [t('orders.connection'), connection.name],
        [t('orders.channel'), b.channel ?? dash],
        [t('orders.reference'), b.reference ?? dash],
        [t('orders.poleepoStatus'), poleepoStatus(ui, b.poleepo_status)],
        [t('orders.orderDate'), <Time ui={ui} ms={b.order_date} />],
        [t('orders.poleepoTotal'), money(b.poleepo_total, b.currency)],
        [t('orders.pushed'), b.pushed_status ? poleepoStatus(ui, b.pushed_status) : dash],
      ]} />
      <h2>{t('orders.odoo')}</h2>
      <Details items={[
        [t('orders.state'), <StateBadge ui={ui} state={b.state} />],
        [t('orders.saleOrder'), b.sale_order_id ? `${b.sale_order_name ?? ''} (id ${b.sale_order_id})` : dash],
        [t('orders.odooState'), b.odoo_state ?? dash],
        [t('orders.odooTotal'), money(b.odoo_total, b.currency)],
        [t('orders.error'), b.error ? <span class="error-text">{b.error}</span> : dash],
        [t('orders.recheck'), b.recheck_at ? <><Time ui={ui} ms={b.recheck_at} /> <Relative ui={ui} ms={b.recheck_at} /></> : dash],
        [t('orders.connectorTime'), b.import_ms !== null ? `${b.import_ms.toFixed(1)} ms (+ ${(b.external_ms ?? 0).toFixed(1)} ms Odoo/Poleepo)` : dash],
        [t('orders.created'), <Time ui={ui} ms={b.created_at} />],
        [t('orders.updated'), <Time ui={ui} ms={b.updated_at} />],
        [t('orders.confirmed'), <Time ui={ui} ms={b.confirmed_at} />],
      ]} />
      {await orderInvoicesSection(c, b)}
    </>
  ));
}

/** The retry: through the orders service when the console runs with the modules, else the same task directly. */
async function retry(services: ConsoleServices, id: number): Promise<OrderBinding> {
  const orders = services.modules?.orders;
  if (orders) return orders.retry(id);
  const binding = await new OrdersRepo(services.ctx.db).get(id);
  if (!binding) throw new ValidationError(`No imported order #${id}`);
  await enqueueOrderImport(services.ctx.tasks, { connectionId: binding.connection_id, poleepoOrderId: binding.poleepo_order_id, trigger: 'manual' });
  return binding;
}

export const ordersPage = definePage({
  id: 'orders',
  nav: { path: '/orders', label: 'orders.nav', order: 200, access: 'operator' },
  messages: defineMessages({
    en: {
      'orders.nav': 'Orders',
      'orders.title': 'Imported orders',
      'orders.intro': 'Orders from Poleepo and their sale orders in Odoo. Parked and refused orders wait for you: fix what the reason says, then retry.',
      'orders.state': 'State',
      'orders.connection': 'Connection',
      'orders.attention': 'Needs attention',
      'orders.attentionOnly': 'Only orders that need attention',
      'orders.search': 'Search',
      'orders.searchHint': 'Poleepo order id, marketplace reference or sale order',
      'orders.empty': 'No order matches.',
      'orders.poleepoOrder': 'Poleepo order',
      'orders.openOnPoleepo': 'Open order {id} on Poleepo',
      'orders.channel': 'Channel',
      'orders.reference': 'Marketplace reference',
      'orders.poleepoStatus': 'Poleepo status',
      'orders.saleOrder': 'Sale order',
      'orders.total': 'Total',
      'orders.attentionColumn': 'Parked reason, flag or error',
      'orders.updated': 'Updated',
      'orders.actions': 'Actions',
      'orders.retry': 'Retry',
      'orders.retryOrder': 'Retry order {id}',
      'orders.retryExplain': 'Imports the order again now: nothing is created twice.',
      'orders.retried': 'Order {id} queued for import.',
      'orders.notRetryable': 'Order #{id} cannot be retried.',
      'orders.back': '← All orders',
      'orders.detail.title': 'Poleepo order {id}',
      'orders.parkedReason': 'Parked:',
      'orders.flag': 'To review:',
      'orders.poleepoInfo': 'Poleepo Info',
      'orders.orderDate': 'Order date',
      'orders.poleepoTotal': 'Total on Poleepo',
      'orders.pushed': 'Last status sent to Poleepo',
      'orders.odoo': 'In Odoo',
      'orders.odooState': 'Sale order state',
      'orders.odooTotal': 'Total in Odoo',
      'orders.error': 'Last error',
      'orders.recheck': 'Looks again at',
      'orders.connectorTime': 'Connector time (last import)',
      'orders.created': 'First seen',
      'orders.confirmed': 'Confirmed at',
      'status.orderBinding.pending': 'Queued',
      'status.orderBinding.waiting': 'Waiting for status',
      'status.orderBinding.skipped': 'Skipped',
      'status.orderBinding.parked': 'Parked',
      'status.orderBinding.refused': 'Refused',
      'status.orderBinding.uncertain': 'Checking Odoo',
      'status.orderBinding.draft': 'Draft in Odoo',
      'status.orderBinding.confirmed': 'Confirmed',
      'status.orderBinding.cancelled': 'Cancelled',
      'status.orderBinding.error': 'Error',
    },
    it: {
      'orders.nav': 'Ordini',
      'orders.title': 'Ordini importati',
      'orders.intro': 'Gli ordini da Poleepo e i loro ordini di vendita in Odoo. Gli ordini sospesi e rifiutati attendono un tuo intervento: correggi quanto indicato dal motivo, poi riprova.',
      'orders.state': 'Stato',
      'orders.connection': 'Connessione',
      'orders.attention': 'Da verificare',
      'orders.attentionOnly': 'Solo ordini da verificare',
      'orders.search': 'Cerca',
      'orders.searchHint': 'ID ordine Poleepo, riferimento del marketplace o ordine di vendita',
      'orders.empty': 'Nessun ordine corrisponde.',
      'orders.poleepoOrder': 'Ordine Poleepo',
      'orders.openOnPoleepo': "Apri l'ordine {id} su Poleepo",
      'orders.channel': 'Canale',
      'orders.reference': 'Riferimento marketplace',
      'orders.poleepoStatus': 'Stato Poleepo',
      'orders.saleOrder': 'Ordine di vendita',
      'orders.total': 'Totale',
      'orders.attentionColumn': 'Motivo della sospensione, segnalazione o errore',
      'orders.updated': 'Aggiornato',
      'orders.actions': 'Azioni',
      'orders.retry': 'Riprova',
      'orders.retryOrder': "Riprova l'ordine {id}",
      'orders.retryExplain': "Importa di nuovo l'ordine adesso: nulla viene creato due volte.",
      'orders.retried': "Ordine {id} messo in coda per l'importazione.",
      'orders.notRetryable': "L'ordine #{id} non può essere riprovato.",
      'orders.back': '← Tutti gli ordini',
      'orders.detail.title': 'Ordine Poleepo {id}',
      'orders.parkedReason': 'Sospeso:',
      'orders.flag': 'Da verificare:',
      'orders.poleepoInfo': 'Info Poleepo',
      'orders.orderDate': "Data dell'ordine",
      'orders.poleepoTotal': 'Totale su Poleepo',
      'orders.pushed': 'Ultimo stato inviato a Poleepo',
      'orders.odoo': 'In Odoo',
      'orders.odooState': "Stato dell'ordine di vendita",
      'orders.odooTotal': 'Totale in Odoo',
      'orders.error': 'Ultimo errore',
      'orders.recheck': 'Nuovo controllo alle',
      'orders.connectorTime': 'Tempo del connettore (ultima importazione)',
      'orders.created': 'Visto la prima volta',
      'orders.confirmed': 'Confermato alle',
      'status.orderBinding.pending': 'In coda',
      'status.orderBinding.waiting': 'In attesa dello stato',
      'status.orderBinding.skipped': 'Saltato',
      'status.orderBinding.parked': 'Sospeso',
      'status.orderBinding.refused': 'Rifiutato',
      'status.orderBinding.uncertain': 'Verifica in Odoo',
      'status.orderBinding.draft': 'Bozza in Odoo',
      'status.orderBinding.confirmed': 'Confermato',
      'status.orderBinding.cancelled': 'Annullato',
      'status.orderBinding.error': 'Errore',
    },
  }),
  routes(r, services) {
    r.get('/orders', 'operator', (c) => {
      const id = c.req.query('id');
      return id !== undefined ? detailView(c, positiveInt(id, 0)) : listView(c);
    });
    r.post('/orders/retry', 'operator', async (c) => {
      const form = await formOf(c);
      const id = positiveInt(form.id, 0);
      // Back where the button was (the list with its filters, or the order), never elsewhere.
      const asked = form.back ?? '';
      const back = /^\/orders(\?[\w=&%.+-]*)?$/.test(asked) ? asked : '/orders';
      try {
        const binding = await retry(services, id);
        return redirectTo(c, back, { kind: 'success', key: 'orders.retried', params: { id: binding.poleepo_order_id } });
      } catch (error) {
        if (error instanceof ValidationError) return redirectTo(c, back, { kind: 'error', key: 'orders.notRetryable', params: { id } });
        throw error;
      }
    });
  },
});
