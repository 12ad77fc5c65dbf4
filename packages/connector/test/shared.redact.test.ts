import { describe, expect, it } from 'vitest';
import { redactBody, redactHeaders, redactText, redactUrl, redactUrlSecrets, REDACTED } from '../src/shared/redact.ts';

describe('redaction of secrets and personal data', () => {
  it('removes credentials, tokens and personal fields from JSON bodies, keeping the rest', () => {
    const body = JSON.stringify({
      client_id: 'abc', client_secret: 's3cr3t', grant: 'client_credentials',
      data: { access_token: 'tok', customer: { email: 'mario@rossi.it', phone: '+39 333 1234567', street: 'Via Roma 1', city: 'Milano', vat_rate: 22 } },
      params: { args: ['db', 2, 'deadbeefkey', 'product.product'] },
    });
    const out = redactBody(body, 10_000, ['deadbeefkey'])!;
    for (const leaked of ['s3cr3t', 'tok"', 'mario@rossi.it', '333 1234567', 'Via Roma 1', 'deadbeefkey']) expect(out).not.toContain(leaked);
    for (const kept of ['client_credentials', 'Milano', '"vat_rate":22', 'product.product', '"client_id":"abc"']) expect(out).toContain(kept);
  });

  it('redacts e-mails and phone numbers in free text and form bodies', () => {
    expect(redactBody('contact a.b@c.com or +39 02 1234 5678', 1000)).toBe(`contact ${REDACTED} or ${REDACTED}`);
    expect(redactBody('client_id=x&client_secret=y&grant=z', 1000)).toBe(`client_id=x&client_secret=${REDACTED}&grant=z`);
  });

  it('truncates long bodies and still redacts what remains', () => {
    const big = JSON.stringify({ rows: Array.from({ length: 2000 }, (_, i) => ({ id: i, email: `u${i}@x.io`, token: 'tok' })) });
    const out = redactBody(big, 500)!;
    expect(out.length).toBeLessThan(600);
    expect(out).toContain('truncated');
    expect(out).not.toMatch(/u\d+@x\.io/);
    expect(out).not.toContain('"tok"');
  });

  it('redacts authorization headers and secret query parameters', () => {
    expect(redactHeaders({ Authorization: 'Bearer abc', 'Content-Type': 'application/json', 'X-Api-Key': 'k' })).toEqual({ Authorization: REDACTED, 'Content-Type': 'application/json', 'X-Api-Key': REDACTED });
    expect(redactUrl('/hook?token=abc&x=1')).toBe(`/hook?token=${REDACTED}&x=1`);
  });

  it('keeps file contents (labels, attachments) out of the log, saying only their size; e-mails in text still go', () => {
    const pdf = Buffer.alloc(6000, 7).toString('base64');
    const out = JSON.parse(redactBody(JSON.stringify({ data: { file_name: 'label.pdf', content_base64: pdf, note: 'mail mario.rossi@example.it' } }), 20_000)!);
    expect(out.data).toEqual({ file_name: 'label.pdf', content_base64: `[base64, ${pdf.length} chars]`, note: `mail ${REDACTED}` });
    // A short value that merely looks like base64 is left alone.
    expect(JSON.parse(redactBody(JSON.stringify({ sku: 'ABC123' }), 1000)!)).toEqual({ sku: 'ABC123' });
  });

  it('removes the secret parts of URLs wherever they appear: the Odoo notification token, token-like query parameters', () => {
    const token = 'q1W2e3R4t5Y6u7I8o9P0-_aSdFgHjKlZxCv';
    expect(redactUrl(`/webhooks/odoo/${token}`)).toBe(`/webhooks/odoo/${REDACTED}`);
    expect(redactText(`POST https://c.example/webhooks/odoo/${token}?x=1 failed`)).toBe(`POST https://c.example/webhooks/odoo/${REDACTED}?x=1 failed`);
    expect(redactBody(JSON.stringify({ webhook_url: `https://c.example/webhooks/odoo/${token}`, name: 'Poleepo (shop)' }), 1000)).toBe(`{"webhook_url":"https://c.example/webhooks/odoo/${REDACTED}","name":"Poleepo (shop)"}`);
    expect(redactUrlSecrets('paste https://c.example/webhooks/poleepo/main?token=abc123&x=1 into Poleepo')).toBe(`paste https://c.example/webhooks/poleepo/main?token=${REDACTED}&x=1 into Poleepo`);
    expect(redactUrlSecrets('https://x.example/cb?access_token=t0k&api_key=k3y&page=2')).toBe(`https://x.example/cb?access_token=${REDACTED}&api_key=${REDACTED}&page=2`);
    expect(redactUrlSecrets('/webhooks/poleepo/main?tokens_seen=3&mode=hmac')).toBe('/webhooks/poleepo/main?tokens_seen=3&mode=hmac');
    // A malformed escape in a query parameter name is not an error.
    expect(redactUrl('/x?%E0%A4%A=1&token=s')).toBe(`/x?%E0%A4%A=1&token=${REDACTED}`);
  });
});
