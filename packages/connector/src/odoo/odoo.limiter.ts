import { AsyncLocalStorage } from 'node:async_hooks';
import { systemClock, type Clock } from '../shared/clock.ts';

export interface OdooLimits {
  /** Calls in flight at once to this Odoo (one Odoo worker serves one call at a time; 2 keeps it busy). */
  maxConcurrent: number;
  /** Optional fair-use pace for Odoo Online: at most this many call starts per second. */
  requestsPerSecond?: number | null;
}

/**
 * `interactive`: someone or something waits for the answer (an order import, a shipment, the console) — the default.
 * `bulk`: background volume (the product export's page reads and write-backs), which must never hold the others up.
 */
export type OdooPriority = 'interactive' | 'bulk';

export interface OdooLimiterOptions {
  /**
   * After an interactive call ends, bulk calls wait this long before starting (default 250 ms): the calls of one order
   * import come one after another with a little work between them, and an Odoo worker serves one call at a time — a
   * page read slipped into that gap would make the order's next call wait for the whole page.
   */
  interactiveHoldMs?: number;
  /** A bulk call never waits longer than this for interactive work to pause (default 2 s): the export always advances. */
  maxBulkWaitMs?: number;
  /** Told how long each call waited for its turn (the `poleepo_odoo_odoo_wait_seconds` metric). */
  onWait?(priority: OdooPriority, waitedMs: number): void;
  /**
   * The clock of the hold, the bulk wait limit and the measured waits. Real time by default, whatever clock the rest of
   * the process runs on: like an HTTP timeout, they are about how fast Odoo's own queue moves, not business time (a
   * test on a ManualClock that never advances must not see an export stall behind a hold). Unit tests inject one.
   */
  schedulingClock?: Clock;
}

const scope = new AsyncLocalStorage<OdooPriority>();

/**
 * Runs `fn` with every Odoo call made inside it (however deep, through any client of any connection) at `priority`,
 * unless a call names its own. The product export runs inside `withOdooPriority('bulk', …)`.
 */
export function withOdooPriority<T>(priority: OdooPriority, fn: () => T): T {
  return scope.run(priority, fn);
}

/** The priority of the surrounding `withOdooPriority`, if any. */
export function currentOdooPriority(): OdooPriority | undefined {
  return scope.getStore();
}

interface Waiter {
  priority: OdooPriority;
  since: number;
  start: () => void;
}

/**
 * In-process limiter per Odoo connection: a counting semaphore with two priorities, plus an optional minimum spacing
 * between call starts (on the injected clock).
 * - Interactive calls go first, first come first served, and may use every slot.
 * - Bulk calls keep one slot free for interactive ones (they use at most `maxConcurrent − 1`, when that is at least
 *   1), and do not start while interactive calls are running or waiting, nor within `interactiveHoldMs` after the
 *   last one ended — unless they have waited `maxBulkWaitMs` already.
 * - A waiting call whose signal is aborted leaves the queue at once with the signal's reason.
 * So a full export's page reads never queue ahead of an order import, here or in Odoo's own queue.
 */
export class OdooLimiter {
  private inFlight = 0;
  private interactiveInFlight = 0;
  private bulkInFlight = 0;
  private readonly waiters: Waiter[] = [];
  private holdUntil = 0;
  private lastInteractiveAt = Number.NEGATIVE_INFINITY;
  private timer: { at: number; cancel: AbortController } | null = null;
  private nextStartAt = 0;
  private paceChain: Promise<void> = Promise.resolve();
  private readonly holdMs: number;
  private readonly maxBulkWaitMs: number;
  /** Hold, bulk wait limit, measured waits (see schedulingClock). The pace runs on `clock`. */
  private readonly sched: Clock;

  constructor(private readonly clock: Clock, readonly limits: OdooLimits, private readonly options: OdooLimiterOptions = {}) {
    if (!(limits.maxConcurrent >= 1)) throw new RangeError('maxConcurrent must be at least 1');
    this.holdMs = options.interactiveHoldMs ?? 250;
    this.maxBulkWaitMs = options.maxBulkWaitMs ?? 2_000;
    this.sched = options.schedulingClock ?? systemClock;
  }

  async run<T>(fn: () => Promise<T>, opts: { priority?: OdooPriority; signal?: AbortSignal } = {}): Promise<T> {
    const priority = opts.priority ?? currentOdooPriority() ?? 'interactive';
    const since = this.sched.now();
    await this.acquire(priority, opts.signal);
    try {
      await this.pace(opts.signal);
      this.options.onWait?.(priority, this.sched.now() - since);
      return await fn();
    } finally {
      this.release(priority);
    }
  }

