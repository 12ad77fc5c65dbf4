import { definePage, type ConsoleContext, type ConsoleServices } from '../console.types.ts';
import { defineMessages } from '../i18n/i18n.ts';
import { formOf, notFoundPage, redirectTo, renderPage } from '../console.render.tsx';
import { ActionButton, FilterBar, SelectField } from '../components/forms.tsx';
import { StatusBadge } from '../components/badge.tsx';
import { DataTable, Details } from '../components/table.tsx';
import { Pagination } from '../components/pagination.tsx';
import { CodeBlock, Time } from '../components/time.tsx';
import { positiveInt } from '../components/format.ts';
import { said } from '../components/said.ts';
import { uiOf, type Ui } from '../components/ui.ts';
import { connectionNames } from '../console.lookups.ts';
import { WebhookQueueService } from '../../webhooks/webhook-queue.service.ts';
import { OrdersRepo } from '../../orders/orders.repo.ts';
import { ORDER_STATUS_LABELS, type PoleepoOrderStatus } from '../../poleepo/poleepo.types.ts';
import type { MessageFilter, WebhookMessageRow } from '../../webhooks/webhook-queue.repo.ts';
import { WEBHOOK_EVENTS, WEBHOOK_MESSAGE_STATUSES, type WebhookMessageStatus } from '../../webhooks/webhooks.tables.ts';
import { redactBody, redactValue } from '../../shared/redact.ts';
import { ValidationError } from '../../shared/errors.ts';

const PAGE_SIZE = 50;
const PAYLOAD_MAX = 20_000;

const messages = defineMessages({
  en: {
    'queue.nav': 'Webhook queue',
    'queue.title': 'Webhook queue',
    'queue.intro': 'Every message Poleepo sent, stored before it was acknowledged, with what became of it.',
    'queue.byStatus': 'Messages by status',
    'queue.empty': 'No message.',
    'queue.connection': 'Connection',
    'queue.event': 'Event',
    'queue.received': 'Received',
    'queue.resource': 'Resource',
    'queue.resource.order': 'Order {id}',
    'queue.resource.shipment': 'Shipment {id}',
    'queue.status': 'Status',
    'queue.change': 'Status change',
    'queue.change.new': 'new',
    'queue.change.to': 'to',
    'queue.attempts': 'Attempts',
    'queue.lastError': 'Last error or note',
    'queue.duplicates': 'Duplicates',
    'queue.actions': 'Actions',
    'queue.processed': 'Processed',
    'queue.eventId': 'Event id',
    'queue.payload': 'Payload (personal data redacted)',
    'queue.payloadErased': 'The payload was erased after the retention period.',
    'queue.detail.title': 'Webhook message #{id}',
    'queue.back': 'Webhook queue',
    'queue.retry': 'Retry',
    'queue.retryMessage': 'Retry message {id}',
    'queue.retryExplain': 'Back to Pending and processed again at once.',
    'queue.retried': 'Message #{id} queued again.',
    'queue.notRetryable': 'Message #{id} cannot be retried: {reason}',
    'queue.clean': 'Clean processed messages',
    'queue.clean.confirm': 'Remove every completed message from the queue?',
    'queue.cleaned': '{n} processed message(s) removed.',
  },
  it: {
    'queue.nav': 'Coda Webhook',
    'queue.title': 'Coda Webhook',
    'queue.intro': 'Ogni messaggio inviato da Poleepo, salvato prima di confermarne la ricezione, con il suo esito.',
    'queue.byStatus': 'Messaggi per stato',
    'queue.empty': 'Nessun messaggio.',
    'queue.connection': 'Connessione',
    'queue.event': 'Evento',
    'queue.received': 'Ricevuto',
    'queue.resource': 'Risorsa',
    'queue.resource.order': 'Ordine {id}',
    'queue.resource.shipment': 'Spedizione {id}',
    'queue.status': 'Stato',
    'queue.change': 'Cambio di stato',
    'queue.change.new': 'nuovo',
    'queue.change.to': 'a',
    'queue.attempts': 'Tentativi',
    'queue.lastError': 'Ultimo errore o nota',
    'queue.duplicates': 'Duplicati',
    'queue.actions': 'Azioni',
    'queue.processed': 'Elaborato',
    'queue.eventId': 'Id evento',
    'queue.payload': 'Contenuto (dati personali oscurati)',
    'queue.payloadErased': 'Il contenuto è stato cancellato dopo il periodo di conservazione.',
    'queue.detail.title': 'Messaggio webhook #{id}',
    'queue.back': 'Coda Webhook',
    'queue.retry': 'Riprova',
    'queue.retryMessage': 'Riprova il messaggio {id}',
    'queue.retryExplain': 'Torna In Attesa e viene elaborato di nuovo subito.',
    'queue.retried': 'Messaggio #{id} rimesso in coda.',
    'queue.notRetryable': 'Il messaggio #{id} non può essere riprovato: {reason}',
    'queue.clean': 'Pulisci i messaggi elaborati',
    'queue.clean.confirm': 'Rimuovere dalla coda tutti i messaggi completati?',
    'queue.cleaned': '{n} messaggi elaborati rimossi.',
  },
});

