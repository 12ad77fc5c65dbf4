/**
 * Shapes of Poleepo's API as docs/poleepo-api.md describes them. Confirmed fields are required; assumed ones are
 * optional, because the real API may not send them (the connector must check before relying on one).
 */

export interface PoleepoTag {
  id?: number;
  value: string;
}

export interface PoleepoProduct {
  id: number;
  sku: string;
  title: string;
  type?: { id: string; name: string } | null;
  parent_sku?: string | null;
  price?: number;
  price_with_tax?: number;
  vat_rate?: number;
  quantity?: number;
  active?: boolean;
  main_category_id?: number | null;
  main_category_path?: string | null;
  ean?: string | null;
  upc?: string | null;
  isbn?: string | null;
  mpn?: string | null;
  short_description?: string | null;
  long_description?: string | null;
  weight?: number | null;
  width?: number | null;
  height?: number | null;
  depth?: number | null;
  images?: { id: number; url?: string }[];
  attributes?: { name: string; value: string }[];
  tags?: PoleepoTag[];
  provisions?: unknown[];
  sales?: number;
  creation_date?: string;
  update_date?: string;
}

/** `POST /products` (confirmed minimal body). */
export interface PoleepoProductCreate {
  sku: string;
  title: string;
  price: number;
  vat_rate: number;
  quantity: number;
  active: boolean;
  main_category_id: number;
  weight?: number;
  width?: number;
  height?: number;
  depth?: number;
}

/** `PUT /products/{id}`: partial (confirmed). Tags without an id are silently dropped by Poleepo. */
export type PoleepoProductUpdate = Partial<Omit<PoleepoProduct, 'id' | 'creation_date' | 'update_date'>>;

export interface PoleepoCategory {
  id: number;
  name: string;
  path: string;
}

export interface PoleepoPublication {
  id: number;
  sku: string;
  source_id: string;
  source: { id: string; name: string };
  active?: boolean;
}

/** One entry of a product batch: the seed's parent and variant entries. */
export interface PoleepoBatchEntry {
  product_id?: number | string | null;
  sku: string;
  parent_sku?: string | null;
  title?: string;
  short_description?: string | null;
  long_description?: string | null;
  category_path?: string | null;
  ean?: string | null;
  upc?: string | null;
  isbn?: string | null;
  mpn?: string | null;
  weight?: number | null;
  width?: number | null;
  height?: number | null;
  depth?: number | null;
  price?: number;
  price_with_tax?: number;
  vat_rate?: number;
  quantity?: number;
  active?: boolean;
  images?: string[];
  attributes?: { name: string; value: string }[];
}

export const BATCH_STATUSES = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;
export type PoleepoBatchStatus = (typeof BATCH_STATUSES)[number];

export const BATCH_ITEM_STATUSES = ['PENDING', 'SUCCESS', 'ERROR'] as const;
export type PoleepoBatchItemStatus = (typeof BATCH_ITEM_STATUSES)[number];

export const BATCH_ERROR_CODES = ['PARENT_NOT_FOUND', 'DUPLICATE_SKU', 'PRODUCT_NOT_FOUND', 'VALIDATION_ERROR'] as const;
export type PoleepoBatchErrorCode = (typeof BATCH_ERROR_CODES)[number];

export interface PoleepoBatchItemResult {
  index: number;
  sku: string;
  product_id: number | null;
  status: PoleepoBatchItemStatus;
  error_code: PoleepoBatchErrorCode | string | null;
  message: string | null;
}

export interface PoleepoBatch {
  id: number | string;
  status: PoleepoBatchStatus;
  items?: number;
  created_at?: string;
  completed_at?: string | null;
  results?: PoleepoBatchItemResult[];
}

export const ORDER_STATUSES = ['PAYMENT_ACCEPTED', 'IN_PROCESS', 'SHIPPED', 'DELIVERED', 'CANCELED', 'REFUNDED'] as const;
export type PoleepoOrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_STATUS_LABELS: Record<PoleepoOrderStatus, { en: string; it: string }> = {
  PAYMENT_ACCEPTED: { en: 'Payment accepted', it: 'Pagamento accettato' },
  IN_PROCESS: { en: 'In process', it: 'In lavorazione' },
  SHIPPED: { en: 'Shipped', it: 'Spedito' },
  DELIVERED: { en: 'Delivered', it: 'Consegnato' },
  CANCELED: { en: 'Canceled', it: 'Annullato' },
  REFUNDED: { en: 'Refunded', it: 'Rimborsato' },
};

export interface PoleepoAddress {
  name?: string | null;
  surname?: string | null;
  company?: string | null;
  vat_number?: string | null;
  fiscal_code?: string | null;
  sdi_code?: string | null;
  pec?: string | null;
  address?: string;
  postcode?: string;
  city?: string;
  state_iso?: string | null;
  country_iso?: string;
  phone?: string | null;
  email?: string | null;
}