  /** Calls running now (for metrics and tests). */
  get active(): number {
    return this.inFlight;
  }

  get queued(): number {
    return this.waiters.length;
  }

  /**
   * Whether interactive calls are running or waiting now, or ended less than `ms` ago (on the scheduling clock): bulk
   * work then keeps its calls short (an Odoo worker serves one call at a time, and an order's call that arrives behind a
   * page read waits for all of it).
   */
  interactiveWithin(ms: number): boolean {
    if (this.interactiveInFlight > 0 || this.waiters.some((w) => w.priority === 'interactive')) return true;
    return this.sched.now() - this.lastInteractiveAt < ms;
  }

  /** Calls waiting, by priority (tests, metrics). */
  queuedOf(priority: OdooPriority): number {
    return this.waiters.filter((w) => w.priority === priority).length;
  }

  private get bulkSlots(): number {
    return Math.max(1, this.limits.maxConcurrent - 1);
  }

  private acquire(priority: OdooPriority, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { priority, since: this.sched.now(), start: () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      } };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i < 0) return;
        this.waiters.splice(i, 1);
        reject(signal!.reason);
        // An interactive waiter gone may let bulk calls start.
        this.dispatch();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.dispatch();
    });
  }

  private release(priority: OdooPriority): void {
    this.inFlight--;
    if (priority === 'interactive') {
      this.interactiveInFlight--;
      this.lastInteractiveAt = this.sched.now();
      this.holdUntil = Math.max(this.holdUntil, this.lastInteractiveAt + this.holdMs);
    } else this.bulkInFlight--;
    this.dispatch();
  }

  /** Starts whatever may start now; arranges to look again when a hold or a bulk wait runs out. */
  private dispatch(): void {
    // Interactive first, in arrival order.
    for (let i = 0; i < this.waiters.length && this.inFlight < this.limits.maxConcurrent;) {
      const w = this.waiters[i];
      if (!w) break; // i < length, checked by the loop
      if (w.priority !== 'interactive') {
        i++;
        continue;
      }
      this.waiters.splice(i, 1);
      this.inFlight++;
      this.interactiveInFlight++;
      w.start();
    }
    const now = this.sched.now();
    const interactiveBusy = this.interactiveInFlight > 0 || this.waiters.some((w) => w.priority === 'interactive');
    let nextLook = Infinity;
    for (let i = 0; i < this.waiters.length && this.inFlight < this.limits.maxConcurrent && this.bulkInFlight < this.bulkSlots;) {
      const w = this.waiters[i];
      if (!w) break; // i < length, checked by the loop
      if (w.priority !== 'bulk') {
        i++;
        continue;
      }
      const overdue = now - w.since >= this.maxBulkWaitMs;
      if (!overdue && (interactiveBusy || now < this.holdUntil)) {
        // Held back: look again when the hold ends (interactive calls ending call dispatch themselves) or when this
        // waiter (the oldest bulk one) has waited its maximum.
        nextLook = Math.min(w.since + this.maxBulkWaitMs, interactiveBusy ? Infinity : this.holdUntil);
        break;
      }
      this.waiters.splice(i, 1);
      this.inFlight++;
      this.bulkInFlight++;
      w.start();
    }
    this.lookAgainAt(nextLook);
  }

  /** One timer on the injected clock, at the earliest time a held bulk call may start. */
  private lookAgainAt(at: number): void {
    if (this.timer && this.timer.at <= at && Number.isFinite(at)) return;
    this.timer?.cancel.abort();
    this.timer = null;
    if (!Number.isFinite(at)) return;
    const timer = { at, cancel: new AbortController() };
    this.timer = timer;
    void this.sched.sleep(Math.max(0, at - this.sched.now()), timer.cancel.signal).then(() => {
      if (timer.cancel.signal.aborted) return;
      if (this.timer === timer) this.timer = null;
      this.dispatch();
    });
  }

  /** Spaces call starts by 1/rps; chained so concurrent callers take consecutive slots. */
  private pace(signal?: AbortSignal): Promise<void> {
    const rps = this.limits.requestsPerSecond;
    if (!rps || rps <= 0) return Promise.resolve();
    const interval = 1000 / rps;
    const slot = this.paceChain.then(async () => {
      const now = this.clock.now();
      const wait = Math.max(0, this.nextStartAt - now);
      this.nextStartAt = Math.max(now, this.nextStartAt) + interval;
      if (wait > 0) await this.clock.sleep(wait, signal);
      signal?.throwIfAborted();
    });
    this.paceChain = slot.catch(() => undefined);
    return slot;
  }
}