/** The modules' service when the console runs with them; else one over the same storage. */
function queueOf(services: ConsoleServices): WebhookQueueService {
  return services.modules?.webhookQueue ?? new WebhookQueueService(services.ctx.tasks, services.ctx.clock);
}

const RETRYABLE: readonly WebhookMessageStatus[] = ['failed', 'pending'];

function shortText(text: string | null): string {
  if (!text) return '';
  const redacted = String(redactValue(text));
  return redacted.length > 160 ? `${redacted.slice(0, 159)}…` : redacted;
}

/** The payload through the same redaction as the API log: no personal datum or secret on screen. */
function safePayload(payload: string): string {
  const redacted = redactBody(payload, PAYLOAD_MAX) ?? '';
  try {
    return JSON.stringify(JSON.parse(redacted), null, 2);
  } catch {
    return redacted;
  }
}

function resourceLabel(ui: Ui, m: WebhookMessageRow): string {
  return ui.t(m.resource_type === 'shipment' ? 'queue.resource.shipment' : 'queue.resource.order', { id: m.resource_id });
}

/** The change a message announces (`data.previous_status` → `data.status`), while its payload is kept. */
export function statusChange(payload: string | null): { previous: string | null; next: string } | null {
  if (!payload) return null;
  try {
    const data = (JSON.parse(payload) as { data?: { status?: unknown; previous_status?: unknown } }).data;
    if (!data || typeof data.status !== 'string') return null;
    return { previous: typeof data.previous_status === 'string' ? data.previous_status : null, next: data.status };
  } catch {
    return null;
  }
}

function statusWords(ui: Ui, m: WebhookMessageRow, status: string): string {
  if (m.resource_type === 'shipment') {
    const key = `status.poleepoShipping.${status}`;
    return ui.t.has(key) ? ui.t(key) : status;
  }
  const label = ORDER_STATUS_LABELS[status as PoleepoOrderStatus];
  return label ? label[ui.lang] : status;
}

function ChangeCell({ ui, m }: { ui: Ui; m: WebhookMessageRow }) {
  const change = statusChange(m.payload);
  if (!change) return <span class="muted">—</span>;
  return (
    <span class="status-change">
      {change.previous ? statusWords(ui, m, change.previous) : <span class="muted">{ui.t('queue.change.new')}</span>}
      <span aria-label={ui.t('queue.change.to')}> → </span>
      <strong>{statusWords(ui, m, change.next)}</strong>
    </span>
  );
}

/** The resource, linked to the order page when the connector knows the order. */
function ResourceCell({ ui, m, orderIds }: { ui: Ui; m: WebhookMessageRow; orderIds: Map<string, number> }) {
  const id = m.resource_type === 'order' ? orderIds.get(`${m.connection_id}:${m.resource_id}`) : undefined;
  return id ? <a href={`/orders?id=${id}`}>{resourceLabel(ui, m)}</a> : <>{resourceLabel(ui, m)}</>;
}

