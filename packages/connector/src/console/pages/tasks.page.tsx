import { definePage, type ConsoleContext } from '../console.types.ts';
import { formOf, notFoundPage, redirectTo, renderPage } from '../console.render.tsx';
import { ActionButton, FilterBar, SelectField } from '../components/forms.tsx';
import { StatusBadge } from '../components/badge.tsx';
import { DataTable, Details } from '../components/table.tsx';
import { Pagination } from '../components/pagination.tsx';
import { CodeBlock, Relative, Time } from '../components/time.tsx';
import { positiveInt } from '../components/format.ts';
import { uiOf, type Ui } from '../components/ui.ts';
import { connectionNames } from '../console.lookups.ts';
import { TaskError } from '../components/task-error.tsx';
import { TASK_STATUSES, type TaskFilter, type TaskListRow, type TaskStatus } from '../../tasks/task.types.ts';
import { DEFAULT_LANES } from '../../tasks/task.worker.ts';
import { redactValue } from '../../shared/redact.ts';
import { ValidationError } from '../../shared/errors.ts';

const PAGE_SIZE = 50;

/** Task payloads and results are shown through the same redaction as the API log: no secret or personal datum. */
function safeJsonText(text: string | null): string {
  if (!text) return '';
  try {
    return JSON.stringify(redactValue(JSON.parse(text)), null, 2);
  } catch {
    return String(redactValue(text));
  }
}


async function lanesOf(c: ConsoleContext): Promise<string[]> {
  const { ctx } = c.get('services');
  const counted = (await ctx.tasks.countsByStatusAndLane()).map((r) => r.lane);
  return [...new Set([...Object.keys(DEFAULT_LANES), ...ctx.taskRegistry.lanes(), ...counted])].sort();
}

function statusTabs(ui: Ui, query: Record<string, string | undefined>, byStatus: Record<TaskStatus, number>) {
  const link = (status: string | undefined) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v && k !== 'status' && k !== 'page') params.set(k, v);
    if (status) params.set('status', status);
    const qs = params.toString();
    return qs ? `/tasks?${qs}` : '/tasks';
  };
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return (
    <nav class="tabs" aria-label={ui.t('tasks.byStatus')}>
      <a href={link(undefined)} aria-current={!query.status ? 'page' : undefined}>{ui.t('filters.all')} ({total})</a>
      {TASK_STATUSES.map((s) => <a href={link(s)} aria-current={query.status === s ? 'page' : undefined}>{ui.t(`status.task.${s}`)} ({byStatus[s]})</a>)}
    </nav>
  );
}

