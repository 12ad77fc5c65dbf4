/**
 * Service times: how long a real Odoo would take to answer, so benchmarks against the emulator mean something.
 * A call costs `perCallMs` plus a per-record cost for what it read; the emulator waits until that much time has
 * passed since the call started (on its clock) and adds the modelled time to its statistics. `workers` limits how
 * many calls are served at once (a single Odoo worker serves one call at a time).
 *
 * The calibrated preset follows the read costs measured on a real Odoo 18.0 (2 cores, one worker; 20,001 templates,
 * 51,001 variants, 25,500 stocked variants; issue 18, docs/odoo-api.md §D), solved per call and per record:
 *   - variants with the export fields, pages of 2,000 (26 calls): 13.8 s without stock fields → 14 ms per search_read
 *     + 0.2634 ms per variant; 18.7 s with `qty_available` → the computed stock fields add 0.0961 ms per variant;
 *   - templates: 0.88 s for one search_read of all, 2.45 s read by ids 400 at a time (51 calls) → 0.0433 ms per
 *     template, and a `read` by ids costs 31.06 ms per call (Odoo's prefetch and access checks per call, not per record);
 *   - template attribute values read by ids, 400 per call (84 calls): 3.95 s → 0.0399 ms each beyond the read's 31.06 ms;
 *   - stock.quant read_group by product, one call over 25,500 quants: 3.9 s → 0.1524 ms per quant aggregated;
 *   - the incremental probe (search_count on write_date, no hit): 45 ms;
 *   - other records 0.08 ms; a PDF report rendered by wkhtmltopdf (an invoice from a server action) ≈ 3.9 s
 *     (odoo-invoice-pdf.md: 3.9 s on 18, 3.4 s on 17, 3.3 s on 19, 2 cores).
 * bench/odoo-read.bench.ts replays the measured calls against the emulator and holds each within 10 % of the table.
 */
export interface ServiceTimeOptions {
  perCallMs: number;
  /** Cost per call of some methods instead of perCallMs, by `model.method` or `method` (e.g. `read` by ids). */
  perMethodCallMs?: Record<string, number>;
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
  perMethodCallMs: { read: 31.06, search_count: 45 },
  perRecordMs: { 'product.product': 0.2634, 'product.template': 0.0433, 'product.template.attribute.value': 0.0399, '*': 0.08 },
  stockFieldsMs: 0.0961,
  perGroupedRecordMs: 0.1524,
  reportRenderMs: 3900,
  workers: 1,
};

export function resolveServiceTime(option: ServiceTimeOptions | 'calibrated' | 'none' | undefined): ServiceTimeOptions {
  if (option === 'calibrated') return { ...CALIBRATED_SERVICE_TIME, perRecordMs: { ...CALIBRATED_SERVICE_TIME.perRecordMs }, perMethodCallMs: { ...CALIBRATED_SERVICE_TIME.perMethodCallMs } };
  if (!option || option === 'none') return { ...NO_SERVICE_TIME, perRecordMs: { ...NO_SERVICE_TIME.perRecordMs } };
  return { ...option, perRecordMs: { '*': 0, ...option.perRecordMs } };
}

export interface CallCost {
  model?: string;
  method?: string;
  recordsRead: number;
  stockFieldsRead: boolean;
  groupedRecords: number;
  /** PDF reports the call rendered. */
  reportsRendered?: number;
}

export function modelledMs(opts: ServiceTimeOptions, cost: CallCost): number {
  const per = cost.model ? opts.perRecordMs[cost.model] ?? opts.perRecordMs['*'] ?? 0 : 0;
  const methods = opts.perMethodCallMs ?? {};
  const perCall = (cost.method ? methods[`${cost.model}.${cost.method}`] ?? methods[cost.method] : undefined) ?? opts.perCallMs;
  let ms = perCall + per * cost.recordsRead + (opts.perGroupedRecordMs ?? 0) * cost.groupedRecords + (opts.reportRenderMs ?? 0) * (cost.reportsRendered ?? 0);
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
