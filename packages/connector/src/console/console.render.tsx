import type { Child } from 'hono/jsx';
import type { ConsoleContext } from './console.types.ts';
import { Layout } from './components/layout.tsx';
import { uiOf } from './components/ui.ts';
import { writeFlash, type Flash } from './console.flash.ts';

/** Renders a full page in the console layout (menu, flash, title). */
export function renderPage(c: ConsoleContext, title: string, body: Child, status: 200 | 400 | 401 | 403 | 404 | 409 | 422 | 429 | 500 = 200): Response | Promise<Response> {
  const services = c.get('services');
  const html = (
    <Layout ui={uiOf(c)} title={title} assets={services.assets} nav={c.get('nav')} currentPath={c.req.path} flash={c.get('flash')}>
      {body}
    </Layout>
  );
  return c.html(`<!doctype html>${html}`, status);
}

export function isHtmx(c: ConsoleContext): boolean {
  return c.req.header('HX-Request') === 'true';
}

/**
 * After a POST: go to `path` with an optional flash. Plain browsers get 303 (Post/Redirect/Get); htmx gets
 * HX-Location, so it loads the page in place and puts its URL in the address bar.
 */
export function redirectTo(c: ConsoleContext, path: string, flash?: Flash): Response {
  if (flash) writeFlash(c, c.get('services').cookies, flash);
  if (isHtmx(c)) {
    c.header('HX-Location', JSON.stringify({ path, target: 'body' }));
    return c.body(null, 200);
  }
  return c.redirect(path, 303);
}

/** The 403 page: signed in, but this role may not do this. */
export function forbiddenPage(c: ConsoleContext): Response | Promise<Response> {
  const t = c.get('t');
  return renderPage(c, t('error.forbidden.title'), (
    <section>
      <p>{t('error.forbidden.body')}</p>
      <p><a href="/">{t('error.backHome')}</a></p>
    </section>
  ), 403);
}

export function notFoundPage(c: ConsoleContext): Response | Promise<Response> {
  const t = c.get('t');
  return renderPage(c, t('error.notFound.title'), (
    <section>
      <p>{t('error.notFound.body')}</p>
      <p><a href="/">{t('error.backHome')}</a></p>
    </section>
  ), 404);
}

/** Reads a submitted form as strings (files and repeated fields ignored). */
export async function formOf(c: ConsoleContext): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}
