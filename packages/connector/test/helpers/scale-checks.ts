/**
 * What the scale-out tests check and measure in the shared database after the processes stopped: the scheduled
 * ticks (once each, cluster-wide) and the order import figures.
 */
import type { AppContext } from '../../src/app/context.ts';
import { JOB_RUN_KIND } from '../../src/jobs/jobs.service.ts';
import { IMPORT_ORDER } from '../../src/orders/orders.kinds.ts';

export interface JobTicks {
  /** Distinct ticks recorded (a run, a skip or a coalesced skip). */
  ticks: number;
  /** Ticks that queued a run. */
  queued: number;
  /** Ticks skipped because the previous run was still queued or running. */
  skipped: number;
  firstTick: number | null;
  lastTick: number | null;
}

export interface TickReport {
  perJob: Record<string, JobTicks>;
  /** (job, tick) pairs with more than one job_runs row (the unique index makes this impossible; checked anyway). */
  duplicateTicks: string[];
  /** Runs referenced by more than one `job.run` task. */
  runsWithSeveralTasks: number[];
  /** `job.run` tasks claimed more than once (attempts > 1) or not finished. */
  tasksRunMoreThanOnce: string[];
  /** Interval boundaries between a job's first and last recorded tick with no row: a tick nobody claimed. */
  missingTicks: string[];
}

/** Scheduled ticks of the given jobs (all on `intervalMs`, no offset) as recorded in job_runs and the job.run tasks. */
export async function jobTickReport(ctx: AppContext, jobs: string[], intervalMs: number): Promise<TickReport> {
  const k = ctx.db.kysely;
  const runs = await k.selectFrom('job_runs').select(['id', 'job_name', 'tick_at', 'status', 'task_id'])
    .where('trigger', '=', 'schedule').where('job_name', 'in', jobs).orderBy('tick_at').execute();
  const tasks = await k.selectFrom('tasks').select(['id', 'payload', 'status', 'attempts']).where('kind', '=', JOB_RUN_KIND).execute();
  const report: TickReport = { perJob: {}, duplicateTicks: [], runsWithSeveralTasks: [], tasksRunMoreThanOnce: [], missingTicks: [] };
  const seen = new Map<string, number>();
  for (const r of runs) seen.set(`${r.job_name}@${r.tick_at}`, (seen.get(`${r.job_name}@${r.tick_at}`) ?? 0) + 1);
  report.duplicateTicks = [...seen.entries()].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`);
  for (const job of jobs) {
    const mine = runs.filter((r) => r.job_name === job);
    const tickTimes = [...new Set(mine.map((r) => Number(r.tick_at)))].sort((a, b) => a - b);
    report.perJob[job] = {
      ticks: tickTimes.length,
      queued: mine.filter((r) => r.status !== 'skipped').length,
      skipped: mine.filter((r) => r.status === 'skipped').length,
      firstTick: tickTimes[0] ?? null,
      lastTick: tickTimes.at(-1) ?? null,
    };
    for (let t = tickTimes[0]; tickTimes.length && t <= tickTimes.at(-1)!; t += intervalMs) {
      if (!tickTimes.includes(t)) report.missingTicks.push(`${job}@${new Date(t).toISOString()}`);
    }
  }
  const tasksPerRun = new Map<number, number>();
  for (const t of tasks) {
    const runId = Number((JSON.parse(t.payload) as { runId: number }).runId);
    tasksPerRun.set(runId, (tasksPerRun.get(runId) ?? 0) + 1);
    if (t.attempts !== 1 || t.status !== 'done') report.tasksRunMoreThanOnce.push(`task #${t.id} (run #${runId}): ${t.status}, ${t.attempts} attempts`);
  }
  report.runsWithSeveralTasks = [...tasksPerRun.entries()].filter(([, n]) => n > 1).map(([runId]) => runId);
  // A queued (not skipped) scheduled run must point at its own task.
  for (const r of runs) {
    if (r.status !== 'skipped' && (r.task_id === null || !tasks.some((t) => t.id === r.task_id))) report.runsWithSeveralTasks.push(-Number(r.id));
  }
  return report;
}

export interface OrderFigures {
  /** From the first order placed to the last binding confirmed. */
  lastConfirmedMs: number;
  ordersPerSecond: number;
  /** Order placed on Poleepo → its sale order confirmed in Odoo (binding confirmed), per order. */
  p50Ms: number;
  p90Ms: number;
  maxMs: number;
  /** What triggered the import that confirmed each order (webhook, polling…). */
  confirmedBy: Record<string, number>;
}

/** Figures of the import of the given orders; `placedAt` = when each was created on Poleepo (same clock). */
export async function orderImportFigures(ctx: AppContext, placedAt: Map<string, number>, startedAt: number): Promise<OrderFigures> {
  const k = ctx.db.kysely;
  const ids = [...placedAt.keys()];
  const bindings = await k.selectFrom('order_bindings').select(['poleepo_order_id', 'confirmed_at']).where('poleepo_order_id', 'in', ids).execute();
  const latencies = bindings.filter((b) => b.confirmed_at !== null).map((b) => Number(b.confirmed_at) - placedAt.get(b.poleepo_order_id)!).sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))] ?? NaN;
  const lastConfirmedMs = Math.max(...bindings.map((b) => Number(b.confirmed_at))) - startedAt;
  const confirmedBy: Record<string, number> = {};
  const imports = await k.selectFrom('tasks').select(['payload', 'result']).where('kind', '=', IMPORT_ORDER.kind).where('status', '=', 'done').execute();
  for (const t of imports) {
    if (!t.result || (JSON.parse(t.result) as { outcome?: string }).outcome !== 'confirmed') continue;
    const trigger = (JSON.parse(t.payload) as { trigger?: string }).trigger ?? 'manual';
    confirmedBy[trigger] = (confirmedBy[trigger] ?? 0) + 1;
  }
  return { lastConfirmedMs, ordersPerSecond: ids.length / (lastConfirmedMs / 1000), p50Ms: pct(50), p90Ms: pct(90), maxMs: latencies.at(-1) ?? NaN, confirmedBy };
}

/** Webhook intake requests a serve process answered and their total time, from its own /metrics. */
export async function serveIntake(baseUrl: string): Promise<{ count: number; meanMs: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let count = 0;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.includes('/webhooks/poleepo/')) continue;
    const m = /^poleepo_odoo_http_request_duration_seconds_(count|sum)\{[^}]*\} ([\d.e+-]+)$/.exec(line);
    if (m?.[1] === 'count') count += Number(m[2]);
    if (m?.[1] === 'sum') sum += Number(m[2]);
  }
  return { count, meanMs: count ? (sum / count) * 1000 : NaN };
}

/** Warnings and errors a process logged (pino JSON lines on stdout), counted by message. */
export function loggedProblems(output: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string };
      if ((entry.level ?? 0) >= 40) counts[entry.msg ?? '?'] = (counts[entry.msg ?? '?'] ?? 0) + 1;
    } catch {
      // not a log line
    }
  }
  return counts;
}
