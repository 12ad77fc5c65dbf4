import { definePage, type ConsoleContext } from '../console.types.ts';
import { formOf, notFoundPage, redirectTo, renderPage } from '../console.render.tsx';
import { ActionButton, CsrfField, SelectField, TextField } from '../components/forms.tsx';
import { Badge, StatusBadge } from '../components/badge.tsx';
import { Notice } from '../components/flash.tsx';
import { DataTable, Details } from '../components/table.tsx';
import { Relative, Time } from '../components/time.tsx';
import { formatDuration } from '../components/format.ts';
import { said } from '../components/said.ts';
import { uiOf, type Ui } from '../components/ui.ts';
import { MIN_JOB_INTERVAL_MS, type JobView, type RunView } from '../../jobs/jobs.service.ts';
import { findJobDefinition } from '../../jobs/jobs.definitions.ts';
import { ValidationError } from '../../shared/errors.ts';

const UNITS = { s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** The unit's length in ms, or undefined for anything the form should not have sent. */
function unitMs(unit: string | undefined): number | undefined {
  return unit !== undefined && Object.hasOwn(UNITS, unit) ? UNITS[unit as keyof typeof UNITS] : undefined;
}

/** The seed's job names, translated when the dictionary has them. */
export function jobTitle(ui: Ui, job: { name: string; displayName: string }): string {
  const key = `job.${job.name}.title`;
  return ui.t.has(key) ? ui.t(key) : job.displayName;
}

function jobDescription(ui: Ui, job: JobView): string {
  const key = `job.${job.name}.description`;
  return ui.t.has(key) ? ui.t(key) : job.description;
}

/** Why a job cannot run more often than its floor (Poll Product Batches: Poleepo's rate limit). */
function FloorExplanation({ ui, job }: { ui: Ui; job: JobView }) {
  if (job.minIntervalMs <= MIN_JOB_INTERVAL_MS) return <></>;
  const key = `job.${job.name}.floor`;
  return (
    <p class="explain" id={`floor-${job.name}`}>
      {ui.t('jobs.floor', { d: formatDuration(job.minIntervalMs, ui) })} {ui.t.has(key) ? ui.t(key, { d: formatDuration(job.minIntervalMs, ui) }) : ''}
    </p>
  );
}

function IntervalText({ ui, ms }: { ui: Ui; ms: number | null }) {
  return ms === null ? <span class="muted">{ui.t('common.manual')}</span> : <>{ui.t('jobs.every', { d: formatDuration(ms, ui) })}</>;
}

function RunSummary({ ui, run }: { ui: Ui; run: RunView | null }) {
  if (!run) return <span class="muted">{ui.t('common.never')}</span>;
  return (
    <>
      <StatusBadge t={ui.t} kind="jobRun" status={run.status} /> <Time ui={ui} ms={run.finishedAt ?? run.startedAt ?? run.createdAt} />
      {run.error ? <div class="explain error-text">{said(ui, run.error)}</div> : run.result !== null && run.result !== undefined ? <div class="explain"><code>{short(JSON.stringify(run.result))}</code></div> : ''}
    </>
  );
}

function short(text: string): string {
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

/**
 * The interval as number + unit for the form: the largest unit it divides into, down to seconds, so that saving the
 * form unchanged keeps the interval exactly (10 s stays 10 s, not "1 min").
 */
export function intervalParts(ms: number | null): { value: string; unit: string } {
  if (ms === null) return { value: '', unit: 'manual' };
  for (const unit of ['d', 'h', 'min', 's'] as const) if (ms % UNITS[unit] === 0) return { value: String(ms / UNITS[unit]), unit };
  // Sub-second intervals cannot be set here (the floor is 10 s); show them rounded to the nearest second.
  return { value: String(Math.max(1, Math.round(ms / 1000))), unit: 's' };
}

function IntervalForm({ ui, job, compact }: { ui: Ui; job: JobView; compact?: boolean }) {
  // The compact form sits in the list; the full one on the job's page, which it returns to.
  const parts = intervalParts(job.intervalMs);
  return (
    <form method="post" action={`/jobs/${job.name}/interval`} class={compact ? 'interval-form compact' : 'row-form interval-form'} aria-label={ui.t('jobs.setIntervalOf', { job: jobTitle(ui, job) })}>
      <CsrfField token={ui.csrfToken} />
      {!compact && <input type="hidden" name="from" value="detail" />}
      <TextField id={`every-${job.name}`} name="every" type="number" min={1} inputmode="numeric" label={ui.t('jobs.intervalValue')} value={parts.value} hideLabel={compact} />
      <SelectField id={`unit-${job.name}`} name="unit" label={ui.t('jobs.intervalUnit')} value={parts.unit} hideLabel={compact} options={[
        { value: 's', label: ui.t('jobs.unit.s') }, { value: 'min', label: ui.t('jobs.unit.min') }, { value: 'h', label: ui.t('jobs.unit.h') }, { value: 'd', label: ui.t('jobs.unit.d') }, { value: 'manual', label: ui.t('common.manual') },
      ]} />
      <button type="submit" class="small secondary">{ui.t('jobs.setInterval')}</button>
    </form>
  );
}

function JobActions({ ui, job, from }: { ui: Ui; job: JobView; from?: 'detail' }) {
  const title = jobTitle(ui, job);
  const fields = from ? { from } : undefined;
  return (
    <>
      <ActionButton ui={ui} action={`/jobs/${job.name}/run`} fields={fields} label={ui.t('jobs.runNow')} ariaLabel={ui.t('jobs.runNowOf', { job: title })} />
      {job.enabled
        ? <ActionButton ui={ui} action={`/jobs/${job.name}/disable`} fields={fields} label={ui.t('jobs.disable')} ariaLabel={ui.t('jobs.disableOf', { job: title })} variant="secondary" />
        : <ActionButton ui={ui} action={`/jobs/${job.name}/enable`} fields={fields} label={ui.t('jobs.enable')} ariaLabel={ui.t('jobs.enableOf', { job: title })} variant="secondary" />}
    </>
  );
}

async function listView(c: ConsoleContext, problem?: { job: string; message: string }) {
  const ui = uiOf(c);
  const { t } = ui;
  const jobs = await c.get('services').ctx.jobs.list();
  return renderPage(c, t('jobs.title'), (
    <>
      <p class="lead">{t('jobs.intro')}</p>
      {problem && <Notice kind="error">{problem.message}</Notice>}
      <DataTable<JobView> caption={t('jobs.title')} rows={jobs} empty={t('jobs.empty')} columns={[
        { header: t('jobs.job'), cell: (j) => <><a href={`/jobs/${j.name}`}><strong>{jobTitle(ui, j)}</strong></a><div class="explain">{jobDescription(ui, j)}</div></>, class: 'job-col' },
        { header: t('jobs.interval'), cell: (j) => <><IntervalText ui={ui} ms={j.intervalMs} /><IntervalForm ui={ui} job={j} compact /><FloorExplanation ui={ui} job={j} /></> },
        { header: t('jobs.enabled'), cell: (j) => <Badge tone={j.enabled ? 'ok' : 'muted'}>{t(j.enabled ? 'jobs.on' : 'jobs.off')}</Badge> },
        { header: t('jobs.lastRun'), cell: (j) => <RunSummary ui={ui} run={j.activeRun ?? j.lastRun} /> },
        { header: t('jobs.nextRun'), cell: (j) => (j.nextRunAt === null ? <span class="muted">—</span> : <><Time ui={ui} ms={j.nextRunAt} /> <Relative ui={ui} ms={j.nextRunAt} /></>), class: 'nowrap' },
        { header: t('jobs.actions'), cell: (j) => <JobActions ui={ui} job={j} />, class: 'nowrap' },
      ]} />
    </>
  ), problem ? 422 : 200);
}

async function detailView(c: ConsoleContext, job: JobView, problem?: string) {
  const ui = uiOf(c);
  const { t } = ui;
  const runs = await c.get('services').ctx.jobs.runs(job.name, { limit: 30, includeSkipped: true });
  return renderPage(c, jobTitle(ui, job), (
    <>
      <p><a href="/jobs">{t('jobs.back')}</a></p>
      <p class="lead">{jobDescription(ui, job)}</p>
      {problem && <Notice kind="error">{problem}</Notice>}
      {!job.handlerConfigured && <Notice kind="info">{t('jobs.notConfigured')}</Notice>}
      <Details items={[
        [t('jobs.interval'), <IntervalText ui={ui} ms={job.intervalMs} />],
        [t('jobs.enabled'), <Badge tone={job.enabled ? 'ok' : 'muted'}>{t(job.enabled ? 'jobs.on' : 'jobs.off')}</Badge>],
        [t('jobs.nextRun'), job.nextRunAt === null ? '—' : <><Time ui={ui} ms={job.nextRunAt} /> <Relative ui={ui} ms={job.nextRunAt} /></>],
        [t('jobs.lastRun'), <RunSummary ui={ui} run={job.activeRun ?? job.lastRun} />],
      ]} />
      <p><JobActions ui={ui} job={job} from="detail" /></p>
      <section aria-labelledby="interval-title">
        <h2 id="interval-title">{t('jobs.setInterval')}</h2>
        <IntervalForm ui={ui} job={job} />
        <FloorExplanation ui={ui} job={job} />
      </section>
      <section aria-labelledby="runs-title">
        <h2 id="runs-title">{t('jobs.runs')}</h2>
        <DataTable<RunView> caption={t('jobs.runs')} rows={runs} empty={t('jobs.runs.empty')} columns={[
          { header: '#', cell: (r) => String(r.id), class: 'num' },
          { header: t('jobs.trigger'), cell: (r) => t(`jobs.trigger.${r.trigger}`) },
          { header: t('jobs.status'), cell: (r) => <StatusBadge t={t} kind="jobRun" status={r.status} /> },
          { header: t('jobs.tick'), cell: (r) => <Time ui={ui} ms={r.tickAt} />, class: 'nowrap' },
          { header: t('jobs.finished'), cell: (r) => <Time ui={ui} ms={r.finishedAt} />, class: 'nowrap' },
          { header: t('jobs.task'), cell: (r) => (r.taskId ? <a href={`/tasks/${r.taskId}`}>#{r.taskId}</a> : '—') },
          { header: t('jobs.outcome'), cell: (r) => (r.error ? <span class="error-text">{said(ui, r.error)}</span> : r.result !== null ? <code>{short(JSON.stringify(r.result))}</code> : ''), class: 'wrap' },
        ]} />
      </section>
    </>
  ), problem ? 422 : 200);
}

export const jobsPage = definePage({
  id: 'jobs',
  nav: { path: '/jobs', label: 'jobs.nav', order: 650, access: 'admin' },
  routes(r, services) {
    const jobs = services.ctx.jobs;
    const load = async (c: ConsoleContext) => {
      const def = findJobDefinition(c.req.param('name') ?? '');
      return def ? jobs.get(def.name) : null;
    };
    /** After an action: the page it came from (list or the job's own page). */
    const back = async (c: ConsoleContext, name: string) => ((await formOf(c)).from === 'detail' ? `/jobs/${name}` : '/jobs');

    r.get('/jobs', 'admin', (c) => listView(c));
    r.get('/jobs/:name', 'admin', async (c) => {
      const job = await load(c);
      return job ? detailView(c, job) : notFoundPage(c);
    });

    r.post('/jobs/:name/run', 'admin', async (c) => {
      const job = await load(c);
      if (!job) return notFoundPage(c);
      const { run, alreadyActive } = await jobs.runNow(job.name);
      const title = jobTitle(uiOf(c), job);
      return redirectTo(c, await back(c, job.name), alreadyActive
        ? { kind: 'info', key: 'jobs.alreadyActive', params: { job: title, id: run.id } }
        : { kind: 'success', key: 'jobs.queued', params: { job: title, id: run.id } });
    });

    r.post('/jobs/:name/enable', 'admin', async (c) => {
      const job = await load(c);
      if (!job) return notFoundPage(c);
      await jobs.enable(job.name);
      return redirectTo(c, await back(c, job.name), { kind: 'success', key: 'jobs.enabled.flash', params: { job: jobTitle(uiOf(c), job) } });
    });

    r.post('/jobs/:name/disable', 'admin', async (c) => {
      const job = await load(c);
      if (!job) return notFoundPage(c);
      await jobs.disable(job.name);
      return redirectTo(c, await back(c, job.name), { kind: 'success', key: 'jobs.disabled.flash', params: { job: jobTitle(uiOf(c), job) } });
    });

    r.post('/jobs/:name/interval', 'admin', async (c) => {
      const job = await load(c);
      if (!job) return notFoundPage(c);
      const ui = uiOf(c);
      const form = await formOf(c);
      const title = jobTitle(ui, job);
      let intervalMs: number | null = null;
      if (form.unit !== 'manual') {
        const n = Number(form.every);
        const unit = unitMs(form.unit);
        if (!unit || !Number.isInteger(n) || n < 1 || n > 10_000_000) {
          const message = ui.t('jobs.interval.invalid');
          return form.from === 'detail' ? detailView(c, job, message) : listView(c, { job: job.name, message });
        }
        intervalMs = n * unit;
      }
      try {
        await jobs.setInterval(job.name, intervalMs);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        // The service enforces the floors; the console says why in the person's language.
        const floorKey = `job.${job.name}.floor`;
        const message = intervalMs !== null && intervalMs < job.minIntervalMs
          ? `${ui.t('jobs.interval.tooShort', { job: title, d: formatDuration(job.minIntervalMs, ui) })} ${ui.t.has(floorKey) ? ui.t(floorKey, { d: formatDuration(job.minIntervalMs, ui) }) : ''}`.trim()
          : error.message;
        return form.from === 'detail' ? detailView(c, job, message) : listView(c, { job: job.name, message });
      }
      return redirectTo(c, await back(c, job.name), { kind: 'success', key: 'jobs.interval.flash', params: { job: title } });
    });
  },
});
