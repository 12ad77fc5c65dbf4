/**
 * Redaction of secrets and personal data before anything is logged or stored in the API log.
 * Keys are matched case-insensitively on their normalised form (no `-`/`_`), values by pattern.
 */
export const REDACTED_KEYS = [
  'authorization', 'cookie', 'set-cookie', 'password', 'passwd', 'secret', 'client_secret', 'clientSecret',
  'token', 'access_token', 'accessToken', 'refresh_token', 'api_key', 'apiKey', 'apikey', 'x-api-key',
  'encryption_key', 'ENCRYPTION_KEY', 'ODOO_API_KEY', 'POLEEPO_CLIENT_SECRET',
];

const SECRET_KEY_PARTS = ['authorization', 'cookie', 'password', 'passwd', 'secret', 'token', 'apikey', 'encryptionkey', 'signature', 'sessionid'];
const PERSONAL_KEY_PARTS = ['email', 'phone', 'mobile', 'street', 'address', 'fiscalcode', 'codicefiscale', 'pec', 'vat', 'zip', 'postcode', 'firstname', 'lastname', 'fullname', 'customername'];
// Keys that contain a personal-looking part but are not personal data.
const NOT_PERSONAL = new Set(['vatrate', 'emailverified', 'addressid', 'invoiceaddressid', 'deliveryaddressid', 'pickupaddressid', 'addresstype']);

// Bounded parts (RFC 5321: 64 for the local part): an unbounded run before '@' made long base64 strings quadratic.
const EMAIL = /[A-Z0-9._%+-]{1,64}@[A-Z0-9.-]{1,255}\.[A-Z]{2,}/gi;
/** A file's content in a body (a label, an attachment): kept out of the log, only its size said. */
const BASE64_FILE = /^[A-Za-z0-9+/]{256,}={0,2}$/;
const PHONE = /(?<![\w.])\+?\d[\d ().-]{7,}\d(?![\w.])/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

export const REDACTED = '[redacted]';

/**
 * The secret parts of URLs the connector hands out, wherever they appear in text: the Odoo notification token in
 * `…/webhooks/odoo/<token>` (in inbound paths, and in the automation rules' `webhook_url` sent to and read back from
 * Odoo), and secret-looking query parameters (`?token=` of the Poleepo Webhook URL, `access_token=`, `api_key=`…).
 */
const ODOO_HOOK_TOKEN = /(\/webhooks\/odoo\/)[^/?#\s"'<>\\]+/g;
const SECRET_QUERY_PARAM = /([?&][\w.-]{0,64}?(?:token|secret|signature|apikey|api_key|password|passwd)=)[^&#\s"'<>\\]+/gi;

export function redactUrlSecrets(text: string): string {
  let out = text;
  if (out.includes('/webhooks/odoo/')) out = out.replace(ODOO_HOOK_TOKEN, `$1${REDACTED}`);
  if (out.includes('=')) out = out.replace(SECRET_QUERY_PARAM, `$1${REDACTED}`);
  return out;
}

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '');
}

export function isSecretKey(key: string): boolean {
  const k = normalise(key);
  return SECRET_KEY_PARTS.some((p) => k.includes(p));
}

export function isPersonalKey(key: string): boolean {
  const k = normalise(key);
  if (NOT_PERSONAL.has(k)) return false;
  return PERSONAL_KEY_PARTS.some((p) => k.includes(p));
}

/** Redacts patterns (e-mails, phone numbers, bearer credentials) inside free text. */
export function redactText(text: string, extraSecrets: readonly string[] = []): string {
  let out = redactUrlSecrets(text);
  for (const s of extraSecrets) if (s && s.length >= 4) out = out.split(s).join(REDACTED);
  out = out.replace(BEARER, '$1 ' + REDACTED);
  if (out.includes('@')) out = out.replace(EMAIL, REDACTED);
  return out.replace(PHONE, REDACTED);
}

/** Deep copy of a JSON-like value with secret and personal fields replaced. */
export function redactValue(value: unknown, extraSecrets: readonly string[] = [], depth = 0): unknown {
  if (depth > 20) return REDACTED;
  if (typeof value === 'string') return BASE64_FILE.test(value) ? `[base64, ${value.length} chars]` : redactText(value, extraSecrets);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, extraSecrets, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== null && v !== false && v !== '' && (isSecretKey(k) || isPersonalKey(k))) out[k] = REDACTED;
      else out[k] = redactValue(v, extraSecrets, depth + 1);
    }
    return out;
  }
  return value;
}

/** Redacts a body given as text: parsed as JSON when it is, else pattern-redacted; then truncated. */
export function redactBody(body: string | undefined | null, maxLength: number, extraSecrets: readonly string[] = []): string | null {
  if (body === undefined || body === null || body === '') return null;
  // Large bodies (pages of thousands of records) are cut first and redacted as text: parsing megabytes only to
  // keep a few kilobytes would put the API log on the export's hot path.
  if (body.length > maxLength * 4) return truncate(redactJsonText(body.slice(0, maxLength), extraSecrets), maxLength) + `…[truncated ${body.length - maxLength} chars]`;
  let out: string;
  try {
    out = JSON.stringify(redactValue(JSON.parse(body), extraSecrets));
  } catch {
    out = redactUrlEncoded(body, extraSecrets);
  }
  return truncate(out, maxLength);
}

const JSON_STRING_MEMBER = /"([^"\\]{1,64})"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/** Key-based redaction on JSON text that may be cut anywhere (cannot be parsed). */
export function redactJsonText(text: string, extraSecrets: readonly string[] = []): string {
  const keyed = text.replace(JSON_STRING_MEMBER, (m, k: string) => (isSecretKey(k) || isPersonalKey(k) ? `"${k}":"${REDACTED}"` : m));
  return redactText(keyed, extraSecrets);
}

function redactUrlEncoded(body: string, extraSecrets: readonly string[]): string {
  if (/^[\w.%-]+=[^&]*(&[\w.%-]+=[^&]*)*$/.test(body)) {
    return body.split('&').map((pair) => {
      const [k = '', v = ''] = pair.split('=');
      return isSecretKey(decodeURIComponent(k)) || isPersonalKey(decodeURIComponent(k)) ? `${k}=${REDACTED}` : `${k}=${redactText(v, extraSecrets)}`;
    }).join('&');
  }
  return redactText(body, extraSecrets);
}

export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  return text.slice(0, maxLength) + `…[truncated ${text.length - maxLength} chars]`;
}

/** Header map with credentials removed. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = isSecretKey(k) || normalise(k) === 'xapikey' ? REDACTED : v;
  return out;
}

/** URL with secret-looking query parameters and the Odoo notification token redacted. */
export function redactUrl(url: string): string {
  return redactUrlSecrets(url).replace(/([?&])([^=&]+)=([^&]*)/g, (m, sep, k) => (isSecretKey(safeDecode(k)) ? `${sep}${k}=${REDACTED}` : m));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
