/**
 * The contract between each `bench/*.bench.ts` and the runner (bench/run.ts), which writes docs/benchmarks.md.
 *
 * A bench measures, prints what it likes, and calls `reportSection()` once per section it contributes (a bench may
 * contribute several). The runner starts every bench with BENCH_RESULTS_DIR set; `reportSection()` writes the section
 * there as `<bench>--<id>.json`, and the runner collects them all into one report: the machine, the date, and each
 * figure beside the bar it is held against and the physical limit it cannot beat (Odoo's service time, bare HTTP).
 * Run alone (no BENCH_RESULTS_DIR), a bench still prints its figures and the section's table to stdout.
 *
 * `isQuick()` says the run is `npm run bench -- --quick` (BENCH_QUICK=1): a bench then runs a reduced version, so the
 * whole quick run stays under 3 minutes; the report says which sections were quick.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** How a figure is held against its bar: `value op bar.value` must be true for the bar to be met. */
export type BarOp = '<' | '<=' | '>' | '>=';

export interface BenchBar {
  op: BarOp;
  value: number;
  /** Where the bar comes from, when not obvious (e.g. "issue 18", "DESIGN §6"). */
  source?: string;
}

/** What the connector cannot beat on this machine (the same figure measured without the connector, or Odoo's modelled time). */
export interface BenchLimit {
  /** e.g. "bare 200 endpoint, same HTTP stack", "Odoo service time (calibrated emulator)". */
  label: string;
  value: number;
  unit: string;
}

export interface BenchFigure {
  /** Stable key within the section, e.g. "intake-rate". */
  id: string;
  /** What was measured, for a reader: "Webhook intake, durable acknowledgements". */
  label: string;
  value: number;
  unit: string;
  bar?: BenchBar;
  limit?: BenchLimit;
  /**
   * How close the figure is to its limit, as the bench defines it (e.g. intake / bare = 0.55, connector time / Odoo
   * time = 1.1); the runner prints it beside the limit. `ratioLabel` says which way round ("of bare", "× Odoo's").
   */
  ratio?: number;
  ratioLabel?: string;
  /** Set by `reportSection()` from the bar; absent without a bar. */
  met?: boolean;
  note?: string;
}

export interface BenchSection {
  /** Stable id of the section, unique within its bench: "webhook-intake". */
  id: string;
  title: string;
  /** How it was measured, in a sentence or two (sizes, processes, database). */
  setup: string;
  figures: BenchFigure[];
  /** Anything else worth reading beside the figures (one line each). */
  notes?: string[];
}

export interface BenchSectionResult extends BenchSection {
  /** The bench file it came from, e.g. "webhooks.bench.ts". */
  bench: string;
  quick: boolean;
  recordedAt: string;
}

export function isQuick(): boolean {
  return process.env.BENCH_QUICK === '1';
}

export function barMet(value: number, bar: BenchBar): boolean {
  if (!Number.isFinite(value)) return false;
  switch (bar.op) {
    case '<': return value < bar.value;
    case '<=': return value <= bar.value;
    case '>': return value > bar.value;
    case '>=': return value >= bar.value;
  }
}

/** Records one section of results for the report (and prints its table). `benchFile` is `import.meta.url` or a file name. */
export function reportSection(benchFile: string, section: BenchSection): BenchSectionResult {
  const bench = basename(benchFile.replace(/^file:\/\//, ''));
  const result: BenchSectionResult = {
    ...section,
    figures: section.figures.map((f) => (f.bar ? { ...f, met: barMet(f.value, f.bar) } : f)),
    bench,
    quick: isQuick(),
    recordedAt: new Date().toISOString(),
  };
  const dir = process.env.BENCH_RESULTS_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${bench.replace(/\.bench\.ts$/, '')}--${section.id}.json`), `${JSON.stringify(result, null, 2)}\n`);
  }
  console.log(`\n${sectionTable(result)}`);
  return result;
}

// ---------------------------------------------------------------- formatting, shared with the runner

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const digits = unit === '×' ? 2 : abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const n = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit === '×' ? `${n}×` : `${n} ${unit}`;
}

export function formatBar(figure: BenchFigure): string {
  if (!figure.bar) return '—';
  return `${figure.bar.op === '<=' ? '≤' : figure.bar.op === '>=' ? '≥' : figure.bar.op} ${formatValue(figure.bar.value, figure.unit)}${figure.bar.source ? ` (${figure.bar.source})` : ''}`;
}

export function formatLimit(figure: BenchFigure): string {
  if (!figure.limit) return '—';
  const ratio = figure.ratio === undefined ? '' : `; ${formatValue(figure.ratio, '×')}${figure.ratioLabel ? ` ${figure.ratioLabel}` : ''}`;
  return `${figure.limit.label}: ${formatValue(figure.limit.value, figure.limit.unit)}${ratio}`;
}

export function formatMet(figure: BenchFigure): string {
  return figure.met === undefined ? '' : figure.met ? 'met' : '**MISSED**';
}

/** A section as Markdown: title, setup, a table of figures (measured, bar, met, physical limit), notes. */
export function sectionTable(section: BenchSectionResult): string {
  const rows = section.figures.map((f) => `| ${f.label}${f.note ? ` (${f.note})` : ''} | ${formatValue(f.value, f.unit)} | ${formatBar(f)} | ${formatMet(f)} | ${formatLimit(f)} |`);
  return [
    `### ${section.title}${section.quick ? ' (quick run)' : ''}`,
    '',
    section.setup,
    '',
    ...(rows.length ? ['| Figure | Measured | Bar | | Physical limit (and how close) |', '|---|---|---|---|---|', ...rows] : []),
    ...(section.notes?.length ? ['', ...section.notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
}
