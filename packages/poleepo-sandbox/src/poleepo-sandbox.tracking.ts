import type { Clock } from '@poleepo-odoo/clock';
import type { SandboxShippings, ShippingRec, ShippingStatus } from './poleepo-sandbox.shippings.ts';
import type { PoleepoSandboxKnobs } from './poleepo-sandbox.types.ts';

/** The carrier's next scan after each status (docs/poleepo-api.md §4.7); other statuses stay until told. */
const NEXT: Partial<Record<ShippingStatus, ShippingStatus>> = { HANDED_TO_CARRIER: 'IN_TRANSIT', IN_TRANSIT: 'DELIVERED' };

interface Step {
  shippingId: number;
  from: ShippingStatus;
  to: ShippingStatus;
  at: number;
}

/**
 * The carrier's tracking for demos (knob `shippingProgressMs`, 0 = off): a shipping handed to the carrier moves to
 * IN_TRANSIT and then to DELIVERED, each step that many ms (sandbox clock) after the previous status. Steps go
 * through `setStatus` as the control API's do, so they send STATUS_SHIPMENT. A step is dropped when the shipping has
 * meanwhile moved elsewhere (an EXCEPTION set by a test, a cancel): the carrier scans what it really has.
 */
export class SandboxTracking {
  private steps: Step[] = [];
  private readonly stopper = new AbortController();

  constructor(private readonly clock: Clock, private readonly knobs: PoleepoSandboxKnobs, private readonly shippings: SandboxShippings) {}

  /** Every status change: the knob as it is now decides whether (and when) the carrier takes the next step. */
  changed(s: ShippingRec): void {
    this.steps = this.steps.filter((x) => x.shippingId !== s.id);
    const to = NEXT[s.status];
    const ms = this.knobs.shippingProgressMs;
    if (!to || !(ms > 0)) return;
    const step = { shippingId: s.id, from: s.status, to, at: s.updated_at + ms };
    this.steps.push(step);
    const wait = step.at - this.clock.now();
    // Woken by the clock (a controlled clock wakes us when advanced past it); a due step is also run before any request.
    if (wait > 0) void this.clock.sleep(wait, this.stopper.signal).then(() => this.run(this.clock.now()));
  }

  /** Applies every step due by `now`, oldest first; each is dated when it was due, so the next one follows from there. */
  run(now: number): void {
    while (!this.stopper.signal.aborted) {
      const step = this.steps.filter((x) => x.at <= now).sort((a, b) => a.at - b.at)[0];
      if (!step) return;
      this.steps = this.steps.filter((x) => x !== step);
      const s = this.shippings.shippings.get(step.shippingId);
      if (s?.status === step.from) this.shippings.setStatus(s.id, step.to, false, step.at);
    }
  }

  pending(): number {
    return this.steps.length;
  }

  stop(): void {
    this.stopper.abort();
  }
}
