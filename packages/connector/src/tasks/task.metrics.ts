import type { GaugeCollector } from '../observability/metrics.ts';
import type { TaskQueue } from './task.queue.ts';

/**
 * The `poleepo_odoo_tasks` gauge: tasks per status and lane, read from the database at scrape time (so every
 * process reports the cluster-wide figure). Registered once per process in createContext.
 */
export function taskGaugeCollector(queue: TaskQueue): GaugeCollector {
  return {
    name: 'poleepo_odoo_tasks',
    help: 'Tasks in the durable task table by status and lane',
    collect: async () => (await queue.countsByStatusAndLane()).map((c) => ({ labels: { status: c.status, lane: c.lane }, value: c.count })),
  };
}
