import { describe, expect, it } from 'vitest';
import { redactBody, redactHeaders, redactUrl, REDACTED } from '../src/shared/redact.ts';

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
});
