import { definePage, type ConsoleContext, type ConsoleServices } from '../console.types.ts';
import { defineMessages } from '../i18n/i18n.ts';
import { formOf, notFoundPage, redirectTo, renderPage } from '../console.render.tsx';
import { ActionButton, FilterBar, SelectField, TextField } from '../components/forms.tsx';
import { Badge, type Tone } from '../components/badge.tsx';
import { DataTable, Details } from '../components/table.tsx';
import { Pagination } from '../components/pagination.tsx';
import { Relative, Time } from '../components/time.tsx';
import { positiveInt } from '../components/format.ts';
import { said } from '../components/said.ts';
import { odooOrderState } from '../i18n/backend.ts';
import { uiOf, type Ui } from '../components/ui.ts';
import { ConnectionsService } from '../../connections/connections.service.ts';
import { OrdersRepo, type OrderBinding, type OrderBindingFilter, type OrderBindingListRow } from '../../orders/orders.repo.ts';
import { ORDER_BINDING_STATES, type OrderBindingState } from '../../orders/orders.tables.ts';
import { enqueueOrderImport } from '../../orders/orders.kinds.ts';
import { ORDER_STATUS_LABELS, type PoleepoAddress, type PoleepoOrder, type PoleepoOrderLine, type PoleepoOrderStatus } from '../../poleepo/poleepo.types.ts';
import { resolveSkus, type ResolvedProduct } from '../../orders/orders.products.ts';
import type { OrdersService } from '../../orders/orders.service.ts';
import { errorMessage } from '../../shared/errors.ts';
import { Notice } from '../components/flash.tsx';
import { StatusBadge } from '../components/badge.tsx';
import { TaskError } from '../components/task-error.tsx';
import { formatMoney, formatNumber } from '../components/numbers.ts';
import { odooRecordUrl, poleepoOrderLink } from '../components/links.ts';

type OrderHistory = NonNullable<Awaited<ReturnType<OrdersService['show']>>>;
type OrderMessage = OrderHistory['messages'][number];
type OrderTask = OrderHistory['tasks'][number];
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

function money(ui: Ui, value: number | null | undefined, currency: string | null | undefined): string {
  return value === null || value === undefined ? '—' : formatMoney(value, currency, ui);
}

function attentionText(ui: Ui, b: OrderBinding): string {
  return said(ui, b.parked_reason ?? b.flag ?? b.error ?? '');
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
  const views = new Map(connections.map((x) => [x.id, x]));
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
        { header: t('orders.poleepoOrder'), cell: (r) => {
          const view = views.get(r.connection_id);
          const link = view ? poleepoOrderLink(view, r.poleepo_order_id) : null;
          return <><a href={`/orders?id=${r.id}`}>{r.poleepo_order_id}</a>{link && <> <a href={link} target="_blank" rel="noopener noreferrer" aria-label={t('orders.openOnPoleepo', { id: r.poleepo_order_id })}>↗</a></>}</>;
        }, class: 'nowrap' },
        { header: t('orders.connection'), cell: (r) => r.connection_name },
        { header: t('orders.channel'), cell: (r) => <>{r.channel ?? '—'}{r.reference ? <><br /><small class="muted">{r.reference}</small></> : ''}</> },
        { header: t('orders.poleepoStatus'), cell: (r) => poleepoStatus(ui, r.poleepo_status) },
        { header: t('orders.state'), cell: (r) => <StateBadge ui={ui} state={r.state} /> },
        { header: t('orders.saleOrder'), cell: (r) => r.sale_order_name ?? (r.sale_order_id ? `#${r.sale_order_id}` : '—') },
        { header: t('orders.total'), cell: (r) => money(ui, r.poleepo_total, r.currency), class: 'num nowrap' },
        { header: t('orders.attentionColumn'), cell: (r) => (attentionText(ui, r) ? <span class={r.flag && !r.parked_reason && !r.error ? undefined : 'error-text'}>{short(attentionText(ui, r))}</span> : ''), class: 'wrap' },
        { header: t('orders.updated'), cell: (r) => <Time ui={ui} ms={r.updated_at} />, class: 'nowrap' },
        { header: t('orders.actions'), cell: (r) => (canRetry(r) ? <ActionButton ui={ui} action="/orders/retry" fields={{ id: r.id, back: here }} label={t('orders.retry')} ariaLabel={t('orders.retryOrder', { id: r.poleepo_order_id })} /> : '') },
      ]} />
      <Pagination ui={ui} path="/orders" query={query} page={page} hasNext={page * PAGE_SIZE < result.total} total={result.total} />
    </>
  ));
}