async function listView(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const { ctx } = c.get('services');
  const query = c.req.query();
  const filter: TaskFilter = {};
  if ((TASK_STATUSES as readonly string[]).includes(query.status ?? '')) filter.status = query.status as TaskStatus;
  const lanes = await lanesOf(c);
  if (query.lane && lanes.includes(query.lane)) filter.lane = query.lane;
  const connection = positiveInt(query.connection, 0);
  if (connection > 0) filter.connectionId = connection;
  const page = positiveInt(query.page, 1);
  const here = c.req.path + new URL(c.req.url).search;
  const result = await ctx.tasks.list(filter, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const connections = await connectionNames(ctx.db);
  const all = { value: '', label: t('filters.all') };
  return renderPage(c, t('tasks.title'), (
    <>
      <p class="lead">{t('tasks.intro')}</p>
      {statusTabs(ui, query, result.byStatus)}
      <FilterBar ui={ui} action="/tasks">
        {filter.status && <input type="hidden" name="status" value={filter.status} />}
        <SelectField name="lane" label={t('tasks.lane')} value={query.lane ?? ''} options={[all, ...lanes.map((l) => ({ value: l, label: l }))]} />
        <SelectField name="connection" label={t('tasks.connection')} value={query.connection ?? ''} options={[all, ...connections.map((x) => ({ value: String(x.id), label: x.name }))]} />
      </FilterBar>
      <DataTable<TaskListRow> caption={t('tasks.title')} rows={result.rows} empty={t('tasks.empty')} columns={[
        { header: '#', cell: (r) => <a href={`/tasks/${r.id}`}>{r.id}</a>, class: 'num' },
        { header: t('tasks.kind'), cell: (r) => <code>{r.kind}</code> },
        { header: t('tasks.lane'), cell: (r) => r.lane },
        { header: t('tasks.connection'), cell: (r) => r.connection_name ?? <span class="muted">—</span> },
        { header: t('tasks.status'), cell: (r) => <StatusBadge t={t} kind="task" status={r.status} /> },
        { header: t('tasks.attempts'), cell: (r) => `${r.attempts}/${r.max_attempts}`, class: 'num' },
        { header: t('tasks.when'), cell: (r) => (r.finished_at ? <Time ui={ui} ms={r.finished_at} /> : <><Time ui={ui} ms={r.run_at} /> <Relative ui={ui} ms={r.run_at} /></>), class: 'nowrap' },
        { header: t('tasks.lastError'), cell: (r) => <TaskError ui={ui} status={r.status} text={r.last_error} />, class: 'wrap' },
        { header: t('tasks.actions'), cell: (r) => (r.status === 'dead' ? <ActionButton ui={ui} action={`/tasks/${r.id}/retry`} fields={{ back: here }} label={t('tasks.retry')} ariaLabel={t('tasks.retryTask', { id: r.id })} /> : '') },
      ]} />
      <Pagination ui={ui} path="/tasks" query={query} page={page} hasNext={page * PAGE_SIZE < result.total} total={result.total} />
    </>
  ));
}

async function detailView(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const { ctx } = c.get('services');
  const id = positiveInt(c.req.param('id'), 0);
  const task = id ? await ctx.tasks.get(id) : undefined;
  if (!task) return notFoundPage(c);
  return renderPage(c, t('tasks.detail.title', { id: task.id }), (
    <>
      <p><a href="/tasks">{t('tasks.back')}</a></p>
      {task.status === 'dead' && (
        <p><ActionButton ui={ui} action={`/tasks/${task.id}/retry`} label={t('tasks.retry')} ariaLabel={t('tasks.retryTask', { id: task.id })} /> <span class="muted">{t('tasks.retryExplain')}</span></p>
      )}
      <Details items={[
        [t('tasks.kind'), <code>{task.kind}</code>],
        [t('tasks.lane'), task.lane],
        [t('tasks.connection'), task.connection_name ?? '—'],
        [t('tasks.status'), <StatusBadge t={t} kind="task" status={task.status} />],
        [t('tasks.attempts'), `${task.attempts}/${task.max_attempts}`],
        [t('tasks.runAt'), <><Time ui={ui} ms={task.run_at} /> <Relative ui={ui} ms={task.run_at} /></>],
        [t('tasks.created'), <Time ui={ui} ms={task.created_at} />],
        [t('tasks.finished'), <Time ui={ui} ms={task.finished_at} />],
        [t('tasks.lastError'), task.last_error ? <TaskError ui={ui} status={task.status} text={task.last_error} full /> : '—'],
      ]} />
      <CodeBlock label={t('tasks.payload')} text={safeJsonText(task.payload)} />
      {task.result && <CodeBlock label={t('tasks.result')} text={safeJsonText(task.result)} />}
    </>
  ));
}

export const tasksPage = definePage({
  id: 'tasks',
  nav: { path: '/tasks', label: 'tasks.nav', order: 600, access: 'operator' },
  routes(r, services) {
    r.get('/tasks', 'operator', listView);
    r.get('/tasks/:id', 'operator', detailView);
    r.post('/tasks/:id/retry', 'operator', async (c) => {
      const id = positiveInt(c.req.param('id'), 0);
      const task = id ? await services.ctx.tasks.get(id) : undefined;
      if (!task) return notFoundPage(c);
      // Back where the button was (the list with its filters, or the task), never elsewhere.
      const asked = (await formOf(c)).back ?? '';
      const back = /^\/tasks(\/\d+)?(\?[\w=&%.-]*)?$/.test(asked) ? asked : `/tasks/${id}`;
      try {
        await services.ctx.tasks.retry(id);
        return redirectTo(c, back, { kind: 'success', key: 'tasks.retried', params: { id } });
      } catch (error) {
        if (error instanceof ValidationError) return redirectTo(c, back, { kind: 'error', key: 'tasks.notRetryable', params: { id } });
        throw error;
      }
    });
  },
});
