/**
 * Scheduler: the loop that turns schedules into runs, driven by the injected clock.
 *
 *   const scheduler = new Scheduler({ jobs: ctx.jobs, clock: ctx.clock, logger: ctx.logger });
 *   scheduler.start();
 *   …
 *   await scheduler.stop();
 *
 * Each pass calls `jobs.tick()` (which claims due ticks once cluster-wide, see jobs.service.ts), then sleeps until
 * the next tick is due, but at most `maxSleepMs` (15 s), so schedule changes made by another process or the CLI
 * (enable, disable, set-interval) are seen promptly. Run it in every worker process: two schedulers never queue the
 * same tick twice. It only queues runs; workers execute them (lane `jobs`).
 */
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { silentLogger } from '../shared/logger.ts';
import type { JobService, TickOutcome } from './jobs.service.ts';

export interface SchedulerOptions {
  jobs: JobService;
  clock: Clock;
  logger?: Logger;
  maxSleepMs?: number;
}

export class Scheduler {
  private readonly jobs: JobService;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxSleepMs: number;
  private readonly listeners = new Set<(outcomes: TickOutcome[]) => void>();
  private loop: Promise<void> | null = null;
  private abort: AbortController | null = null;

  constructor(options: SchedulerOptions) {
    this.jobs = options.jobs;
    this.clock = options.clock;
    this.logger = (options.logger ?? silentLogger).child({ component: 'scheduler' });
    this.maxSleepMs = options.maxSleepMs ?? 15_000;
  }

  start(): void {
    if (this.loop) throw new Error('Scheduler already started');
    this.abort = new AbortController();
    this.loop = this.runLoop(this.abort.signal);
  }

  /** Stops the loop (a pass in progress finishes first: a claimed tick is always enqueued). */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.abort!.abort();
    await this.loop;
    this.loop = null;
  }

  /** One pass, outside the loop (tests, diagnostics). */
  async runOnce(): Promise<TickOutcome[]> {
    return (await this.jobs.tick()).outcomes;
  }

  /** Observers of every pass of the loop. */
  onPass(listener: (outcomes: TickOutcome[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async runLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const passStartedAt = this.clock.now();
      let wakeAt = passStartedAt + this.maxSleepMs;
      try {
        const { outcomes, nextDueAt } = await this.jobs.tick();
        if (nextDueAt !== null) wakeAt = Math.min(wakeAt, nextDueAt);
        for (const l of this.listeners) l(outcomes);
      } catch (error) {
        this.logger.error({ err: error }, 'scheduler pass failed; trying again shortly');
      }
      // Measured from the pass's start: if the clock moved during the pass, the next one starts without waiting.
      const wait = wakeAt - this.clock.now();
      if (wait > 0) await this.clock.sleep(wait, signal);
    }
  }
}
