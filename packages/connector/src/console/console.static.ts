import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import { sha256Hex } from '../shared/passwords.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

interface Asset {
  body: Buffer;
  type: string;
  version: string;
}

/** The console's static files: htmx and Pico from node_modules (no CDN, CSP 'self'), ours from ./static. */
const SOURCES: Record<string, { path: () => string; type: string }> = {
  'htmx.min.js': { path: () => require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'pico.min.css': { path: () => require.resolve('@picocss/pico/css/pico.min.css'), type: 'text/css; charset=utf-8' },
  'console.css': { path: () => join(here, 'static', 'console.css'), type: 'text/css; charset=utf-8' },
  'console.js': { path: () => join(here, 'static', 'console.js'), type: 'text/javascript; charset=utf-8' },
};

export class StaticAssets {
  private readonly assets = new Map<string, Asset>();

  constructor() {
    for (const [name, source] of Object.entries(SOURCES)) {
      const body = readFileSync(source.path());
      this.assets.set(name, { body, type: source.type, version: sha256Hex(body).slice(0, 12) });
    }
  }

  /** The URL of an asset, versioned by content so browsers may cache it for good. */
  url(name: keyof typeof SOURCES & string): string {
    const asset = this.assets.get(name);
    if (!asset) throw new Error(`Unknown console asset ${name}`);
    return `/static/${name}?v=${asset.version}`;
  }

  mount(app: Hono<any>): void {
    app.get('/static/:name', (c) => {
      const asset = this.assets.get(c.req.param('name'));
      if (!asset) return c.text('Not found', 404);
      const etag = `"${asset.version}"`;
      const cache = c.req.query('v') === asset.version ? 'public, max-age=31536000, immutable' : 'no-cache';
      if (c.req.header('If-None-Match') === etag) return c.body(null, 304, { ETag: etag, 'Cache-Control': cache });
      return c.body(new Uint8Array(asset.body), 200, { 'Content-Type': asset.type, ETag: etag, 'Cache-Control': cache });
    });
  }
}
