import type { Ui } from './ui.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: string, timeZone: string): Intl.DateTimeFormat {
  const key = `${lang}|${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    // The month as a word (2 mar 2026 / 2 Mar 2026): 02/03 reads as 3 February to an American eye.
    f = new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    formatters.set(key, f);
  }
  return f;
}

/** A stored UTC time shown in the user's time zone and language (`2 mar 2026, 10:02:00`). */
export function formatTime(ms: number, ui: Pick<Ui, 'lang' | 'timeZone'>): string {
  return formatter(ui.lang, ui.timeZone).format(new Date(ms));
}

/** 250 ms, 45 s, 10 min, 2 h, 1 d (2 h 30 min when not round). */
export function formatDuration(ms: number, ui: Pick<Ui, 't'>): string {
  const { t } = ui;
  if (ms < 1000) return `${Math.round(ms)} ${t('unit.ms')}`;
  const units: [number, string][] = [[86_400_000, 'unit.d'], [3_600_000, 'unit.h'], [60_000, 'unit.min'], [1000, 'unit.s']];
  const parts: string[] = [];
  let rest = Math.round(ms / 1000) * 1000;
  for (const [size, key] of units) {
    if (rest >= size && parts.length < 2) {
      const n = Math.floor(rest / size);
      parts.push(`${n} ${t(key)}`);
      rest -= n * size;
    }
  }
  return parts.join(' ');
}

/** Pretty-prints JSON text when it is JSON; otherwise returns it as is. */
export function prettyJson(text: string | null | undefined): string {
  if (!text) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Whole positive number from a query parameter, else the fallback. */
export function positiveInt(value: string | undefined, fallback: number): number {
  if (!value || !/^\d{1,9}$/.test(value)) return fallback;
  const n = Number(value);
  return n >= 1 ? n : fallback;
}
