import { createHmac, timingSafeEqual } from 'node:crypto';
import { safeEqual } from '../shared/passwords.ts';

/**
 * Poleepo webhook verification (docs/poleepo-api.md §5, DESIGN §4.5). Poleepo's scheme is not public, so the mode is a
 * per-webhook setting; every comparison is constant-time.
 */
export const POLEEPO_WEBHOOK_EVENTS = ['STATUS_ORDER', 'STATUS_SHIPMENT'] as const;
export type PoleepoWebhookEvent = (typeof POLEEPO_WEBHOOK_EVENTS)[number];

export const POLEEPO_WEBHOOK_HEADERS = {
  event: 'x-poleepo-event',
  delivery: 'x-poleepo-delivery',
  signature: 'x-poleepo-signature',
  secret: 'x-poleepo-secret',
} as const;

/** `hmac` (default): HMAC-SHA256 of the raw body in X-Poleepo-Signature; `header`: the secret verbatim in
 * X-Poleepo-Secret; `url_token`: the token in the Webhook URL alone (checked by the route). */
export const POLEEPO_SIGNING_MODES = ['hmac', 'header', 'url_token'] as const;
export type PoleepoSigningMode = (typeof POLEEPO_SIGNING_MODES)[number];

export interface PoleepoWebhookPayload {
  event: PoleepoWebhookEvent | string;
  event_id: string;
  timestamp: string;
  data: {
    order_id?: number;
    shipping_id?: number;
    status?: string;
    previous_status?: string | null;
    tracking_code?: string | null;
    carrier?: string | null;
  };
}

/** The lowercase hex HMAC-SHA256 of the raw body bytes. */
export function signPoleepoBody(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

export type VerifyOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Checks one delivery. `headers` are lower-cased names (as Node gives them). For `url_token` the route has already
 * matched the token; nothing in the request is checked here.
 */
export function verifyPoleepoWebhook(mode: PoleepoSigningMode, rawBody: Buffer | string, headers: Record<string, string | string[] | undefined>, secret: string): VerifyOutcome {
  if (mode === 'url_token') return { ok: true };
  if (mode === 'header') {
    const given = header(headers, POLEEPO_WEBHOOK_HEADERS.secret);
    if (!given) return { ok: false, reason: `missing ${POLEEPO_WEBHOOK_HEADERS.secret} header` };
    return safeEqual(given, secret) ? { ok: true } : { ok: false, reason: 'secret does not match' };
  }
  const given = header(headers, POLEEPO_WEBHOOK_HEADERS.signature);
  if (!given) return { ok: false, reason: `missing ${POLEEPO_WEBHOOK_HEADERS.signature} header` };
  const hex = given.trim().replace(/^sha256=/i, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) return { ok: false, reason: 'signature is not a SHA-256 hex digest' };
  const expected = Buffer.from(signPoleepoBody(rawBody, secret), 'hex');
  return timingSafeEqual(Buffer.from(hex, 'hex'), expected) ? { ok: true } : { ok: false, reason: 'signature does not match' };
}


function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const v = headers[name] ?? headers[name.toLowerCase()];
  if (Array.isArray(v)) return v[0] ?? null;
  return v ?? null;
}
