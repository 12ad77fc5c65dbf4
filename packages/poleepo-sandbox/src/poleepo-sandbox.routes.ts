import type { SandboxAccess, SandboxArea } from './poleepo-sandbox.types.ts';

/**
 * The sandbox's own copy of Poleepo's endpoint table (docs/poleepo-api.md §4). It deliberately does not import the
 * connector's map: the sandbox plays Poleepo, and a test passes only when both sides agree with the document.
 * Keys are the document's (and the stats').
 */
export interface SandboxRoute {
  key: string;
  method: string;
  path: string;
  permission: { area: SandboxArea; level: Exclude<SandboxAccess, 'none'> } | null;
}

const r = (key: string, method: string, path: string, area: SandboxArea | null, level: 'read' | 'write' = 'read'): SandboxRoute => ({
  key, method, path, permission: area ? { area, level } : null,
});

export const DEFAULT_SANDBOX_ROUTES: SandboxRoute[] = [
  r('auth.token', 'POST', '/oauth/access_token', null),
  r('batches.submit', 'POST', '/products/batch', 'products', 'write'),
  r('batches.status', 'GET', '/products/batch/{id}', 'products'),
  r('products.list', 'GET', '/products', 'products'),
  r('products.get', 'GET', '/products/{id}', 'products'),
  r('products.create', 'POST', '/products', 'products', 'write'),
  r('products.update', 'PUT', '/products/{id}', 'products', 'write'),
  r('categories.list', 'GET', '/categories', 'products'),
  r('publications.list', 'GET', '/channels/publications', 'products'),
  r('orders.list', 'GET', '/orders', 'orders'),
  r('orders.get', 'GET', '/orders/{id}', 'orders'),
  r('orders.updateStatus', 'PUT', '/orders/{id}/status', 'orders', 'write'),
  r('documents.list', 'GET', '/orders/{id}/documents', 'orders'),
  r('documents.get', 'GET', '/orders/{id}/documents/{docId}', 'orders'),
  r('documents.upload', 'POST', '/orders/{id}/documents', 'orders', 'write'),
  r('shippings.list', 'GET', '/shippings', 'shipping'),
  r('shippings.get', 'GET', '/shippings/{id}', 'shipping'),
  r('shippings.create', 'POST', '/shippings', 'shipping', 'write'),
  r('shippings.label', 'GET', '/shippings/{id}/waybill', 'shipping'),
  r('shippings.updateStatus', 'PUT', '/shippings/{id}/status', 'shipping', 'write'),
  r('carriers.list', 'GET', '/carriers', 'shipping'),
  r('packageTypes.list', 'GET', '/package-types', 'shipping'),
  r('pickupAddresses.list', 'GET', '/pickup-addresses', 'shipping'),
];

interface Compiled extends SandboxRoute {
  regex: RegExp;
  names: string[];
}

export interface RouteMatch {
  route: SandboxRoute;
  params: Record<string, string>;
}

/** Matches requests to routes; literal paths win over templated ones (`/products/batch` before `/products/{id}`). */
export class SandboxRouter {
  private readonly compiled: Compiled[];

  constructor(overrides: Record<string, string | { method?: string; path: string }> = {}) {
    const routes = DEFAULT_SANDBOX_ROUTES.map((route) => {
      const o = overrides[route.key];
      if (o === undefined) return route;
      const next = typeof o === 'string' ? { path: o } : o;
      return { ...route, method: (next.method ?? route.method).toUpperCase(), path: next.path };
    });
    for (const key of Object.keys(overrides)) {
      if (!routes.some((rt) => rt.key === key)) throw new Error(`Unknown Poleepo endpoint "${key}" in sandbox path overrides`);
    }
    this.compiled = routes
      .map((route) => {
        const names: string[] = [];
        const pattern = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_, n: string) => {
          names.push(n);
          return '([^/]+)';
        });
        return { ...route, regex: new RegExp(`^${pattern}/?$`), names };
      })
      .sort((a, b) => a.names.length - b.names.length);
  }

  match(method: string, pathname: string): RouteMatch | null {
    for (const c of this.compiled) {
      if (c.method !== method) continue;
      const m = c.regex.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
      return { route: c, params };
    }
    return null;
  }

  keys(): string[] {
    return this.compiled.map((c) => c.key);
  }
}
