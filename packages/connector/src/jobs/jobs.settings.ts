import type { Db } from '../storage/db.ts';
import type { Clock } from '../shared/clock.ts';
import { ValidationError } from '../shared/errors.ts';

/**
 * The few numeric settings of the jobs and their maintenance, stored in the `kv` table (absent = default), so an
 * administrator can change them without a deploy and every process reads the same values.
 */
export const JOB_SETTING_DEFAULTS = {
  /** API Log Cleanup: API log entries older than this are deleted. */
  'jobs.api_log_retention_days': 30,
  /** API Log Cleanup: done tasks older than this (since they finished) are deleted. */
  'jobs.done_task_retention_days': 7,
  /** API Log Cleanup: dead tasks (dead letters) are kept longer, for investigation. */
  'jobs.dead_task_retention_days': 30,
  /** API Log Cleanup: job runs older than this are deleted. */
  'jobs.run_retention_days': 30,
  /**
   * The window of Poleepo's rate limit on the batch results endpoint (5 requests per window). Poll Product Batches
   * cannot be scheduled more often than this. The products module will replace it by a per-connection value.
   */
  'products.batch_poll_window_ms': 600_000,
} as const;

export type JobSettingKey = keyof typeof JOB_SETTING_DEFAULTS;

export class JobSettings {
  constructor(private readonly db: Db, private readonly clock: Clock) {}

  async get(key: JobSettingKey): Promise<number> {
    const row = await this.db.kysely.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
    const value = row ? Number(row.value) : NaN;
    return Number.isFinite(value) && value > 0 ? value : JOB_SETTING_DEFAULTS[key];
  }

  async set(key: JobSettingKey, value: number): Promise<void> {
    if (!(key in JOB_SETTING_DEFAULTS)) throw new ValidationError(`Unknown setting "${key}"`);
    if (!Number.isFinite(value) || value <= 0) throw new ValidationError(`${key} must be a positive number (got ${value})`);
    const now = this.clock.now();
    await this.db.kysely.insertInto('kv').values({ key, value: String(value), updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(value), updated_at: now })).execute();
  }
}
