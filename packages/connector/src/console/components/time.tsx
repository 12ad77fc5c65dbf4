import { formatDuration, formatTime } from './format.ts';
import type { Ui } from './ui.ts';

/** A time in the console's zone, machine-readable and with the UTC instant on hover. */
export function Time({ ui, ms }: { ui: Ui; ms: number | null | undefined }) {
  if (ms === null || ms === undefined) return <span class="muted">—</span>;
  const iso = new Date(ms).toISOString();
  return <time datetime={iso} title={iso}>{formatTime(ms, ui)}</time>;
}

/** "in 5 min" / "5 min ago" beside a time. */
export function Relative({ ui, ms }: { ui: Ui; ms: number | null | undefined }) {
  if (ms === null || ms === undefined) return <></>;
  const delta = ms - ui.now;
  if (Math.abs(delta) < 1000) return <span class="muted">{ui.t('time.now')}</span>;
  const d = formatDuration(Math.abs(delta), ui);
  return <span class="muted">{delta > 0 ? ui.t('time.in', { d }) : ui.t('time.ago', { d })}</span>;
}

export function CodeBlock({ text, label }: { text: string; label: string }) {
  return (
    <figure class="code">
      <figcaption>{label}</figcaption>
      <pre tabindex={0}><code>{text}</code></pre>
    </figure>
  );
}
