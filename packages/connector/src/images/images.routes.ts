import type { Hono } from 'hono';
import type { ProductImagesService } from './images.service.ts';

/** `GET /images/:token` — the signed product image URLs handed to Poleepo (DESIGN §3.2, §4.3.1). Public. */
export function mountImageRoutes(app: Hono, images: ProductImagesService): void {
  app.get('/images/:token', async (c) => {
    let served;
    try {
      served = await images.serve(c.req.param('token'));
    } catch {
      // Odoo unreachable for an image not cached yet: Poleepo may try again later.
      return c.text('Image temporarily unavailable', 503, { 'Retry-After': '60' });
    }
    if (served.status === 404) return c.text('Not found', 404);
    const etag = `"${served.checksum}"`;
    const headers: Record<string, string> = {
      'Content-Type': served.mimetype,
      // Content-addressed: the bytes behind a URL never change.
      'Cache-Control': 'public, max-age=31536000, immutable',
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    return c.body(new Uint8Array(served.bytes), 200, { ...headers, 'Content-Length': String(served.bytes.length) });
  });
}
