/**
 * "API Log Cleanup", the daily housekeeping pass (03:00 UTC by default). Besides the API log it prunes the other
 * tables that only grow — the rate-limit ledger, finished tasks and old job runs — because they share its nature
 * (diagnostic history with a retention) and its schedule; one visible daily job is simpler to reason about than
 * four. Retentions are settings (jobs.settings.ts). Its result lists how much each step removed.
 *
 *   jobs.setHandler('api-log-cleanup', apiLogCleanup({ clock, apiLogRepo, ledger, queue: tasks, jobs }));
 */
import type { Clock } from '../shared/clock.ts';
import type { ApiLogRepo } from '../apilog/apilog.repo.ts';
import type { RateLimitLedger } from '../ratelimit/ledger.ts';
import type { TaskQueue } from '../tasks/task.queue.ts';
import { DAY } from './jobs.definitions.ts';
import type { JobHandler, JobService } from './jobs.service.ts';

export interface CleanupDeps {
  clock: Clock;
  apiLogRepo: ApiLogRepo;
  ledger: RateLimitLedger;
  queue: TaskQueue;
  jobs: JobService;
}

export interface CleanupResult {
  apiLogDeleted: number;
  ledgerPruned: number;
  doneTasksDeleted: number;
  deadTasksDeleted: number;
  jobRunsDeleted: number;
}

export function apiLogCleanup(deps: CleanupDeps): JobHandler {
  return async (): Promise<CleanupResult> => {
    const { clock, jobs } = deps;
    const now = clock.now();
    const days = async (key: Parameters<typeof jobs.settings.get>[0]) => (await jobs.settings.get(key)) * DAY;
    const apiLogDeleted = await deps.apiLogRepo.deleteOlderThan(now - (await days('jobs.api_log_retention_days')));
    // Ledger entries matter only inside the longest rate-limit window in use; a day is far beyond any of them.
    const longestWindow = Math.max(DAY, await jobs.settings.get('products.batch_poll_window_ms'));
    const ledgerPruned = await deps.ledger.prune(now - longestWindow);
    const doneTasksDeleted = await deps.queue.cleanFinished(now - (await days('jobs.done_task_retention_days')), ['done']);
    const deadTasksDeleted = await deps.queue.cleanFinished(now - (await days('jobs.dead_task_retention_days')), ['dead']);
    const jobRunsDeleted = await jobs.repo.deleteRunsOlderThan(now - (await days('jobs.run_retention_days')));
    return { apiLogDeleted, ledgerPruned, doneTasksDeleted, deadTasksDeleted, jobRunsDeleted };
  };
}