/** The order as Poleepo has it now (lines, customer, addresses), and which Odoo product each SKU matches. */
async function poleepoSide(services: ConsoleServices, b: OrderBinding): Promise<{ order: PoleepoOrder; matched: Map<string, ResolvedProduct>; odooFailed: string | null; odooVersion: string | null } | { error: string }> {
  const orders = services.modules?.orders;
  if (!orders) return { error: 'The console runs without the order services' };
  const signal = AbortSignal.timeout(15_000);
  try {
    const conn = await orders.connections.get(b.connection_id);
    const order = await conn.poleepo.getOrder(b.poleepo_order_id, { signal });
    const skus = (order.lines ?? []).map((l) => l.sku).filter(Boolean);
    try {
      const bound = await orders.repo.boundVariants(b.connection_id, skus);
      const schema = await conn.data.schema();
      const resolution = await resolveSkus(conn.odoo, schema, skus, signal, bound);
      // The version the client just probed: the links below take its URL form even before a connection test.
      return { order, matched: resolution.found, odooFailed: null, odooVersion: schema.caps.version.serverVersion };
    } catch (error) {
      return { order, matched: new Map(), odooFailed: errorMessage(error), odooVersion: null };
    }
  } catch (error) {
    return { error: errorMessage(error) };
  }
}

function personName(a: { name?: string | null; surname?: string | null; firstname?: string | null; lastname?: string | null } | undefined): string {
  if (!a) return '';
  return [a.name ?? a.firstname, a.surname ?? a.lastname].filter(Boolean).join(' ').trim();
}

function AddressBlock({ ui, address }: { ui: Ui; address: PoleepoAddress | undefined }) {
  if (!address) return <span class="muted">—</span>;
  const lines = [
    [personName(address), address.company].filter(Boolean).join(' · '),
    address.address,
    [address.postcode, address.city, address.state_iso].filter(Boolean).join(' '),
    address.country_iso,
    [address.phone, address.email].filter(Boolean).join(' · '),
    [address.vat_number && `${ui.t('orders.vat')} ${address.vat_number}`, address.fiscal_code && `${ui.t('orders.fiscalCode')} ${address.fiscal_code}`].filter(Boolean).join(' · '),
  ].filter((l): l is string => Boolean(l));
  return <address class="postal">{lines.map((l, i) => <>{i > 0 && <br />}{l}</>)}</address>;
}

const MATCHED_BY: Record<string, string> = { binding: 'orders.matchedBy.binding', x_poleepo_sku: 'orders.matchedBy.x_poleepo_sku', default_code: 'orders.matchedBy.default_code', barcode: 'orders.matchedBy.barcode' };

