import type { Clock } from '../shared/clock.ts';

export interface OdooLimits {
  /** Calls in flight at once to this Odoo (one Odoo worker serves one call at a time; 2 keeps it busy). */
  maxConcurrent: number;
  /** Optional fair-use pace for Odoo Online: at most this many call starts per second. */
  requestsPerSecond?: number | null;
}

/**
 * In-process limiter per Odoo connection: a counting semaphore plus an optional minimum spacing between call starts
 * (on the injected clock). Waiters are served first come, first served.
 */
export class OdooLimiter {
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private nextStartAt = 0;
  private paceChain: Promise<void> = Promise.resolve();

  constructor(private readonly clock: Clock, readonly limits: OdooLimits) {
    if (!(limits.maxConcurrent >= 1)) throw new RangeError('maxConcurrent must be at least 1');
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      await this.pace();
      return await fn();
    } finally {
      this.release();
    }
  }

  /** Calls running now (for metrics and tests). */
  get active(): number {
    return this.inFlight;
  }

  get queued(): number {
    return this.waiters.length;
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.limits.maxConcurrent) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(() => {
      this.inFlight++;
      resolve();
    }));
  }

  private release(): void {
    this.inFlight--;
    this.waiters.shift()?.();
  }

  /** Spaces call starts by 1/rps; chained so concurrent callers take consecutive slots. */
  private pace(): Promise<void> {
    const rps = this.limits.requestsPerSecond;
    if (!rps || rps <= 0) return Promise.resolve();
    const interval = 1000 / rps;
    const slot = this.paceChain.then(async () => {
      const now = this.clock.now();
      const wait = Math.max(0, this.nextStartAt - now);
      this.nextStartAt = Math.max(now, this.nextStartAt) + interval;
      if (wait > 0) await this.clock.sleep(wait);
    });
    this.paceChain = slot.catch(() => undefined);
    return slot;
  }
}
