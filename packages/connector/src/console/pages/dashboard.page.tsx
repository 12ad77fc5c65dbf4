import { definePage, type ConsoleContext } from '../console.types.ts';
import { defineMessages } from '../i18n/i18n.ts';
import { isHtmx, renderPage } from '../console.render.tsx';
import { Badge, HttpStatusBadge, StatusBadge, type Tone } from '../components/badge.tsx';
import { firstHour, HourlyChart, hourlyBuckets } from '../components/chart.tsx';
import { formatNumber } from '../components/numbers.ts';
import { formatTime } from '../components/format.ts';
import { said } from '../components/said.ts';
import { TaskError } from '../components/task-error.tsx';
import { connectionNames } from '../console.lookups.ts';
import { OrdersRepo, type OrderBindingListRow } from '../../orders/orders.repo.ts';
import type { OrderBindingState } from '../../orders/orders.tables.ts';
import { BatchesRepo, type BatchListRow } from '../../products/products.batches.repo.ts';
import { BindingsRepo } from '../../products/products.bindings.repo.ts';
import { ShipmentsRepo, type ShipmentListRow } from '../../shipping/shipments.repo.ts';
import { DataTable } from '../components/table.tsx';
import { Time } from '../components/time.tsx';
import { uiOf } from '../components/ui.ts';
import { roleAllows } from '../../auth/auth.roles.ts';
import { TASK_STATUSES, type TaskListRow } from '../../tasks/task.types.ts';
import type { ApiLogRow } from '../../apilog/apilog.repo.ts';
import type { JobView } from '../../jobs/jobs.service.ts';
import { jobTitle } from './jobs.page.tsx';

const messages = defineMessages({
  en: {
    'dashboard.live': 'Updated live, last at {time}',
    'dashboard.when': 'When',
    'dashboard.orders.title': 'Orders',
    'dashboard.orders.today': 'Today',
    'dashboard.orders.week': 'This week',
    'dashboard.orders.parked': 'Parked: a person must act',
    'dashboard.orders.waiting': 'Waiting for an importable status',
    'dashboard.orders.byChannel': 'Orders by channel',
    'dashboard.orders.channel': 'Channel',
    'dashboard.orders.noChannel': 'No channel',
    'dashboard.orders.none': 'No order this week.',
    'dashboard.orders.needing': 'Orders waiting or parked',
    'dashboard.orders.needingEmpty': 'No order is waiting or parked.',
    'dashboard.orders.reason': 'Why',
    'dashboard.orders.waitingReason': 'Poleepo status {status} is not among the importable ones yet',
    'dashboard.chart.title': 'Orders per hour, last {hours} hours',
    'dashboard.chart.summary': '{total} orders in the last {hours} hours; busiest hour {at} with {max}.',
    'dashboard.export.title': 'Catalog export to Poleepo',
    'dashboard.export.queued': 'Queued',
    'dashboard.export.sent': 'Sent, awaiting Poleepo',
    'dashboard.export.completed': 'Completed today',
    'dashboard.export.errors': 'Products with an error',
    'dashboard.export.running': 'Export in progress: {done} of {total} done',
    'dashboard.export.idle': 'Nothing to send: the catalog is up to date on Poleepo.',
    'dashboard.batches.title': 'Last batches',
    'dashboard.batches.empty': 'No batch sent yet.',
    'dashboard.batches.items': 'Items',
    'dashboard.batches.itemsOf': '{done} done, {errors} errors of {total}',
    'dashboard.shipments.title': 'Last shipments',
    'dashboard.shipments.empty': 'No shipment yet.',
    'dashboard.shipments.delivery': 'Delivery',
    'dashboard.shipments.carrier': 'Carrier',
    'dashboard.shipments.step': 'Step',
  },
  it: {
    'dashboard.live': 'Aggiornata in tempo reale, ultima volta alle {time}',
    'dashboard.when': 'Quando',
    'dashboard.orders.title': 'Ordini',
    'dashboard.orders.today': 'Oggi',
    'dashboard.orders.week': 'Questa settimana',
    'dashboard.orders.parked': 'Sospesi: serve un intervento',
    'dashboard.orders.waiting': 'In attesa di uno stato importabile',
    'dashboard.orders.byChannel': 'Ordini per canale',
    'dashboard.orders.channel': 'Canale',
    'dashboard.orders.noChannel': 'Nessun canale',
    'dashboard.orders.none': 'Nessun ordine questa settimana.',
    'dashboard.orders.needing': 'Ordini in attesa o sospesi',
    'dashboard.orders.needingEmpty': 'Nessun ordine in attesa o sospeso.',
    'dashboard.orders.reason': 'Motivo',
    'dashboard.orders.waitingReason': 'Lo stato Poleepo {status} non è ancora tra quelli importabili',
    'dashboard.chart.title': 'Ordini per ora, ultime {hours} ore',
    'dashboard.chart.summary': '{total} ordini nelle ultime {hours} ore; ora di punta {at} con {max}.',
    'dashboard.export.title': 'Esportazione del catalogo verso Poleepo',
    'dashboard.export.queued': 'In coda',
    'dashboard.export.sent': 'Inviati, in attesa di Poleepo',
    'dashboard.export.completed': 'Completati oggi',
    'dashboard.export.errors': 'Prodotti con errore',
    'dashboard.export.running': 'Esportazione in corso: {done} di {total} completati',
    'dashboard.export.idle': 'Niente da inviare: il catalogo su Poleepo è aggiornato.',
    'dashboard.batches.title': 'Ultimi lotti',
    'dashboard.batches.empty': 'Nessun lotto ancora inviato.',
    'dashboard.batches.items': 'Voci',
    'dashboard.batches.itemsOf': '{done} completate, {errors} errori su {total}',
    'dashboard.shipments.title': 'Ultime spedizioni',
    'dashboard.shipments.empty': 'Nessuna spedizione ancora.',
    'dashboard.shipments.delivery': 'Consegna',
    'dashboard.shipments.carrier': 'Vettore',
    'dashboard.shipments.step': 'Fase',
  },
});

