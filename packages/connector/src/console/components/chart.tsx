import { formatNumber } from './numbers.ts';
import type { Ui } from './ui.ts';

const HOUR = 3_600_000;

/** Start of the hour of `ms` (whole-hour zones, i.e. every zone the console is used in, share hour boundaries with UTC). */
function hourStart(ms: number): number {
  return Math.floor(ms / HOUR) * HOUR;
}

/** The hour (0-23) of `ms` in a time zone. */
function hourIn(ms: number, timeZone: string): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hour12: false }).format(new Date(ms))) % 24;
}

/** The start of the first hour a chart of `hours` hours ending with the current one shows. */
export function firstHour(now: number, hours: number): number {
  return hourStart(now) - (hours - 1) * HOUR;
}

/** Counts per hour over the `hours` hours ending with the current one (oldest first). */
export function hourlyBuckets(times: number[], now: number, hours: number): { start: number; n: number }[] {
  const first = firstHour(now, hours);
  const buckets = Array.from({ length: hours }, (_, i) => ({ start: first + i * HOUR, n: 0 }));
  for (const t of times) {
    const i = Math.floor((t - first) / HOUR);
    const bucket = buckets[i];
    if (bucket) bucket.n += 1;
  }
  return buckets;
}

/**
 * Orders per hour as a bar chart drawn on the server (SVG, no script, no CDN): one bar per hour, a tick and the date
 * at each local midnight, the highest hour named. Presentation attributes only (the CSP forbids inline styles);
 * the bars' colour comes from console.css. The summary in `<title>`/`<desc>` is what a screen reader announces.
 */
export function HourlyChart({ ui, buckets, label }: { ui: Ui; buckets: { start: number; n: number }[]; label: string }) {
  const width = 720;
  const height = 150;
  const top = 14;
  const bottom = 22;
  const plot = height - top - bottom;
  const max = Math.max(1, ...buckets.map((b) => b.n));
  const step = width / buckets.length;
  const total = buckets.reduce((a, b) => a + b.n, 0);
  const peak = buckets.reduce((a, b) => (b.n > a.n ? b : a), buckets[0] ?? { start: 0, n: 0 });
  const day = new Intl.DateTimeFormat(ui.lang === 'it' ? 'it-IT' : 'en-GB', { timeZone: ui.timeZone, day: 'numeric', month: 'short' });
  const hour = new Intl.DateTimeFormat(ui.lang === 'it' ? 'it-IT' : 'en-GB', { timeZone: ui.timeZone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false });
  const summary = ui.t('dashboard.chart.summary', { total: formatNumber(total, ui), hours: buckets.length, max: formatNumber(peak.n, ui), at: peak.n > 0 ? hour.format(new Date(peak.start)) : '—' });
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="chart-title chart-desc" class="chart-svg" data-total={String(total)}>
        <title id="chart-title">{label}</title>
        <desc id="chart-desc">{summary}</desc>
        <line x1="0" y1={String(top + plot)} x2={String(width)} y2={String(top + plot)} class="chart-axis" />
        <text x="2" y="10" class="chart-max">{formatNumber(max, ui)}</text>
        {buckets.map((b, i) => {
          const h = (b.n / max) * plot;
          const midnight = hourIn(b.start, ui.timeZone) === 0;
          return (
            <g>
              {midnight && <line x1={String(i * step)} y1={String(top)} x2={String(i * step)} y2={String(top + plot + 4)} class="chart-day" />}
              {midnight && <text x={String(i * step + 3)} y={String(height - 6)} class="chart-label">{day.format(new Date(b.start))}</text>}
              {b.n > 0 && (
                <rect x={String(i * step + 0.5)} y={String(top + plot - h)} width={String(Math.max(1, step - 1))} height={String(h)} class="chart-bar">
                  <title>{`${hour.format(new Date(b.start))}: ${formatNumber(b.n, ui)}`}</title>
                </rect>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="muted">{summary}</figcaption>
    </figure>
  );
}
