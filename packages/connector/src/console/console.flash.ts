import type { Context } from 'hono';
import type { Params } from './i18n/i18n.ts';
import type { ConsoleCookies } from './console.cookies.ts';

/** A one-time message shown on the next page (Post/Redirect/Get); the text is an i18n key, never raw HTML. */
export interface Flash {
  kind: 'success' | 'error' | 'info';
  key: string;
  params?: Params;
}

export function writeFlash(c: Context, cookies: ConsoleCookies, flash: Flash): void {
  cookies.set(c, cookies.flash, Buffer.from(JSON.stringify(flash)).toString('base64url'), 120);
}

/** Reads and clears the flash cookie; anything malformed is ignored. */
export function takeFlash(c: Context, cookies: ConsoleCookies): Flash | null {
  const raw = cookies.get(c, cookies.flash);
  if (!raw) return null;
  cookies.clear(c, cookies.flash);
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Flash;
    if (!['success', 'error', 'info'].includes(value.kind) || typeof value.key !== 'string') return null;
    const params: Params = {};
    for (const [k, v] of Object.entries(value.params ?? {})) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
    return { kind: value.kind, key: value.key, params };
  } catch {
    return null;
  }
}