const DAY = 86_400_000;

/** Midnight of today in `timeZone`, and of the Monday of this week (to the hour: a DST change the same day is ignored). */
export function dayAndWeekStart(now: number, timeZone: string): { today: number; week: number } {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
    .formatToParts(new Date(now)).map((p) => [p.type, p.value]));
  const sinceMidnight = ((Number(parts.hour) % 24) * 3600 + Number(parts.minute) * 60 + Number(parts.second)) * 1000 + (now % 1000);
  const today = now - sinceMidnight;
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday ?? '');
  return { today, week: today - Math.max(0, weekday) * DAY };
}

const CHART_HOURS = 72;
/** How often the open dashboard refreshes its figures (htmx polling of /dashboard/live). */
export const DASHBOARD_POLL = 'every 5s';

const ORDER_TONE: Partial<Record<OrderBindingState, Tone>> = { parked: 'warn', waiting: 'muted', refused: 'error', error: 'error', uncertain: 'warn' };

/** The figures, rendered once for the page and again every few seconds for the live fragment. */
async function dashboardBody(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const { ctx } = c.get('services');
  const isAdmin = roleAllows(c.get('user')!.role, 'admin');
  const { today, week } = dayAndWeekStart(ui.now, ui.timeZone);
  const orders = new OrdersRepo(ctx.db);
  const batchesRepo = new BatchesRepo(ctx.db);
  const connections = await connectionNames(ctx.db);
  const [overview, dead, errors, errors24h, jobs, byChannelToday, byChannelWeek, parked, waiting, times, batches, progress, shipments, productCounts] = await Promise.all([
    ctx.tasks.list({}, { limit: 0 }),
    ctx.tasks.list({ status: 'dead' }, { limit: 5 }),
    ctx.apiLogRepo.list({ errorsOnly: true, limit: 8 }),
    ctx.apiLogRepo.count({ errorsOnly: true, since: ui.now - DAY }),
    isAdmin ? ctx.jobs.list() : Promise.resolve([] as JobView[]),
    orders.countByChannelSince(today),
    orders.countByChannelSince(week),
    orders.list({ state: 'parked', limit: 6 }),
    orders.list({ state: 'waiting', limit: 6 }),
    orders.orderTimesSince(firstHour(ui.now, CHART_HOURS)),
    batchesRepo.list({}, { limit: 5, offset: 0 }),
    batchesRepo.progressSince(today),
    new ShipmentsRepo(ctx.db).list({ limit: 5 }),
    Promise.all(connections.map((x) => new BindingsRepo(ctx.db).counts(x.id))),
  ]);
  const recentRuns = jobs.filter((j) => j.lastRun || j.activeRun)
    .sort((a, b) => ((b.activeRun ?? b.lastRun)!.createdAt - (a.activeRun ?? a.lastRun)!.createdAt));
  const failedJobs = jobs.filter((j) => j.lastRun?.status === 'failed').length;
  const channels = [...new Set([...byChannelWeek.map((r) => r.channel), ...byChannelToday.map((r) => r.channel)])];
  const countOf = (rows: { channel: string | null; n: number }[], ch: string | null) => rows.find((r) => r.channel === ch)?.n ?? 0;
  const sum = (rows: { n: number }[]) => rows.reduce((a, r) => a + r.n, 0);
  const queued = productCounts.reduce((a, x) => a + x.queued, 0);
  const productErrors = productCounts.reduce((a, x) => a + x.errors, 0);
  const sent = progress.draft + progress.sent;
  const exportTotal = queued + sent + progress.completed + progress.error;
  const exportDone = progress.completed + progress.error;
  const running = progress.open > 0 || queued > 0;
  const needing = [...parked.rows, ...waiting.rows];
  const fmt = (n: number) => formatNumber(n, ui);
  return (
    <div id="dashboard-live" hx-get="/dashboard/live" hx-trigger={DASHBOARD_POLL} hx-swap="outerHTML" data-updated={String(ui.now)}>
      <p class="muted live-note"><span aria-hidden="true">●</span> {t('dashboard.live', { time: formatTime(ui.now, ui) })}</p>
      <section aria-labelledby="orders-title">
        <h2 id="orders-title">{t('dashboard.orders.title')}</h2>
        <div class="cards">
          <a class="card" href="/orders"><span class="value" id="orders-today">{fmt(sum(byChannelToday))}</span><span class="label">{t('dashboard.orders.today')}</span></a>
          <a class="card" href="/orders"><span class="value" id="orders-week">{fmt(sum(byChannelWeek))}</span><span class="label">{t('dashboard.orders.week')}</span></a>
          <a class={parked.total > 0 ? 'card alert' : 'card'} href="/orders?state=parked"><span class="value">{fmt(parked.total)}</span><span class="label">{t('dashboard.orders.parked')}</span></a>
          <a class="card" href="/orders?state=waiting"><span class="value">{fmt(waiting.total)}</span><span class="label">{t('dashboard.orders.waiting')}</span></a>
        </div>
        <div class="two-cols">
          <DataTable<string | null> caption={t('dashboard.orders.byChannel')} rows={channels} empty={t('dashboard.orders.none')} columns={[
            { header: t('dashboard.orders.channel'), cell: (ch) => ch ?? <span class="muted">{t('dashboard.orders.noChannel')}</span> },
            { header: t('dashboard.orders.today'), cell: (ch) => fmt(countOf(byChannelToday, ch)), class: 'num' },
            { header: t('dashboard.orders.week'), cell: (ch) => fmt(countOf(byChannelWeek, ch)), class: 'num' },
          ]} />
          <HourlyChart ui={ui} buckets={hourlyBuckets(times, ui.now, CHART_HOURS)} label={t('dashboard.chart.title', { hours: CHART_HOURS })} />
        </div>
        <h3>{t('dashboard.orders.needing')}</h3>
        <DataTable<OrderBindingListRow> caption={t('dashboard.orders.needing')} rows={needing} empty={t('dashboard.orders.needingEmpty')} columns={[
          { header: t('orders.poleepoOrder'), cell: (r) => <a href={`/orders?id=${r.id}`}>{r.poleepo_order_id}</a>, class: 'nowrap' },
          { header: t('orders.channel'), cell: (r) => r.channel ?? '—' },
          { header: t('orders.state'), cell: (r) => <Badge tone={ORDER_TONE[r.state] ?? 'muted'}>{t(`status.orderBinding.${r.state}`)}</Badge> },
          { header: t('dashboard.orders.reason'), cell: (r) => (r.state === 'waiting' ? t('dashboard.orders.waitingReason', { status: r.poleepo_status ?? '—' }) : said(ui, r.parked_reason)), class: 'wrap' },
          { header: t('orders.updated'), cell: (r) => <Time ui={ui} ms={r.updated_at} />, class: 'nowrap' },
        ]} />
      </section>

      <section aria-labelledby="export-title">
        <h2 id="export-title">{t('dashboard.export.title')}</h2>
        <div class="cards">
          <a class="card" href="/products?state=queued"><span class="value" id="export-queued">{fmt(queued)}</span><span class="label">{t('dashboard.export.queued')}</span></a>
          <a class="card" href="/batches?status=sent"><span class="value" id="export-sent">{fmt(sent)}</span><span class="label">{t('dashboard.export.sent')}</span></a>
          <a class="card" href="/batches"><span class="value" id="export-completed">{fmt(progress.completed)}</span><span class="label">{t('dashboard.export.completed')}</span></a>
          <a class={productErrors > 0 ? 'card alert' : 'card'} href="/products?state=error"><span class="value" id="export-errors">{fmt(productErrors)}</span><span class="label">{t('dashboard.export.errors')}</span></a>
        </div>
        {running ? (
          <p class="export-progress">
            <label for="export-bar">{t('dashboard.export.running', { done: fmt(exportDone), total: fmt(exportTotal) })}</label>
            <progress id="export-bar" value={String(exportDone)} max={String(Math.max(1, exportTotal))}>{fmt(exportDone)} / {fmt(exportTotal)}</progress>
          </p>
        ) : <p class="muted">{t('dashboard.export.idle')}</p>}
        <div class="two-cols">
          <div>
            <h3>{t('dashboard.batches.title')}</h3>
            <DataTable<BatchListRow> caption={t('dashboard.batches.title')} rows={batches.rows} empty={t('dashboard.batches.empty')} columns={[
              { header: '#', cell: (b) => <a href={`/batches/${b.id}`}>{b.id}</a>, class: 'num' },
              { header: t('batches.status'), cell: (b) => <StatusBadge t={t} kind="productBatch" status={b.status} /> },
              { header: t('dashboard.batches.items'), cell: (b) => t('dashboard.batches.itemsOf', { done: fmt(b.completed_items), errors: fmt(b.error_items), total: fmt(b.items) }) },
              { header: t('dashboard.when'), cell: (b) => <Time ui={ui} ms={b.completed_at ?? b.submitted_at ?? b.created_at} />, class: 'nowrap' },
            ]} />
          </div>
          <div>
            <h3>{t('dashboard.shipments.title')}</h3>
            <DataTable<ShipmentListRow> caption={t('dashboard.shipments.title')} rows={shipments.rows} empty={t('dashboard.shipments.empty')} columns={[
              { header: t('dashboard.shipments.delivery'), cell: (s) => <a href={`/shipping/picking/${s.picking_id}`}>{s.picking_name}</a>, class: 'nowrap' },
              { header: t('dashboard.shipments.carrier'), cell: (s) => s.carrier ?? '—' },
              { header: t('dashboard.shipments.step'), cell: (s) => t(`status.shipmentStep.${s.step}`) },
              { header: t('dashboard.when'), cell: (s) => <Time ui={ui} ms={s.updated_at} />, class: 'nowrap' },
            ]} />
          </div>
        </div>
      </section>

      <section aria-labelledby="tasks-title">
        <h2 id="tasks-title">{t('dashboard.tasks.title')}</h2>
        <div class="cards">
          {TASK_STATUSES.map((s) => (
            <a class={s === 'dead' && overview.byStatus.dead > 0 ? 'card alert' : 'card'} href={`/tasks?status=${s}`}>
              <span class="value">{fmt(overview.byStatus[s])}</span>
              <span class="label">{t(`status.task.${s}`)}</span>
            </a>
          ))}
          <a class={errors24h > 0 ? 'card alert' : 'card'} href="/api-log?errors=1&amp;period=24h">
            <span class="value">{fmt(errors24h)}</span>
            <span class="label">{t('dashboard.apiErrors24h')}</span>
          </a>
          {isAdmin && (
            <a class={failedJobs > 0 ? 'card alert' : 'card'} href="/jobs">
              <span class="value">{fmt(failedJobs)}</span>
              <span class="label">{t('dashboard.failedJobs')}</span>
            </a>
          )}
        </div>
      </section>

      <section aria-labelledby="failures-title">
        <h2 id="failures-title">{t('dashboard.failures.title')}</h2>
        <DataTable<TaskListRow> caption={t('dashboard.failures.title')} rows={dead.rows} empty={t('dashboard.failures.empty')} columns={[
          { header: '#', cell: (r) => <a href={`/tasks/${r.id}`}>{r.id}</a>, class: 'num' },
          { header: t('tasks.kind'), cell: (r) => <code>{r.kind}</code> },
          { header: t('tasks.connection'), cell: (r) => r.connection_name ?? '—' },
          { header: t('tasks.finished'), cell: (r) => <Time ui={ui} ms={r.finished_at} />, class: 'nowrap' },
          { header: t('tasks.lastError'), cell: (r) => <TaskError ui={ui} status={r.status} text={r.last_error} />, class: 'wrap' },
        ]} />
        {dead.total > dead.rows.length && <p><a href="/tasks?status=dead">{t('dashboard.failures.all', { n: dead.total })}</a></p>}
      </section>

      {isAdmin && (
        <section aria-labelledby="runs-title">
          <h2 id="runs-title">{t('dashboard.runs.title')}</h2>
          <DataTable<JobView> caption={t('dashboard.runs.title')} rows={recentRuns} empty={t('dashboard.runs.empty')} columns={[
            { header: t('jobs.job'), cell: (j) => <a href={`/jobs/${j.name}`}>{jobTitle(ui, j)}</a> },
            { header: t('jobs.status'), cell: (j) => <StatusBadge t={t} kind="jobRun" status={(j.activeRun ?? j.lastRun)!.status} /> },
            { header: t('jobs.tick'), cell: (j) => <Time ui={ui} ms={(j.activeRun ?? j.lastRun)!.createdAt} />, class: 'nowrap' },
            { header: t('jobs.outcome'), cell: (j) => said(ui, (j.activeRun ?? j.lastRun)!.error), class: 'wrap' },
          ]} />
        </section>
      )}

      <section aria-labelledby="errors-title">
        <h2 id="errors-title">{t('dashboard.errors.title')}</h2>
        <DataTable<ApiLogRow> caption={t('dashboard.errors.title')} rows={errors} empty={t('dashboard.errors.empty')} columns={[
          { header: t('apilog.time'), cell: (r) => <a href={`/api-log/${r.id}`}><Time ui={ui} ms={r.created_at} /></a>, class: 'nowrap' },
          { header: t('apilog.system'), cell: (r) => t(`apilog.system.${r.system}`) },
          { header: t('apilog.endpoint'), cell: (r) => <code class="endpoint">{r.method} {r.path}</code>, class: 'wrap' },
          { header: t('apilog.status'), cell: (r) => <HttpStatusBadge status={r.status} t={t} /> },
          { header: t('apilog.error'), cell: (r) => said(ui, r.error), class: 'wrap' },
        ]} />
        <p><a href="/api-log?errors=1">{t('dashboard.errors.all')}</a></p>
      </section>
    </div>
  );
}

async function dashboard(c: ConsoleContext) {
  return renderPage(c, c.get('t')('dashboard.title'), await dashboardBody(c));
}

/** The live fragment htmx swaps in place every few seconds (no reload, no layout); opened directly, the whole page. */
async function dashboardLive(c: ConsoleContext) {
  if (!isHtmx(c)) return dashboard(c);
  c.header('Cache-Control', 'no-store');
  return c.html(String(await dashboardBody(c)));
}

export const dashboardPage = definePage({
  id: 'dashboard',
  nav: { path: '/', label: 'dashboard.nav', order: 0, access: 'operator' },
  messages,
  routes(r) {
    r.get('/', 'operator', dashboard);
    r.get('/dashboard/live', 'operator', dashboardLive);
  },
});
