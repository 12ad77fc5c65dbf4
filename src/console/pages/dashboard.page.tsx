import { definePage, type ConsoleContext } from '../console.types.ts';
import { renderPage } from '../console.render.tsx';
import { HttpStatusBadge } from '../components/badge.tsx';
import { DataTable } from '../components/table.tsx';
import { Time } from '../components/time.tsx';
import { uiOf } from '../components/ui.ts';
import type { ApiLogRow } from '../../apilog/apilog.repo.ts';

async function dashboard(c: ConsoleContext) {
  const ui = uiOf(c);
  const { t } = ui;
  const { ctx } = c.get('services');
  const errors = await ctx.apiLogRepo.list({ errorsOnly: true, limit: 10 });
  return renderPage(c, t('dashboard.title'), (
    <>
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
