import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';

/**
 * Cookie names and attributes. Always HttpOnly and SameSite=Lax; Secure (and the `__Host-` prefix on the session
 * cookie, which pins it to this host and path) when the console is served over https.
 */
export class ConsoleCookies {
  readonly session: string;
  readonly loginCsrf = 'poleepo_login_csrf';
  readonly flash = 'poleepo_flash';
  readonly lang = 'poleepo_lang';
  /** The language picked with the login page's links during this visit (a browser-session cookie), for the session the login opens. */
  readonly loginLang = 'poleepo_login_lang';

  constructor(readonly secure: boolean) {
    this.session = secure ? '__Host-poleepo_session' : 'poleepo_session';
  }

  options(maxAgeSeconds?: number): CookieOptions {
    return { path: '/', httpOnly: true, sameSite: 'Lax', secure: this.secure, ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}) };
  }

  get(c: Context, name: string): string | undefined {
    return getCookie(c, name);
  }

  set(c: Context, name: string, value: string, maxAgeSeconds?: number): void {
    setCookie(c, name, value, this.options(maxAgeSeconds));
  }

  clear(c: Context, name: string): void {
    deleteCookie(c, name, { path: '/', secure: this.secure, httpOnly: true, sameSite: 'Lax' });
  }
}
