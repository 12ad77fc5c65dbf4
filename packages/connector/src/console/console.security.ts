import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { safeEqual } from '../shared/passwords.ts';

/**
 * Response headers for every console response: a CSP that allows only this origin (no inline script or style, no
 * eval; htmx is configured to need none), no framing, no referrer leaks, no caching of pages that hold data.
 */
export function consoleSecureHeaders(https: boolean): MiddlewareHandler {
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      // Pico draws checkbox ticks and select arrows with data: SVGs.
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'same-origin',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    strictTransportSecurity: https ? 'max-age=31536000; includeSubDomains' : false,
    permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
  });
  return async (c, next) => {
    await headers(c, async () => {
      await next();
      if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
    });
  };
}

/**
 * A state-changing request must come from a page of this console: when the browser says where it comes from
 * (Origin, or Sec-Fetch-Site), it must be here. Clients that send neither (curl, scripts) still need the token.
 */
export function sameOrigin(c: Context, allowedOrigins: readonly string[]): boolean {
  const origin = c.req.header('Origin');
  if (origin !== undefined) {
    if (origin === 'null') return false;
    const own = new URL(c.req.url).origin;
    return origin === own || allowedOrigins.includes(origin);
  }
  const site = c.req.header('Sec-Fetch-Site');
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  return true;
}

/** The token a form or htmx request echoes: the `_csrf` field or the `X-CSRF-Token` header. */
export async function submittedCsrfToken(c: Context): Promise<string | undefined> {
  const header = c.req.header('X-CSRF-Token');
  if (header) return header;
  const type = c.req.header('Content-Type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return undefined;
  const body = await c.req.parseBody();
  const field = body._csrf;
  return typeof field === 'string' ? field : undefined;
}

/** Constant-time comparison of the submitted token with the expected one. */
export function csrfMatches(expected: string | undefined, submitted: string | undefined): boolean {
  if (!expected || !submitted) return false;
  return safeEqual(expected, submitted);
}
