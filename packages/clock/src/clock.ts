/** Time is injected everywhere so tests can drive windows, intervals and backoff without sleeping. */
export interface Clock {
  /** Milliseconds since the epoch (UTC). */
  now(): number;
  /** Resolves after `ms` of this clock's time (a controlled clock resolves when advanced past it). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        signal?.removeEventListener('abort', done);
        clearTimeout(timer);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** A clock that only moves when told to; sleepers wake when the time they wait for is reached. */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: { until: number; resolve: () => void }[] = [];

  /** Every sleep so far, in order (tests assert backoff schedules on it). */
  readonly slept: number[] = [];

  /**
   * @param autoAdvance when true, `sleep(ms)` moves the clock forward by `ms` at once: code that waits (backoff,
   * Retry-After) runs straight through while the waits it asked for are recorded.
   */
  constructor(start: number | string = Date.UTC(2026, 0, 1), private readonly autoAdvance = false) {
    this.current = typeof start === 'string' ? Date.parse(start) : start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms > 0) this.slept.push(ms);
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    if (this.autoAdvance) {
      this.advance(ms);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const entry = { until: this.current + ms, resolve };
      this.sleepers.push(entry);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((s) => s !== entry);
        resolve();
      }, { once: true });
    });
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }

  set(time: number): void {
    this.current = time;
    const due = this.sleepers.filter((s) => s.until <= time);
    this.sleepers = this.sleepers.filter((s) => s.until > time);
    for (const s of due) s.resolve();
  }
}
