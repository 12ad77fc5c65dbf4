import type { Flash } from '../console.flash.ts';
import type { Translator } from '../i18n/i18n.ts';

export function FlashMessage({ flash, t }: { flash: Flash; t: Translator }) {
  return <p class={`flash flash-${flash.kind}`}>{t(flash.key, flash.params)}</p>;
}

/** An inline message (e.g. a form's error) in the same style. */
export function Notice({ kind, children }: { kind: Flash['kind']; children?: unknown }) {
  return <p class={`flash flash-${kind}`} role={kind === 'error' ? 'alert' : undefined}>{children as never}</p>;
}
