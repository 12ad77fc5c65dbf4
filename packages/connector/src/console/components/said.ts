import { backendMessage } from '../i18n/backend.ts';
import type { Ui } from './ui.ts';

/** A message the backend wrote (a reason, problem or warning), in the reader's language (see i18n/backend.ts). */
export function said(ui: Pick<Ui, 'lang'>, text: string | null | undefined): string {
  return text ? backendMessage(text, ui.lang) : '';
}
