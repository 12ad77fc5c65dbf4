import type { Ui } from './ui.ts';

/**
 * Numbers for people, in their language (`1.234,56 €` in Italian, `€1,234.56` in English). Grouping is forced:
 * Italian leaves four-digit numbers ungrouped by default (1234,56), which reads like a different amount in a price
 * column beside grouped ones.
 */
const cache = new Map<string, Intl.NumberFormat>();

function locale(ui: Pick<Ui, 'lang'>): string {
  return ui.lang === 'it' ? 'it-IT' : 'en-GB';
}

function formatter(key: string, lang: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(lang, { useGrouping: 'always', ...options } as Intl.NumberFormatOptions);
    cache.set(key, f);
  }
  return f;
}

/** A plain number with at most `maxDigits` decimals (weights 3, centimetres 1). */
export function formatNumber(value: number, ui: Pick<Ui, 'lang'>, maxDigits = 2): string {
  const lang = locale(ui);
  return formatter(`n|${lang}|${maxDigits}`, lang, { maximumFractionDigits: maxDigits }).format(value);
}

/** An amount in its currency; an unknown or missing currency code is shown as a number followed by the code. */
export function formatMoney(value: number, currency: string | null | undefined, ui: Pick<Ui, 'lang'>): string {
  const lang = locale(ui);
  const code = (currency ?? 'EUR').trim().toUpperCase();
  if (/^[A-Z]{3}$/.test(code)) {
    try {
      return formatter(`m|${lang}|${code}`, lang, { style: 'currency', currency: code }).format(value);
    } catch {
      // A code Intl does not know: fall through to number + code.
    }
  }
  return `${formatter(`m2|${lang}`, lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value)} ${code}`;
}

/** Kilograms: `12,5 kg`. */
export function formatKg(value: number | null | undefined, ui: Pick<Ui, 'lang'>): string {
  return value === null || value === undefined ? '—' : `${formatNumber(value, ui, 3)} kg`;
}

/** Dimensions in centimetres, `36,2 × 37,4 × 56,2 cm`; a missing side is `?`, none at all is `—`. */
export function formatDimensionsCm(values: (number | null | undefined)[], ui: Pick<Ui, 'lang'>): string {
  if (values.every((v) => v === null || v === undefined)) return '—';
  return `${values.map((v) => (v === null || v === undefined ? '?' : formatNumber(v, ui, 1))).join(' × ')} cm`;
}
