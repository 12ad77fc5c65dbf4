/**
 * Service times: how long a real Odoo would take to answer, so benchmarks against the emulator mean something.
 * A call costs `perCallMs` plus a per-record cost for what it read; the emulator waits until that much time has
 * passed since the call started (on its clock) and adds the modelled time to its statistics. `workers` limits how
 * many calls are served at once (a single Odoo worker serves one call at a time).
 *
 * The calibrated preset follows odoo-api-research.md §D (Odoo 18, 2 cores, one worker): ≈ 14 ms per call
 * (the "no hit" incremental probe: 19 ms), ≈ 0.35 ms per variant read with stock fields, ≈ 0.22 ms without,
 * ≈ 0.12 ms per template, ≈ 0.13 ms per quant aggregated by read_group, ≈ 0.08 ms for other records; a PDF report
 * rendered by wkhtmltopdf (an invoice from a server action) ≈ 3.9 s (odoo-invoice-pdf.md: 3.9 s on 18, 3.4 s on 17,
 * 3.3 s on 19, 2 cores).
 */
export interface ServiceTimeOptions {
  perCallMs: number;
  /** Cost per record read, by model; `*` for the others. */
  perRecordMs: Record<string, number>;
  /** Extra cost per product.product record when stock fields are read. */
  stockFieldsMs?: number;
  /** Cost per record a read_group aggregates. */
  perGroupedRecordMs?: number;
  /** Cost per PDF report rendered (wkhtmltopdf). */
  reportRenderMs?: number;
  /** How many calls are served at once (undefined: no limit). */
  workers?: number;
}

export const NO_SERVICE_TIME: ServiceTimeOptions = { perCallMs: 0, perRecordMs: { '*': 0 } };

export const CALIBRATED_SERVICE_TIME: ServiceTimeOptions = {
  perCallMs: 14,
  perRecordMs: { 'product.product': 0.22, 'product.template': 0.12, 'product.template.attribute.value': 0.077, '*': 0.08 },
  stockFieldsMs: 0.13,
  perGroupedRecordMs: 0.13,
  reportRenderMs: 3900,
  workers: 1,
};

export function resolveServiceTime(option: ServiceTimeOptions | 'calibrated' | 'none' | undefined): ServiceTimeOptions {
  if (option === 'calibrated') return { ...CALIBRATED_SERVICE_TIME, perRecordMs: { ...CALIBRATED_SERVICE_TIME.perRecordMs } };
  if (!option || option === 'none') return { ...NO_SERVICE_TIME, perRecordMs: { ...NO_SERVICE_TIME.perRecordMs } };
  return { ...option, perRecordMs: { '*': 0, ...option.perRecordMs } };
}

export interface CallCost {
  model?: string;
  recordsRead: number;
  stockFieldsRead: boolean;
  groupedRecords: number;
  /** PDF reports the call rendered. */
  reportsRendered?: number;
}

export function modelledMs(opts: ServiceTimeOptions, cost: CallCost): number {
  const per = cost.model ? opts.perRecordMs[cost.model] ?? opts.perRecordMs['*'] ?? 0 : 0;
  let ms = opts.perCallMs + per * cost.recordsRead + (opts.perGroupedRecordMs ?? 0) * cost.groupedRecords + (opts.reportRenderMs ?? 0) * (cost.reportsRendered ?? 0);
  if (cost.stockFieldsRead && cost.model === 'product.product') ms += (opts.stockFieldsMs ?? 0) * cost.recordsRead;
  return ms;
}

/** A counting semaphore (one Odoo worker = 1). */
export class Workers {
  private active = 0;
  private waiting: (() => void)[] = [];

  constructor(private limit: number | undefined) {}

  setLimit(limit: number | undefined): void {
    this.limit = limit;
    while (this.waiting.length && (this.limit === undefined || this.active < this.limit)) {
      this.active++;
      this.waiting.shift()!();
    }
  }

  async acquire(): Promise<void> {
    if (this.limit === undefined || this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