/** Order page ids of the orders these messages are about, keyed `connection:order`. */
async function orderIdsOf(services: ConsoleServices, messages: WebhookMessageRow[]): Promise<Map<string, number>> {
  const repo = new OrdersRepo(services.ctx.db);
  const out = new Map<string, number>();
  const byConnection = new Map<number, string[]>();
  for (const m of messages) if (m.resource_type === 'order') byConnection.set(m.connection_id, [...(byConnection.get(m.connection_id) ?? []), m.resource_id]);
  for (const [connectionId, ids] of byConnection) {
    for (const [orderId, bindingId] of await repo.idsByPoleepoOrder(connectionId, ids)) out.set(`${connectionId}:${orderId}`, bindingId);
  }
  return out;
}

function statusTabs(ui: Ui, query: Record<string, string | undefined>, byStatus: Record<WebhookMessageStatus, number>) {
  const link = (status: string | undefined) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v && k !== 'status' && k !== 'page') params.set(k, v);
    if (status) params.set('status', status);
    const qs = params.toString();
    return qs ? `/queue?${qs}` : '/queue';
  };
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return (
    <nav class="tabs" aria-label={ui.t('queue.byStatus')}>
      <a href={link(undefined)} aria-current={!query.status ? 'page' : undefined}>{ui.t('filters.all')} ({total})</a>
      {WEBHOOK_MESSAGE_STATUSES.map((s) => <a href={link(s)} aria-current={query.status === s ? 'page' : undefined}>{ui.t(`status.webhookQueue.${s}`)} ({byStatus[s]})</a>)}
    </nav>
  );
}