export interface PoleepoCustomer {
  id?: number;
  firstname?: string;
  lastname?: string;
  /** Some payloads use name/surname (S2 reads both). */
  name?: string;
  surname?: string;
  email?: string | null;
  phone?: string | null;
  fiscal_code?: string | null;
  company?: string | null;
  vat_number?: string | null;
}

export interface PoleepoOrderLine {
  id?: number;
  sku: string;
  product_id?: number | null;
  title?: string;
  quantity: number;
  /** Unit price, tax included (assumed); absent when the key hides prices. */
  price?: number;
  vat_rate?: number;
  total_price?: number;
}

export interface PoleepoOrder {
  id: number;
  reference_id?: string | null;
  source_id?: string | null;
  source?: { id: string; name: string } | null;
  /** A code, or `{id, name}` (both forms are read by `orderStatusCode`). */
  status?: string | { id: string; name?: string } | null;
  customer?: PoleepoCustomer;
  invoice_address?: PoleepoAddress;
  delivery_address?: PoleepoAddress;
  lines?: PoleepoOrderLine[];
  shipping_cost?: number;
  payment_method?: string | null;
  cash_on_delivery?: number;
  total_price?: number;
  currency?: string;
  order_date?: string;
  creation_date?: string;
  update_date?: string;
  shippings?: (number | { id: number })[];
}

export const SHIPPING_STATUSES = ['CREATED', 'LABEL_READY', 'HANDED_TO_CARRIER', 'IN_TRANSIT', 'DELIVERED', 'EXCEPTION', 'CANCELED'] as const;
export type PoleepoShippingStatus = (typeof SHIPPING_STATUSES)[number];

export interface PoleepoParcel {
  /** Kilograms. */
  weight: number;
  /** Centimetres. */
  width?: number;
  height?: number;
  depth?: number;
  /** This parcel's own package type (assumed: several package types in one shipping). */
  package_type_id?: number;
}

export interface PoleepoShipping {
  id: number;
  order_id?: number;
  /** Begins with the carrier code (confirmed), e.g. "BRT Standard". */
  carrier: string;
  carrier_id?: number;
  carrier_code?: string;
  service?: string | null;
  status?: PoleepoShippingStatus | string;
  tracking_code?: string | null;
  parcel_id?: string | null;
  reference?: string | null;
  package_type_id?: number | null;
  pickup_address_id?: number | null;
  parcels?: PoleepoParcel[];
  cod_amount?: number;
  /** What the creator wrote (the connector names the Odoo delivery here, to recognise its shippings). */
  notes?: string | null;
  delivery_address?: PoleepoAddress;
  creation_date?: string;
  update_date?: string;
}

export interface PoleepoShippingCreate {
  order_id: number;
  carrier_id: number;
  service?: string;
  package_type_id: number;
  pickup_address_id: number;
  parcels: PoleepoParcel[];
  cod_amount?: number;
  notes?: string;
}

/** A courier service, with its price when Poleepo quotes one (assumed: EUR, VAT excluded). */
export interface PoleepoCarrierService {
  code: string;
  name: string;
  price?: number | null;
  currency?: string | null;
}

export interface PoleepoLabel {
  shipping_id: number;
  format: 'PDF' | string;
  file_name: string;
  content_base64: string;
}

export interface PoleepoCarrier {
  id: number;
  code: string;
  name: string;
  services?: PoleepoCarrierService[];
}

export interface PoleepoPackageType {
  id: number;
  name: string;
  weight?: number;
  width?: number;
  height?: number;
  depth?: number;
}

export interface PoleepoPickupAddress {
  id: number;
  name: string;
  company?: string | null;
  address?: string;
  postcode?: string;
  city?: string;
  state_iso?: string | null;
  country_iso?: string;
  phone?: string | null;
  is_default?: boolean;
}

export type PoleepoDocumentType = 'INVOICE' | 'CREDIT_NOTE' | 'WAYBILL';

export interface PoleepoDocument {
  id: number;
  order_id: number;
  type: PoleepoDocumentType | string;
  number?: string | null;
  date?: string | null;
  file_name: string;
  creation_date?: string;
  content_base64?: string;
}

export interface PoleepoDocumentUpload {
  type: 'INVOICE' | 'CREDIT_NOTE';
  number: string;
  /** YYYY-MM-DD */
  date: string;
  file_name: string;
  content_base64: string;
}

/** The order status as a code, whatever form Poleepo sent (string or `{id, name}`); null when absent. */
export function orderStatusCode(status: PoleepoOrder['status']): string | null {
  if (status === null || status === undefined) return null;
  if (typeof status === 'string') return status;
  return typeof status.id === 'string' ? status.id : null;
}

/** Shipping ids of an order, whatever form Poleepo sent (ids or `{id}` objects; confirmed both seen). */
export function orderShippingIds(order: PoleepoOrder): number[] {
  return (order.shippings ?? []).map((s) => (typeof s === 'number' ? s : Number(s.id))).filter((n) => Number.isFinite(n));
}
