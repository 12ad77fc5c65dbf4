import type { ApiCall } from '../apilog/apilog.recorder.ts';

type Labels = Record<string, string | number>;

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function labelKey(labels: Labels): string {
  return Object.keys(labels).sort().map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
}

class Counter {
  readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) out.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return out;
  }
}

class Histogram {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets = DURATION_BUCKETS) {}
  observe(labels: Labels, value: number): void {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    const counts = s.counts;
    this.buckets.forEach((bound, i) => {
      if (value <= bound) counts[i] = (counts[i] ?? 0) + 1;
    });
    s.sum += value;
    s.count++;
  }
  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const sep = k ? ',' : '';
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket{${k}${sep}le="${b}"} ${s.counts[i]}`));
      out.push(`${this.name}_bucket{${k}${sep}le="+Inf"} ${s.count}`);
      out.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      out.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return out;
  }
}

export interface GaugeSample {
  labels: Labels;
  value: number;
}

/** A gauge whose samples are read at scrape time (e.g. tasks by status and lane, from the database). */
export interface GaugeCollector {
  name: string;
  help: string;
  collect(): Promise<GaugeSample[]>;
}

/** A gauge of counts keyed by one label (`poleepo_odoo_orders{state}`…), read from the database at scrape time. */
export function countsGauge(name: string, help: string, label: string, read: () => Promise<Record<string, number>>): GaugeCollector {
  return { name, help, collect: async () => Object.entries(await read()).map(([key, value]) => ({ labels: { [label]: key }, value })) };
}

/** Prometheus metrics of this process, rendered in the text exposition format at /metrics. */
export class Metrics {
  readonly httpRequests = new Counter('poleepo_odoo_http_requests_total', 'Inbound HTTP requests by route and status');
  readonly httpDuration = new Histogram('poleepo_odoo_http_request_duration_seconds', 'Inbound HTTP request duration by route');
  readonly outboundCalls = new Counter('poleepo_odoo_outbound_calls_total', 'Outbound calls by system and status');
  readonly outboundDuration = new Histogram('poleepo_odoo_outbound_call_duration_seconds', 'Outbound call duration by system');
  readonly taskRuns = new Counter('poleepo_odoo_task_runs_total', 'Task executions by kind, lane and outcome');
  readonly taskDuration = new Histogram('poleepo_odoo_task_duration_seconds', 'Task execution duration by kind');
  readonly jobRuns = new Counter('poleepo_odoo_job_runs_total', 'Scheduled job runs by job and outcome');
  readonly jobFailures = new Counter('poleepo_odoo_job_failures_total', 'Scheduled job runs that failed, by job');
  readonly odooWait = new Histogram('poleepo_odoo_odoo_wait_seconds', 'Time Odoo calls waited for a slot of their connection\'s limiter (in this process), by connection and priority (interactive, bulk)', [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  private readonly collectors: GaugeCollector[] = [];

  addCollector(collector: GaugeCollector): void {
    this.collectors.push(collector);
  }

  observeHttp(route: string, method: string, status: number, seconds: number): void {
    this.httpRequests.inc({ route, method, status });
    this.httpDuration.observe({ route, method }, seconds);
  }

  observeApiCall(call: ApiCall): void {
    if (call.direction !== 'outbound') return;
    this.outboundCalls.inc({ system: call.system, status: call.status ?? 'error' });
    this.outboundDuration.observe({ system: call.system }, call.durationMs / 1000);
  }

  async render(): Promise<string> {
    const lines: string[] = [];
    for (const m of [this.httpRequests, this.httpDuration, this.outboundCalls, this.outboundDuration, this.taskRuns, this.taskDuration, this.jobRuns, this.jobFailures, this.odooWait]) {
      lines.push(...m.render());
    }
    for (const c of this.collectors) {
      lines.push(`# HELP ${c.name} ${c.help}`, `# TYPE ${c.name} gauge`);
      try {
        for (const s of await c.collect()) {
          const k = labelKey(s.labels);
          lines.push(`${c.name}${k ? `{${k}}` : ''} ${s.value}`);
        }
      } catch {
        // A failing collector must not break the scrape; its absence is visible.
      }
    }
    return lines.join('\n') + '\n';
  }
}
