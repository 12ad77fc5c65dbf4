import { definePage, type ConsoleContext } from '../console.types.ts';
import { notFoundPage, renderPage } from '../console.render.tsx';
import { FilterBar, SelectField, TextField } from '../components/forms.tsx';
import { Badge, HttpStatusBadge } from '../components/badge.tsx';
import { DataTable, Details } from '../components/table.tsx';
import { Pagination } from '../components/pagination.tsx';
import { CodeBlock, Time } from '../components/time.tsx';
import { positiveInt, prettyJson } from '../components/format.ts';
import { said } from '../components/said.ts';
import { uiOf } from '../components/ui.ts';
import { connectionNames } from '../console.lookups.ts';
import type { ApiLogFilter, ApiLogRow } from '../../apilog/apilog.repo.ts';

const SYSTEMS = ['odoo', 'poleepo', 'webhook', 'console', 'http'] as const;
const DIRECTIONS = ['outbound', 'inbound'] as const;
const PERIODS: Record<string, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 };
const PAGE_SIZE = 50;

/** The query string as a typed filter; unknown values are ignored rather than refused. */
function filterOf(c: ConsoleContext, now: number): { filter: ApiLogFilter; query: Record<string, string | undefined>; page: number } {
  const q = c.req.query();
  const filter: ApiLogFilter = {};
  const connection = positiveInt(q.connection, 0);
  if (connection > 0) filter.connectionId = connection;
  if ((SYSTEMS as readonly string[]).includes(q.system ?? '')) filter.system = q.system as ApiLogFilter['system'];
  if ((DIRECTIONS as readonly string[]).includes(q.direction ?? '')) filter.direction = q.direction as ApiLogFilter['direction'];
  if (q.errors === '1') filter.errorsOnly = true;
  if (q.path) filter.pathContains = q.path.slice(0, 200);
  const period = q.period ? PERIODS[q.period] : undefined;
  if (period) filter.since = now - period;
  return { filter, query: q, page: positiveInt(q.page, 1) };
}

async function listView(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const { ctx } = c.get('services');
  const { filter, query, page } = filterOf(c, ui.now);
  const rows = await ctx.apiLogRepo.list({ ...filter, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE });
  const connections = await connectionNames(ctx.db);
  const nameOf = new Map(connections.map((x) => [x.id, x.name]));
  const all = { value: '', label: t('filters.all') };
  return renderPage(c, t('apilog.title'), (
    <>
      <p class="lead">{t('apilog.intro')}</p>
      <FilterBar ui={ui} action="/api-log">
        <SelectField name="connection" label={t('apilog.connection')} value={query.connection ?? ''}
          options={[all, ...connections.map((x) => ({ value: String(x.id), label: x.name }))]} />
        <SelectField name="system" label={t('apilog.system')} value={query.system ?? ''} options={[all, ...SYSTEMS.map((s) => ({ value: s, label: t(`apilog.system.${s}`) }))]} />
        <SelectField name="direction" label={t('apilog.direction')} value={query.direction ?? ''} options={[all, ...DIRECTIONS.map((d) => ({ value: d, label: t(`apilog.direction.${d}`) }))]} />
        <SelectField name="period" label={t('apilog.period')} value={query.period ?? ''} options={[{ value: '', label: t('apilog.period.all') }, ...Object.keys(PERIODS).map((p) => ({ value: p, label: t(`apilog.period.${p}`) }))]} />
        <TextField name="path" type="search" label={t('apilog.endpointContains')} value={query.path} />
        <SelectField name="errors" label={t('apilog.outcome')} value={query.errors ?? ''} options={[all, { value: '1', label: t('apilog.errorsOnly') }]} />
      </FilterBar>
      <DataTable<ApiLogRow> caption={t('apilog.title')} rows={rows.slice(0, PAGE_SIZE)} empty={t('apilog.empty')} columns={[
        { header: t('apilog.time'), cell: (r) => <a href={`/api-log/${r.id}`}><Time ui={ui} ms={r.created_at} /></a>, class: 'nowrap' },
        { header: t('apilog.connection'), cell: (r) => (r.connection_id === null ? <span class="muted">—</span> : nameOf.get(r.connection_id) ?? `#${r.connection_id}`) },
        { header: t('apilog.system'), cell: (r) => <>{t(`apilog.system.${r.system}`)}<div class="explain">{t(`apilog.direction.${r.direction}`)}</div></> },
        { header: t('apilog.request'), cell: (r) => <code class="endpoint"><strong>{r.method}</strong> {r.path}</code>, class: 'endpoint-col' },
        { header: t('apilog.status'), cell: (r) => <HttpStatusBadge status={r.status} t={t} /> },
        { header: t('apilog.duration'), cell: (r) => `${r.duration_ms} ${t('unit.ms')}`, class: 'num nowrap' },
        { header: t('apilog.error'), cell: (r) => (r.error ? <span class="error-text">{said(ui, r.error)}</span> : ''), class: 'wrap' },
      ]} />
      <Pagination ui={ui} path="/api-log" query={query} page={page} hasNext={rows.length > PAGE_SIZE} />
    </>
  ));
}

async function detailView(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const { ctx } = c.get('services');
  const id = positiveInt(c.req.param('id'), 0);
  const row = id ? await ctx.apiLogRepo.get(id) : undefined;
  if (!row) return notFoundPage(c);
  const connection = row.connection_id === null ? null : (await connectionNames(ctx.db)).find((x) => x.id === row.connection_id);
  return renderPage(c, t('apilog.detail.title', { id: row.id }), (
    <>
      <p><a href="/api-log">{t('apilog.back')}</a></p>
      <Details items={[
        [t('apilog.time'), <Time ui={ui} ms={row.created_at} />],
        [t('apilog.connection'), row.connection_id === null ? '—' : connection?.name ?? `#${row.connection_id}`],
        [t('apilog.system'), t(`apilog.system.${row.system}`)],
        [t('apilog.direction'), t(`apilog.direction.${row.direction}`)],
        [t('apilog.method'), <code>{row.method}</code>],
        [t('apilog.endpoint'), <code class="endpoint">{row.path}</code>],
        [t('apilog.status'), <HttpStatusBadge status={row.status} t={t} />],
        [t('apilog.duration'), `${row.duration_ms} ${t('unit.ms')}`],
        [t('apilog.error'), row.error ? <span class="error-text">{said(ui, row.error)}</span> : <Badge tone="ok">{t('apilog.noError')}</Badge>],
      ]} />
      <p class="muted">{t('apilog.redactedNote')}</p>
      {row.request_body ? <CodeBlock label={t('apilog.requestBody')} text={prettyJson(row.request_body)} /> : <p class="muted">{t('apilog.noRequestBody')}</p>}
      {row.response_body ? <CodeBlock label={t('apilog.responseBody')} text={prettyJson(row.response_body)} /> : <p class="muted">{t('apilog.noResponseBody')}</p>}
    </>
  ));
}

export const apiLogPage = definePage({
  id: 'apilog',
  nav: { path: '/api-log', label: 'apilog.nav', order: 700, access: 'operator' },
  routes(r) {
    r.get('/api-log', 'operator', listView);
    r.get('/api-log/:id', 'operator', detailView);
  },
});