async function listView(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const services = c.get('services');
  const queue = queueOf(services);
  const query = c.req.query();
  const filter: MessageFilter = {};
  if ((WEBHOOK_MESSAGE_STATUSES as readonly string[]).includes(query.status ?? '')) filter.status = query.status as WebhookMessageStatus;
  if ((WEBHOOK_EVENTS as readonly string[]).includes(query.event ?? '')) filter.event = query.event;
  const connection = positiveInt(query.connection, 0);
  if (connection > 0) filter.connectionId = connection;
  const page = positiveInt(query.page, 1);
  const here = c.req.path + new URL(c.req.url).search;
  const result = await queue.list({ ...filter, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const byStatus = await queue.repo.countByStatus();
  const connections = await connectionNames(services.ctx.db);
  const orderIds = await orderIdsOf(services, result.rows);
  const all = { value: '', label: t('filters.all') };
  return renderPage(c, t('queue.title'), (
    <>
      <p class="lead">{t('queue.intro')}</p>
      {statusTabs(ui, query, byStatus)}
      <FilterBar ui={ui} action="/queue">
        {filter.status && <input type="hidden" name="status" value={filter.status} />}
        <SelectField name="connection" label={t('queue.connection')} value={query.connection ?? ''} options={[all, ...connections.map((x) => ({ value: String(x.id), label: x.name }))]} />
        <SelectField name="event" label={t('queue.event')} value={query.event ?? ''} options={[all, ...WEBHOOK_EVENTS.map((e) => ({ value: e, label: e }))]} />
      </FilterBar>
      <p><ActionButton ui={ui} action="/queue/clean" label={t('queue.clean')} variant="secondary" confirm={t('queue.clean.confirm')} /></p>
      <DataTable<WebhookMessageRow & { connection_name: string }> caption={t('queue.title')} rows={result.rows} empty={t('queue.empty')} columns={[
        { header: '#', cell: (m) => <a href={`/queue/${m.id}`}>{m.id}</a>, class: 'num' },
        { header: t('queue.received'), cell: (m) => <Time ui={ui} ms={m.received_at} />, class: 'nowrap' },
        { header: t('queue.connection'), cell: (m) => m.connection_name },
        { header: t('queue.event'), cell: (m) => <code>{m.event}</code> },
        { header: t('queue.resource'), cell: (m) => <ResourceCell ui={ui} m={m} orderIds={orderIds} />, class: 'nowrap' },
        { header: t('queue.change'), cell: (m) => <ChangeCell ui={ui} m={m} /> },
        { header: t('queue.status'), cell: (m) => <StatusBadge t={t} kind="webhookQueue" status={m.status} /> },
        { header: t('queue.attempts'), cell: (m) => String(m.attempts), class: 'num' },
        { header: t('queue.lastError'), cell: (m) => (m.last_error ? <span class="error-text">{said(ui, shortText(m.last_error))}</span> : said(ui, shortText(m.note))), class: 'wrap' },
        { header: t('queue.duplicates'), cell: (m) => String(m.duplicates), class: 'num' },
        { header: t('queue.actions'), cell: (m) => (RETRYABLE.includes(m.status) && m.payload !== null ? <ActionButton ui={ui} action={`/queue/${m.id}/retry`} fields={{ back: here }} label={t('queue.retry')} ariaLabel={t('queue.retryMessage', { id: m.id })} /> : '') },
      ]} />
      <Pagination ui={ui} path="/queue" query={query} page={page} hasNext={page * PAGE_SIZE < result.total} total={result.total} />
    </>
  ));
}

async function detailView(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const services = c.get('services');
  const id = positiveInt(c.req.param('id'), 0);
  const m = id ? await queueOf(services).get(id) : undefined;
  if (!m) return notFoundPage(c);
  const connection = (await connectionNames(services.ctx.db)).find((x) => x.id === m.connection_id);
  const orderIds = await orderIdsOf(services, [m]);
  return renderPage(c, t('queue.detail.title', { id: m.id }), (
    <>
      <p><a href="/queue">{t('queue.back')}</a></p>
      {RETRYABLE.includes(m.status) && m.payload !== null && (
        <p><ActionButton ui={ui} action={`/queue/${m.id}/retry`} label={t('queue.retry')} ariaLabel={t('queue.retryMessage', { id: m.id })} /> <span class="muted">{t('queue.retryExplain')}</span></p>
      )}
      <Details items={[
        [t('queue.connection'), connection?.name ?? String(m.connection_id)],
        [t('queue.event'), <code>{m.event}</code>],
        [t('queue.resource'), <ResourceCell ui={ui} m={m} orderIds={orderIds} />],
        [t('queue.change'), <ChangeCell ui={ui} m={m} />],
        [t('queue.eventId'), m.event_id ?? '—'],
        [t('queue.status'), <StatusBadge t={t} kind="webhookQueue" status={m.status} />],
        [t('queue.attempts'), String(m.attempts)],
        [t('queue.duplicates'), String(m.duplicates)],
        [t('queue.received'), <Time ui={ui} ms={m.received_at} />],
        [t('queue.processed'), <Time ui={ui} ms={m.processed_at} />],
        [t('queue.lastError'), m.last_error ? <span class="error-text">{said(ui, String(redactValue(m.last_error)))}</span> : (m.note ? said(ui, String(redactValue(m.note))) : '—')],
      ]} />
      {m.payload === null ? <p class="muted">{t('queue.payloadErased')}</p> : <CodeBlock label={t('queue.payload')} text={safePayload(m.payload)} />}
    </>
  ));
}

export const queuePage = definePage({
  id: 'queue',
  nav: { path: '/queue', label: 'queue.nav', order: 550, access: 'operator' },
  messages,
  routes(r, services) {
    r.get('/queue', 'operator', listView);
    r.get('/queue/:id', 'operator', detailView);

    r.post('/queue/clean', 'operator', async (c) => {
      const n = await queueOf(services).clean();
      return redirectTo(c, '/queue', { kind: 'success', key: 'queue.cleaned', params: { n } });
    });

    r.post('/queue/:id/retry', 'operator', async (c) => {
      const id = positiveInt(c.req.param('id'), 0);
      const message = id ? await queueOf(services).get(id) : undefined;
      if (!message) return notFoundPage(c);
      // Back where the button was (the list with its filters, or the message), never elsewhere.
      const asked = (await formOf(c)).back ?? '';
      const back = /^\/queue(\/\d+)?(\?[\w=&%.-]*)?$/.test(asked) ? asked : `/queue/${id}`;
      try {
        await queueOf(services).retry(id);
        return redirectTo(c, back, { kind: 'success', key: 'queue.retried', params: { id } });
      } catch (error) {
        if (error instanceof ValidationError) return redirectTo(c, back, { kind: 'error', key: 'queue.notRetryable', params: { id, reason: error.message } });
        throw error;
      }
    });
  },
});
