import type { ConnectionView } from '../../connections/connections.types.ts';
import { orderUrl } from '../../orders/orders.mapper.ts';

/**
 * A record's form in Odoo's web client, in the URL form of the connection's version: Odoo 17.0/17.1 only know the
 * hash form (`/web#id=7&model=sale.order&view_type=form`); 17.2+ (and 18, 19) have `/odoo/<model>/<id>`, which is
 * what their own "copy link" gives. Unknown version (never probed): the hash form, which 18 and 19 still redirect.
 */
export function odooRecordUrl(view: Pick<ConnectionView, 'odoo'>, model: string, id: number): string {
  const base = view.odoo.url.replace(/\/+$/, '');
  // "17.0", "saas~17.2", "18.0+e", "19.0-20250101": the first major.minor in it.
  const m = /(\d+)\.(\d+)/.exec(view.odoo.version ?? '');
  const major = m ? Number(m[1]) : 0;
  const minor = m ? Number(m[2]) : 0;
  const modern = major > 17 || (major === 17 && minor >= 2);
  return modern ? `${base}/odoo/${model}/${id}` : `${base}/web#id=${id}&model=${model}&view_type=form`;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1|0\.0\.0\.0)$/i;

/**
 * The order on Poleepo's web app, only when it is a real Poleepo address: an http(s) link, never to this machine
 * unless the connection's Poleepo is itself here (a sandbox that serves its own order pages), and never to Poleepo's
 * own app for a connection that talks to a sandbox (the default app.poleepo.cloud pattern would open an order that
 * does not exist there). A pattern the administrator pointed elsewhere is theirs to choose.
 */
export function poleepoOrderLink(view: Pick<ConnectionView, 'poleepo' | 'settings'>, poleepoOrderId: string): string | null {
  let link: URL;
  try {
    link = new URL(orderUrl(view.settings.orderUrlPattern, poleepoOrderId));
  } catch {
    return null;
  }
  if (link.protocol !== 'https:' && link.protocol !== 'http:') return null;
  let apiHost: string | null = null;
  try {
    apiHost = new URL(view.poleepo.baseUrl).hostname;
  } catch {
    apiHost = null;
  }
  const sandbox = apiHost !== null && LOOPBACK.test(apiHost);
  if (LOOPBACK.test(link.hostname) && !(sandbox && link.hostname === apiHost)) return null;
  if (sandbox && /(^|\.)poleepo\.(cloud|it|com)$/i.test(link.hostname)) return null;
  return link.href;
}
