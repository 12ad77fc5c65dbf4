import { requireObject } from './poleepo-sandbox.catalog.ts';
import { SandboxApiError } from './poleepo-sandbox.errors.ts';
import type { PoleepoSandboxState } from './poleepo-sandbox.state.ts';
import type { PoleepoSandboxKnobs, SandboxClient } from './poleepo-sandbox.types.ts';
import { isoSeconds } from './poleepo-sandbox.util.ts';
import { carrierView, documentView, orderView, productView, shippingView } from './poleepo-sandbox.views.ts';

export interface ApiRequest {
  key: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  client: SandboxClient;
  now: number;
}

export interface ApiAnswer {
  status: number;
  data: unknown;
  total?: number;
}

type Handler = (req: ApiRequest) => ApiAnswer;

const UPDATED_AFTER = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Poleepo's own routes (docs/poleepo-api.md §4), once authenticated, authorised and within limits. */
export function apiHandlers(state: PoleepoSandboxState, knobs: PoleepoSandboxKnobs): Record<string, Handler> {
  const { catalog, batches, orders, shippings } = state;
  const page = <T>(req: ApiRequest, items: T[], view: (item: T) => unknown): ApiAnswer => {
    const offset = intParam(req.query, 'offset', 0);
    const max = Math.min(knobs.maxPageSize, intParam(req.query, 'max', 50, 1));
    return { status: 200, data: items.slice(offset, offset + max).map(view), total: items.length };
  };
  const ok = (data: unknown, status = 200): ApiAnswer => ({ status, data });
  const hide = (req: ApiRequest) => req.client.permissions ?? {};

  return {
    'products.list': (req) => page(req, catalog.list({ active: req.query.get('active'), sku: knobs.honourSkuFilter ? req.query.get('sku') : null }), (p) => productView(p, catalog)),
    'products.get': (req) => ok(productView(catalog.product(req.params.id), catalog)),
    'products.create': (req) => ok(productView(catalog.createFromApi(req.body, req.now), catalog), 201),
    'products.update': (req) => ok(productView(catalog.updateFromApi(req.params.id, req.body, req.now), catalog)),
    'categories.list': (req) => page(req, [...catalog.categories.values()].sort((a, b) => a.id - b.id), (c) => c),
    'publications.list': (req) => {
      const source = req.query.get('source');
      const list = [...catalog.publications.values()].filter((p) => !source || p.source.id === source.toUpperCase()).sort((a, b) => a.id - b.id);
      return page(req, list, (p) => p);
    },
    'batches.submit': (req) => {
      const b = batches.submit(req.body, req.now, knobs.batchProcessingDelayMs, knobs.maxBatchItems);
      return ok({ id: b.id, status: 'PENDING', items: b.entries.length, created_at: isoSeconds(b.submittedAt) }, 202);
    },
    'batches.status': (req) => ok(batches.view(batches.get(req.params.id), req.now, isoSeconds)),
    'orders.list': (req) => {
      const raw = req.query.get('updated_after');
      if (raw !== null && !UPDATED_AFTER.test(raw)) {
        throw new SandboxApiError(400, 'VALIDATION_ERROR', 'updated_after must be UTC without fractional seconds, e.g. 2026-06-03T10:15:00Z', [
          { field: 'updated_after', code: 'INVALID_FORMAT', message: `"${raw}" is not YYYY-MM-DDTHH:MM:SSZ` },
        ]);
      }
      return page(req, orders.changedSince(raw === null ? null : Date.parse(raw)), (o) => orderView(o, knobs, hide(req)));
    },
    'orders.get': (req) => ok(orderView(orders.order(req.params.id), knobs, hide(req))),
    'orders.updateStatus': (req) => {
      orders.order(req.params.id);
      const body = requireObject(req.body);
      if (body.status === undefined) throw new SandboxApiError(422, 'VALIDATION_ERROR', 'status is required', [{ field: 'status', code: 'REQUIRED', message: 'status is required' }]);
      return ok(orderView(orders.setStatus(req.params.id, body.status, true, req.now), knobs, hide(req)));
    },
    'documents.list': (req) => page(req, orders.documentsOf(req.params.id), (d) => documentView(d, false)),
    'documents.get': (req) => ok(documentView(orders.document(req.params.id, req.params.docId), true)),
    'documents.upload': (req) => ok(documentView(orders.uploadDocument(req.params.id, req.body, req.now), false), 201),
    'shippings.list': (req) => page(req, shippings.list({ order: req.query.get('order') }), (s) => shippingView(s, shippings, hide(req))),
    'shippings.get': (req) => ok(shippingView(shippings.shipping(req.params.id), shippings, hide(req))),
    'shippings.create': (req) => ok(shippingView(shippings.create(req.body, req.now), shippings, hide(req)), 201),
    'shippings.label': (req) => {
      const s = shippings.shipping(req.params.id);
      if (s.status === 'CREATED' || s.label.length === 0) throw new SandboxApiError(404, 'NOT_FOUND', `Shipping ${s.id} has no waybill yet`);
      return ok({ shipping_id: s.id, format: 'PDF', file_name: `waybill_${s.tracking_code}.pdf`, content_base64: s.label.toString('base64') });
    },
    'shippings.updateStatus': (req) => {
      shippings.shipping(req.params.id);
      const body = requireObject(req.body);
      if (body.status === undefined) throw new SandboxApiError(422, 'VALIDATION_ERROR', 'status is required', [{ field: 'status', code: 'REQUIRED', message: 'status is required' }]);
      return ok(shippingView(shippings.setStatus(req.params.id, body.status, true, req.now), shippings, hide(req)));
    },
    'carriers.list': (req) => {
      // Prices for the order's delivery country (Italy without an order) and the `weight` hint (1 kg without one).
      const orderId = req.query.get('order');
      const country = orderId === null || orderId === '' ? 'IT' : orders.order(orderId).delivery_address.country_iso;
      const weight = weightParam(req.query);
      return page(req, [...shippings.carriers.values()], (c) => carrierView(c, country, weight));
    },
    'packageTypes.list': (req) => page(req, [...shippings.packageTypes.values()], (p) => p),
    'pickupAddresses.list': (req) => page(req, [...shippings.pickupAddresses.values()], (p) => p),
  };
}

function weightParam(query: URLSearchParams): number {
  const raw = query.get('weight');
  if (raw === null || raw === '') return 1;
  const kg = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(kg > 0)) {
    throw new SandboxApiError(400, 'VALIDATION_ERROR', 'weight must be kilograms greater than 0, e.g. 2.5', [{ field: 'weight', code: 'INVALID', message: `"${raw}" is not a weight in kg greater than 0` }]);
  }
  return kg;
}

function intParam(query: URLSearchParams, name: string, fallback: number, min = 0): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new SandboxApiError(400, 'VALIDATION_ERROR', `${name} must be a whole number ≥ ${min}`, [{ field: name, code: 'INVALID', message: `${name} must be a whole number ≥ ${min}` }]);
  }
  return Number(raw);
}
