import { definePage, type ConsoleContext } from '../console.types.ts';
import { renderPage } from '../console.render.tsx';
import { HttpStatusBadge, StatusBadge } from '../components/badge.tsx';
import { DataTable } from '../components/table.tsx';
import { Time } from '../components/time.tsx';
import { uiOf } from '../components/ui.ts';
import { roleAllows } from '../../auth/auth.roles.ts';
import { TASK_STATUSES, type TaskListRow } from '../../tasks/task.types.ts';
import type { ApiLogRow } from '../../apilog/apilog.repo.ts';
import type { JobView } from '../../jobs/jobs.service.ts';
import { redactValue } from '../../shared/redact.ts';
import { jobTitle } from './jobs.page.tsx';

const DAY = 86_400_000;

async function dashboard(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const { ctx } = c.get('services');
  const isAdmin = roleAllows(c.get('user')!.role, 'admin');
  const [overview, dead, errors, errors24h, jobs] = await Promise.all([
    ctx.tasks.list({}, { limit: 0 }),
    ctx.tasks.list({ status: 'dead' }, { limit: 5 }),
    ctx.apiLogRepo.list({ errorsOnly: true, limit: 8 }),
    ctx.apiLogRepo.count({ errorsOnly: true, since: ui.now - DAY }),
    isAdmin ? ctx.jobs.list() : Promise.resolve([] as JobView[]),
  ]);
  const recentRuns = jobs.filter((j) => j.lastRun || j.activeRun)
    .sort((a, b) => ((b.activeRun ?? b.lastRun)!.createdAt - (a.activeRun ?? a.lastRun)!.createdAt));
  const failedJobs = jobs.filter((j) => j.lastRun?.status === 'failed').length;
  return renderPage(c, t('dashboard.title'), (
    <>
      <section aria-labelledby="tasks-title">
        <h2 id="tasks-title">{t('dashboard.tasks.title')}</h2>
        <div class="cards">
          {TASK_STATUSES.map((s) => (
            <a class={s === 'dead' && overview.byStatus.dead > 0 ? 'card alert' : 'card'} href={`/tasks?status=${s}`}>
              <span class="value">{overview.byStatus[s]}</span>
              <span class="label">{t(`status.task.${s}`)}</span>
            </a>
          ))}
          <a class={errors24h > 0 ? 'card alert' : 'card'} href="/api-log?errors=1&amp;period=24h">
            <span class="value">{errors24h}</span>
            <span class="label">{t('dashboard.apiErrors24h')}</span>
          </a>
          {isAdmin && (
            <a class={failedJobs > 0 ? 'card alert' : 'card'} href="/jobs">
              <span class="value">{failedJobs}</span>
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
          { header: t('tasks.lastError'), cell: (r) => <span class="error-text">{String(redactValue(r.last_error ?? ''))}</span>, class: 'wrap' },
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
            { header: t('jobs.outcome'), cell: (j) => (j.activeRun ?? j.lastRun)!.error ?? '', class: 'wrap' },
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
          { header: t('apilog.error'), cell: (r) => r.error ?? '', class: 'wrap' },
        ]} />
        <p><a href="/api-log?errors=1">{t('dashboard.errors.all')}</a></p>
      </section>
    </>
  ));
}

export const dashboardPage = definePage({
  id: 'dashboard',
  nav: { path: '/', label: 'dashboard.nav', order: 0, access: 'operator' },
  routes(r) {
    r.get('/', 'operator', dashboard);
  },
});
