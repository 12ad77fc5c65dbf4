import { createHmac, timingSafeEqual } from 'node:crypto';
import { safeEqual } from '../shared/passwords.ts';
import type { VerificationMode } from './webhooks.tables.ts';

/** Header names of the assumed Poleepo webhook request (docs/poleepo-api.md §5): the one place to change them. */
export const SIGNATURE_HEADER = 'x-poleepo-signature';
export const SECRET_HEADER = 'x-poleepo-secret';
export const EVENT_HEADER = 'x-poleepo-event';
export const DELIVERY_HEADER = 'x-poleepo-delivery';

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * Checks a request against the webhook's verification mode. The URL token has already been checked by the caller
 * (it identifies the webhook in every mode). Every comparison is constant-time.
 */
export function verifyWebhook(mode: VerificationMode, secret: string, rawBody: Buffer, header: (name: string) => string | undefined): VerifyResult {
  if (mode === 'url_token') return { ok: true };
  if (mode === 'header') {
    const sent = header(SECRET_HEADER);
    if (!sent) return { ok: false, reason: `missing ${SECRET_HEADER} header` };
    return safeEqual(sent, secret) ? { ok: true } : { ok: false, reason: 'secret does not match' };
  }
  const sent = header(SIGNATURE_HEADER);
  if (!sent) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  const hex = sent.trim().replace(/^sha256=/i, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) return { ok: false, reason: 'signature is not a SHA-256 hex digest' };
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(hex, 'hex'), expected) ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

/** What Poleepo sends in `hmac` mode (used by tests and documentation examples). */
export function signBody(secret: string, rawBody: Buffer | string): string {
  return 'sha256=' + createHmac('sha256', secret).update(rawBody).digest('hex');
}
