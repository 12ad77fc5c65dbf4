export interface SandboxFault {
  id: number;
  /** An endpoint key (`orders.list`) or a path prefix (`/orders`); null = every Poleepo route. */
  endpoint: string | null;
  status: number | null;
  /** Requests still to be affected. */
  count: number;
  delayMs: number;
  malformed: boolean;
  drop: boolean;
  retryAfter: number;
  /**
   * A lost reply: the request is processed in full (created, status changed, webhooks sent) and only then is the
   * answer delayed, dropped, broken or replaced by `status`, so a client can be tested on "it succeeded on
   * Poleepo but I never heard".
   */
  after: boolean;
}

/**
 * Injected failures for Poleepo's routes (docs/poleepo-api.md §7): consumed by matching requests, in order. A fault
 * acts before the request is processed (nothing happens on "Poleepo") or, with `after`, once it has been.
 */
export class SandboxFaults {
  private faults: SandboxFault[] = [];
  private nextId = 1;

  /** Validates a control-API body; returns an error message or the fault. */
  add(body: Record<string, unknown>): SandboxFault | string {
    const { endpoint, status, count, delay_ms: delay, malformed, drop, retry_after: retryAfter, after } = body;
    if (endpoint !== undefined && (typeof endpoint !== 'string' || endpoint === '')) return 'endpoint must be an endpoint key or a path';
    if (status !== undefined && (!Number.isInteger(status) || (status as number) < 100 || (status as number) > 599)) return 'status must be an HTTP status code';
    if (count !== undefined && (!Number.isInteger(count) || (count as number) < 1)) return 'count must be a whole number ≥ 1';
    if (delay !== undefined && (typeof delay !== 'number' || delay < 0)) return 'delay_ms must be a number ≥ 0';
    if (malformed !== undefined && typeof malformed !== 'boolean') return 'malformed must be true or false';
    if (drop !== undefined && typeof drop !== 'boolean') return 'drop must be true or false';
    if (retryAfter !== undefined && (typeof retryAfter !== 'number' || retryAfter < 0)) return 'retry_after must be seconds ≥ 0';
    if (after !== undefined && typeof after !== 'boolean') return 'after must be true or false';
    if (status === undefined && delay === undefined && !malformed && !drop) return 'a fault needs status, delay_ms, malformed or drop';
    const fault: SandboxFault = {
      id: this.nextId++, endpoint: (endpoint as string | undefined) ?? null, status: (status as number | undefined) ?? null,
      count: (count as number | undefined) ?? 1, delayMs: (delay as number | undefined) ?? 0, malformed: malformed === true,
      drop: drop === true, retryAfter: (retryAfter as number | undefined) ?? 1, after: after === true,
    };
    this.faults.push(fault);
    return fault;
  }

  /** The first fault matching this request, its count spent by one. */
  take(key: string, path: string): SandboxFault | null {
    const fault = this.faults.find((f) => f.count > 0 && (f.endpoint === null || f.endpoint === key || (f.endpoint.startsWith('/') && path.startsWith(f.endpoint))));
    if (!fault) return null;
    fault.count--;
    if (fault.count === 0) this.faults = this.faults.filter((f) => f !== fault);
    return { ...fault };
  }

  clear(): number {
    const n = this.faults.length;
    this.faults = [];
    return n;
  }

  list(): SandboxFault[] {
    return this.faults.map((f) => ({ ...f }));
  }
}
