import type { Translator } from '../i18n/i18n.ts';

export type Tone = 'ok' | 'warn' | 'error' | 'info' | 'muted';

/** A status badge: colour for the eye, the word itself for everyone (colour is never the only signal). */
export function Badge({ tone, children }: { tone: Tone; children?: unknown }) {
  return <span class={`badge badge-${tone}`}>{children as never}</span>;
}

const TONES: Record<string, Tone> = {
  // tasks
  pending: 'info', running: 'warn', done: 'ok', dead: 'error',
  // job runs
  queued: 'info', failed: 'error', not_configured: 'muted', skipped: 'muted',
  // webhook queue (In Attesa / Completato / Fallito), batches
  completed: 'ok', error: 'error', draft: 'muted', sent: 'info',
  // generic
  active: 'ok', inactive: 'muted', enabled: 'ok', disabled: 'muted',
};

/**
 * A badge for a status of a given kind, labelled from the dictionary (`status.<kind>.<status>`), e.g.
 * `<StatusBadge kind="webhookQueue" status="pending" />` → "In Attesa".
 */
export function StatusBadge({ t, kind, status }: { t: Translator; kind: string; status: string }) {
  const key = `status.${kind}.${status}`;
  return <Badge tone={TONES[status] ?? 'muted'}>{t.has(key) ? t(key) : status}</Badge>;
}

/** HTTP status code as a badge. */
export function HttpStatusBadge({ status, t }: { status: number | null; t: Translator }) {
  if (status === null) return <Badge tone="error">{t('apilog.noResponse')}</Badge>;
  const tone: Tone = status >= 500 ? 'error' : status >= 400 ? 'warn' : status >= 300 ? 'info' : 'ok';
  return <Badge tone={tone}>{String(status)}</Badge>;
}