async function detailView(c: ConsoleContext, id: number) {
  const ui = uiOf(c);
  const { t } = ui;
  const services = c.get('services');
  const b = await new OrdersRepo(services.ctx.db).get(id);
  if (!b) return notFoundPage(c);
  const stored = await new ConnectionsService(services.ctx).get(b.connection_id);
  const link = poleepoOrderLink(stored, b.poleepo_order_id);
  const dash = <span class="muted">—</span>;
  const [side, history] = await Promise.all([
    poleepoSide(services, b),
    services.modules?.orders.show(b.connection_id, b.poleepo_order_id) ?? Promise.resolve(null),
  ]);
  const probed = 'odooVersion' in side ? side.odooVersion : null;
  const connection = probed ? { ...stored, odoo: { ...stored.odoo, version: probed } } : stored;
  const order = 'order' in side ? side.order : null;
  const lines = order?.lines ?? [];
  const currency = order?.currency ?? b.currency;
  return renderPage(c, t('orders.detail.title', { id: b.poleepo_order_id }), (
    <>
      <p><a href="/orders">{t('orders.back')}</a></p>
      {canRetry(b) && <p><ActionButton ui={ui} action="/orders/retry" fields={{ id: b.id, back: `/orders?id=${b.id}` }} label={t('orders.retry')} ariaLabel={t('orders.retryOrder', { id: b.poleepo_order_id })} /> <span class="muted">{t('orders.retryExplain')}</span></p>}
      {b.parked_reason && <article class="flash flash-error" role="alert"><strong>{t('orders.parkedReason')}</strong> {said(ui, b.parked_reason)}</article>}
      {b.flag && <article class="flash flash-info" role="status"><strong>{t('orders.flag')}</strong> {said(ui, b.flag)}</article>}
      <div class="two-cols">
        <section aria-labelledby="poleepo-title">
          <h2 id="poleepo-title">{t('orders.poleepoInfo')}</h2>
          <Details items={[
            [t('orders.poleepoOrder'), link ? <a href={link} target="_blank" rel="noopener noreferrer" id="poleepo-link">{b.poleepo_order_id} ↗</a> : <>{b.poleepo_order_id}</>],
            [t('orders.connection'), connection.name],
            [t('orders.channel'), b.channel ?? dash],
            [t('orders.reference'), b.reference ?? dash],
            [t('orders.poleepoStatus'), poleepoStatus(ui, b.poleepo_status)],
            [t('orders.orderDate'), <Time ui={ui} ms={b.order_date} />],
            [t('orders.poleepoTotal'), money(ui, b.poleepo_total, b.currency)],
            [t('orders.pushed'), b.pushed_status ? poleepoStatus(ui, b.pushed_status) : dash],
          ]} />
        </section>
        <section aria-labelledby="odoo-title">
          <h2 id="odoo-title">{t('orders.odoo')}</h2>
          <Details items={[
            [t('orders.state'), <StateBadge ui={ui} state={b.state} />],
            [t('orders.saleOrder'), b.sale_order_id ? <a href={odooRecordUrl(connection, 'sale.order', b.sale_order_id)} target="_blank" rel="noopener noreferrer" id="sale-order-link">{b.sale_order_name ?? `#${b.sale_order_id}`} ↗</a> : dash],
            [t('orders.odooState'), b.odoo_state ? odooOrderState(b.odoo_state, ui.lang) : dash],
            [t('orders.odooTotal'), money(ui, b.odoo_total, b.currency)],
            [t('orders.error'), b.error ? <span class="error-text">{said(ui, b.error)}</span> : dash],
            [t('orders.recheck'), b.recheck_at ? <><Time ui={ui} ms={b.recheck_at} /> <Relative ui={ui} ms={b.recheck_at} /></> : dash],
            [t('orders.connectorTime'), b.import_ms !== null ? t('orders.connectorTimeValue', { ms: formatNumber(b.import_ms, ui, 1), ext: formatNumber(b.external_ms ?? 0, ui, 1) }) : dash],
            [t('orders.created'), <Time ui={ui} ms={b.created_at} />],
            [t('orders.updated'), <Time ui={ui} ms={b.updated_at} />],
            [t('orders.confirmed'), <Time ui={ui} ms={b.confirmed_at} />],
          ]} />
        </section>
      </div>

      <section aria-labelledby="lines-title">
        <h2 id="lines-title">{t('orders.lines.title')}</h2>
        {'error' in side && <Notice kind="error">{t('orders.lines.unreadable', { reason: said(ui, side.error) })}</Notice>}
        {'odooFailed' in side && side.odooFailed && <Notice kind="info">{t('orders.lines.odooUnreadable', { reason: said(ui, side.odooFailed) })}</Notice>}
        {order && (
          <DataTable<PoleepoOrderLine> caption={t('orders.lines.title')} id="order-lines" rows={lines} empty={t('orders.lines.empty')} columns={[
            { header: t('orders.lines.sku'), cell: (l) => <code>{l.sku}</code>, class: 'nowrap' },
            { header: t('orders.lines.product'), cell: (l) => l.title ?? dash, class: 'wrap' },
            { header: t('orders.lines.quantity'), cell: (l) => formatNumber(l.quantity, ui, 3), class: 'num' },
            { header: t('orders.lines.price'), cell: (l) => money(ui, l.price, currency), class: 'num nowrap' },
            { header: t('orders.lines.total'), cell: (l) => money(ui, l.total_price ?? (l.price !== undefined ? l.price * l.quantity : undefined), currency), class: 'num nowrap' },
            { header: t('orders.lines.matched'), cell: (l) => {
              const m = 'matched' in side ? side.matched.get(l.sku.trim()) : undefined;
              return m
                ? <><a href={odooRecordUrl(connection, 'product.product', m.id)} target="_blank" rel="noopener noreferrer">{t('orders.lines.odooProduct', { id: m.id })} ↗</a><br /><small class="muted">{t(MATCHED_BY[m.matchedBy] ?? 'orders.matchedBy.default_code')}</small></>
                : <span class="error-text">{t('orders.lines.unmatched')}</span>;
            } },
          ]} />
        )}
      </section>

      {order && (
        <section aria-labelledby="customer-title">
          <h2 id="customer-title">{t('orders.customer.title')}</h2>
          <p class="muted">{t('orders.customer.note')}</p>
          <Details items={[
            [t('orders.customer.name'), personName(order.customer) || order.customer?.company || dash],
            [t('orders.customer.contact'), [order.customer?.email, order.customer?.phone].filter(Boolean).join(' · ') || dash],
            [t('orders.customer.invoice'), <AddressBlock ui={ui} address={order.invoice_address} />],
            [t('orders.customer.delivery'), <AddressBlock ui={ui} address={order.delivery_address} />],
            [t('orders.customer.payment'), order.payment_method ?? dash],
            [t('orders.customer.shippingCost'), money(ui, order.shipping_cost, currency)],
          ]} />
        </section>
      )}

      <section aria-labelledby="messages-title">
        <h2 id="messages-title">{t('orders.messages.title')}</h2>
        <DataTable<OrderMessage> caption={t('orders.messages.title')} id="order-messages" rows={history?.messages ?? []} empty={t('orders.messages.empty')} columns={[
          { header: '#', cell: (m) => <a href={`/queue/${m.id}`}>{m.id}</a>, class: 'num' },
          { header: t('orders.messages.received'), cell: (m) => <Time ui={ui} ms={m.receivedAt} />, class: 'nowrap' },
          { header: t('orders.messages.status'), cell: (m) => <StatusBadge t={t} kind="webhookQueue" status={m.status} /> },
          { header: t('orders.messages.duplicates'), cell: (m) => String(m.duplicates), class: 'num' },
          { header: t('orders.error'), cell: (m) => (m.lastError ? <span class="error-text">{said(ui, m.lastError)}</span> : ''), class: 'wrap' },
        ]} />
      </section>

      <section aria-labelledby="tasks-title">
        <h2 id="tasks-title">{t('orders.tasks.title')}</h2>
        <DataTable<OrderTask> caption={t('orders.tasks.title')} id="order-tasks" rows={history?.tasks ?? []} empty={t('orders.tasks.empty')} columns={[
          { header: '#', cell: (k) => <a href={`/tasks/${k.id}`}>{k.id}</a>, class: 'num' },
          { header: t('orders.tasks.status'), cell: (k) => <StatusBadge t={t} kind="task" status={k.status} /> },
          { header: t('orders.tasks.attempts'), cell: (k) => `${k.attempts}/${k.max_attempts}`, class: 'num' },
          { header: t('orders.tasks.when'), cell: (k) => <Time ui={ui} ms={k.finished_at ?? k.run_at} />, class: 'nowrap' },
          { header: t('orders.error'), cell: (k) => <TaskError ui={ui} status={k.status} text={k.last_error} />, class: 'wrap' },
        ]} />
      </section>
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
      'orders.vat': 'VAT no.',
      'orders.fiscalCode': 'Tax code',
      'orders.matchedBy.binding': 'the variant the export sent under this SKU',
      'orders.matchedBy.x_poleepo_sku': 'by SKU for Poleepo',
      'orders.matchedBy.default_code': 'by internal reference',
      'orders.matchedBy.barcode': 'by barcode',
      'orders.connectorTimeValue': '{ms} ms (+ {ext} ms in Odoo and Poleepo)',
      'orders.lines.title': 'Lines',
      'orders.lines.unreadable': 'The order could not be read from Poleepo just now: {reason}',
      'orders.lines.odooUnreadable': 'Odoo could not be asked which products match: {reason}',
      'orders.lines.empty': 'Poleepo sent no lines for this order.',
      'orders.lines.sku': 'SKU',
      'orders.lines.product': 'Title',
      'orders.lines.quantity': 'Quantity',
      'orders.lines.price': 'Unit price',
      'orders.lines.total': 'Line total',
      'orders.lines.matched': 'Odoo product',
      'orders.lines.odooProduct': 'Product #{id}',
      'orders.lines.unmatched': 'No product in Odoo',
      'orders.customer.title': 'Customer and addresses',
      'orders.customer.note': 'Read from Poleepo for this page only: the connector keeps no personal data, and its logs redact it.',
      'orders.customer.name': 'Customer',
      'orders.customer.contact': 'Contact',
      'orders.customer.invoice': 'Invoice address',
      'orders.customer.delivery': 'Delivery address',
      'orders.customer.payment': 'Payment',
      'orders.customer.shippingCost': 'Shipping cost',
      'orders.messages.title': 'Webhook messages about this order',
      'orders.messages.empty': 'No webhook message about this order.',
      'orders.messages.received': 'Received',
      'orders.messages.status': 'Status',
      'orders.messages.duplicates': 'Duplicates',
      'orders.tasks.title': 'Tasks that worked on this order',
      'orders.tasks.empty': 'No task has worked on this order.',
      'orders.tasks.status': 'Status',
      'orders.tasks.attempts': 'Attempts',
      'orders.tasks.when': 'When',
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
      'orders.vat': 'P. IVA',
      'orders.fiscalCode': 'C.F.',
      'orders.matchedBy.binding': "la variante inviata dall'esportazione con questo SKU",
      'orders.matchedBy.x_poleepo_sku': 'per SKU per Poleepo',
      'orders.matchedBy.default_code': 'per riferimento interno',
      'orders.matchedBy.barcode': 'per codice a barre',
      'orders.connectorTimeValue': '{ms} ms (+ {ext} ms in Odoo e Poleepo)',
      'orders.lines.title': 'Righe',
      'orders.lines.unreadable': "Non è stato possibile leggere l'ordine da Poleepo in questo momento: {reason}",
      'orders.lines.odooUnreadable': 'Non è stato possibile chiedere a Odoo quali prodotti corrispondono: {reason}',
      'orders.lines.empty': 'Poleepo non ha inviato righe per questo ordine.',
      'orders.lines.sku': 'SKU',
      'orders.lines.product': 'Titolo',
      'orders.lines.quantity': 'Quantità',
      'orders.lines.price': 'Prezzo unitario',
      'orders.lines.total': 'Totale riga',
      'orders.lines.matched': 'Prodotto Odoo',
      'orders.lines.odooProduct': 'Prodotto #{id}',
      'orders.lines.unmatched': 'Nessun prodotto in Odoo',
      'orders.customer.title': 'Cliente e indirizzi',
      'orders.customer.note': 'Letti da Poleepo solo per questa pagina: il connettore non conserva dati personali e i suoi log li oscurano.',
      'orders.customer.name': 'Cliente',
      'orders.customer.contact': 'Contatti',
      'orders.customer.invoice': 'Indirizzo di fatturazione',
      'orders.customer.delivery': 'Indirizzo di consegna',
      'orders.customer.payment': 'Pagamento',
      'orders.customer.shippingCost': 'Costo di spedizione',
      'orders.messages.title': 'Messaggi webhook su questo ordine',
      'orders.messages.empty': 'Nessun messaggio webhook su questo ordine.',
      'orders.messages.received': 'Ricevuto',
      'orders.messages.status': 'Stato',
      'orders.messages.duplicates': 'Duplicati',
      'orders.tasks.title': 'Attività che hanno lavorato su questo ordine',
      'orders.tasks.empty': 'Nessuna attività ha lavorato su questo ordine.',
      'orders.tasks.status': 'Stato',
      'orders.tasks.attempts': 'Tentativi',
      'orders.tasks.when': 'Quando',
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
