import { ValidationError } from '../shared/errors.ts';

/**
 * THE map of Poleepo endpoints the connector calls (docs/poleepo-api.md §4). Matching the real API means editing this
 * module and that document; a connection may also override single entries through its settings (`poleepoEndpoints`).
 * Paths are templates: `{id}` and `{docId}` are replaced, URL-encoded, at call time.
 */
export type PoleepoArea = 'orders' | 'products' | 'shipping';
export type PoleepoAccess = 'read' | 'write';

export interface EndpointSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** The key permission the call needs (null: the token call). */
  permission: { area: PoleepoArea; level: PoleepoAccess } | null;
  /** Confirmed against the real API, or our assumption (see the document). */
  confirmed: boolean;
}

const read = (area: PoleepoArea) => ({ area, level: 'read' as const });
const write = (area: PoleepoArea) => ({ area, level: 'write' as const });

export const DEFAULT_POLEEPO_ENDPOINTS = {
  'auth.token': { method: 'POST', path: '/oauth/access_token', permission: null, confirmed: true },
  'products.list': { method: 'GET', path: '/products', permission: read('products'), confirmed: true },
  'products.get': { method: 'GET', path: '/products/{id}', permission: read('products'), confirmed: true },
  'products.create': { method: 'POST', path: '/products', permission: write('products'), confirmed: true },
  'products.update': { method: 'PUT', path: '/products/{id}', permission: write('products'), confirmed: true },
  'categories.list': { method: 'GET', path: '/categories', permission: read('products'), confirmed: false },
  'publications.list': { method: 'GET', path: '/channels/publications', permission: read('products'), confirmed: true },
  'batches.submit': { method: 'POST', path: '/products/batch', permission: write('products'), confirmed: false },
  'batches.status': { method: 'GET', path: '/products/batch/{id}', permission: read('products'), confirmed: false },
  'orders.list': { method: 'GET', path: '/orders', permission: read('orders'), confirmed: true },
  'orders.get': { method: 'GET', path: '/orders/{id}', permission: read('orders'), confirmed: false },
  'orders.updateStatus': { method: 'PUT', path: '/orders/{id}/status', permission: write('orders'), confirmed: false },
  'documents.list': { method: 'GET', path: '/orders/{id}/documents', permission: read('orders'), confirmed: false },
  'documents.get': { method: 'GET', path: '/orders/{id}/documents/{docId}', permission: read('orders'), confirmed: false },
  'documents.upload': { method: 'POST', path: '/orders/{id}/documents', permission: write('orders'), confirmed: false },
  'shippings.list': { method: 'GET', path: '/shippings', permission: read('shipping'), confirmed: false },
  'shippings.get': { method: 'GET', path: '/shippings/{id}', permission: read('shipping'), confirmed: true },
  'shippings.create': { method: 'POST', path: '/shippings', permission: write('shipping'), confirmed: false },
  'shippings.label': { method: 'GET', path: '/shippings/{id}/waybill', permission: read('shipping'), confirmed: false },
  'shippings.updateStatus': { method: 'PUT', path: '/shippings/{id}/status', permission: write('shipping'), confirmed: false },
  'carriers.list': { method: 'GET', path: '/carriers', permission: read('shipping'), confirmed: false },
  'packageTypes.list': { method: 'GET', path: '/package-types', permission: read('shipping'), confirmed: false },
  'pickupAddresses.list': { method: 'GET', path: '/pickup-addresses', permission: read('shipping'), confirmed: false },
} as const satisfies Record<string, EndpointSpec>;

export type PoleepoEndpointKey = keyof typeof DEFAULT_POLEEPO_ENDPOINTS;
export type PoleepoEndpointMap = Record<PoleepoEndpointKey, EndpointSpec>;

/** Overrides from connection settings: a path string, or a method and path. */
export type PoleepoEndpointOverrides = Partial<Record<PoleepoEndpointKey, string | { method?: EndpointSpec['method']; path: string }>>;

export function resolvePoleepoEndpoints(overrides: PoleepoEndpointOverrides = {}): PoleepoEndpointMap {
  const out = { ...DEFAULT_POLEEPO_ENDPOINTS } as PoleepoEndpointMap;
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in out)) throw new ValidationError(`Unknown Poleepo endpoint "${key}" in endpoint overrides`);
    const base = out[key as PoleepoEndpointKey];
    const next = typeof value === 'string' ? { path: value } : value!;
    if (!next.path.startsWith('/')) throw new ValidationError(`Poleepo endpoint "${key}" must be a path starting with / (got "${next.path}")`);
    out[key as PoleepoEndpointKey] = { ...base, method: next.method ?? base.method, path: next.path };
  }
  return out;
}

/** Fills `{name}` placeholders with URL-encoded values; a missing value is a programming error. */
export function fillPath(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined || v === null || v === '') throw new Error(`Missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(String(v));
  });
}
